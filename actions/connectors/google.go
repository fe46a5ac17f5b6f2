package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

const googleAnalyticsURL = "https://www.google-analytics.com"

var (
	gaFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("google_analytics_id").Name("Tracking ID").Required().
				Description("The Universal Analytics property's tracking id, UA-XXXXX-Y.")).
			Field(plugin.NewStringField("base_url").Name("Collector URL").Default(googleAnalyticsURL).
				Description("Google Analytics' collector; change it only to reach a stand-in."))
	// GoogleAnalyticsType is a Universal Analytics property (Tracardi's google_id).
	GoogleAnalyticsType = plugin.ResourceType{Type: "google_id", Name: "Google Universal Analytics Tracking ID", Tags: []string{"google"},
		Description: "A Universal Analytics property that receives events (Measurement Protocol v1).", Fields: gaFields}

	ga4Fields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("measurement_id").Name("Measurement ID").Required().
				Description("The GA4 data stream's measurement id, G-XXXXXXX.")).
			Field(plugin.NewStringField("api_key").Name("API secret").Required().
				Description("A Measurement Protocol API secret of the stream (Admin → Data streams → Measurement Protocol API secrets).")).
			Field(plugin.NewStringField("base_url").Name("Collector URL").Default(googleAnalyticsURL).
				Description("Google Analytics' collector; change it only to reach a stand-in."))
	// GoogleAnalytics4Type is a GA4 data stream (Tracardi's google_v4_id).
	GoogleAnalytics4Type = plugin.ResourceType{Type: "google_v4_id", Name: "Google Analytics 4", Tags: []string{"google"},
		Description: "A Google Analytics 4 data stream that receives events (Measurement Protocol).", Fields: ga4Fields, Check: checkGA4}
)

func init() {
	plugin.RegisterResourceType(GoogleAnalyticsType)
	plugin.RegisterResourceType(GoogleAnalytics4Type)
}

func ga4URL(c *plugin.ParsedConfig, path string) string {
	return strings.TrimRight(c.String("base_url"), "/") + path + "?measurement_id=" + url.QueryEscape(c.String("measurement_id")) +
		"&api_secret=" + url.QueryEscape(c.String("api_key"))
}

// checkGA4 sends a test event to the validation server, which answers the
// problems it finds without recording anything.
func checkGA4(ctx context.Context, creds map[string]any) error {
	c, err := ga4Fields.Parse(creds)
	if err != nil {
		return err
	}
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: "POST", URL: ga4URL(c, "/debug/mp/collect"), Timeout: 10 * time.Second,
		JSON: map[string]any{"client_id": "tracflow.connection-test", "events": []any{map[string]any{"name": "connection_test"}}}})
	if err != nil {
		return err
	}
	doc, _ := res.Content().(map[string]any)
	if msgs, _ := doc["validationMessages"].([]any); len(msgs) > 0 {
		b, _ := json.Marshal(msgs[0])
		return fmt.Errorf("the Google Analytics service refused the test event: %s", b)
	}
	return nil
}

func clientID(r *plugin.ActionRunner) string {
	if r.Profile != nil && r.Profile.ID() != "" {
		return r.Profile.ID()
	}
	return "unknown"
}

// GoogleAnalytics sends an event to a Universal Analytics property.
type GoogleAnalytics struct {
	plugin.ActionRunner
	resource                       string
	category, action, label, value dotpath.Value
}

var gaSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "google").
		Description("The google_id resource: the property's tracking id.")).
	Field(plugin.NewValueField("category").Name("Event category").Required().BareSource("event").Component("dotPath", map[string]any{"label": "Payload field", "defaultSourceValue": "event"}).
		Description("The event's category, or a reference to it.")).
	Field(plugin.NewValueField("action").Name("Event action").Required().BareSource("event").Component("dotPath", map[string]any{"label": "Payload field", "defaultSourceValue": "event"}).
		Description("The event's action, or a reference to it.")).
	Field(plugin.NewValueField("label").Name("Event label").Default("").BareSource("event").Component("dotPath", map[string]any{"label": "Payload field", "defaultSourceValue": "event"}).
		Description("The event's label, or a reference to it.")).
	Field(plugin.NewValueField("value").Name("Event value").Default(0).BareSource("event").Component("dotPath", map[string]any{"label": "Payload field", "defaultSourceValue": "event"}).
		Description("The event's value, a whole number, or a reference to it."))

// SetUp reads the config.
func (a *GoogleAnalytics) SetUp(_ context.Context, config plugin.Config) error {
	c, err := gaSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.category, a.action, a.label, a.value = c.Value("category"), c.Value("action"), c.Value("label"), c.Value("value")
	return nil
}

func wholeNumber(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case string:
		if strings.TrimSpace(x) == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("expected a whole number, got %q", x)
		}
		v = f
	}
	f, ok := dotpath.ToFloat(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("expected a whole number, got %s", dotpath.TypeName(v))
	}
	return int64(f), nil
}

// Run sends the event.
func (a *GoogleAnalytics) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, GoogleAnalyticsType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	sc := a.Scope(payload)
	form := url.Values{"v": {"1"}, "tid": {creds.String("google_analytics_id")}, "cid": {clientID(&a.ActionRunner)}, "t": {"event"}}
	for _, f := range []struct {
		key, name string
		v         dotpath.Value
	}{{"ec", "category", a.category}, {"ea", "action", a.action}, {"el", "label", a.label}} {
		x, err := f.v.Resolve(sc)
		if err != nil {
			return errorPort(&a.ActionRunner, fmt.Errorf("%s: %w", f.name, err))
		}
		if s := dotpath.Stringify(x); s != "" {
			form.Set(f.key, s)
		}
	}
	x, err := a.value.Resolve(sc)
	if err == nil {
		var n int64
		if n, err = wholeNumber(x); err == nil {
			form.Set("ev", strconv.FormatInt(n, 10))
		}
	}
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("value: %w", err))
	}
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: strings.TrimRight(creds.String("base_url"), "/") + "/collect",
		Header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(form.Encode()), Timeout: 15 * time.Second})
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	out := plugin.Payload{"status": res.Status, "content": res.Content()}
	if res.Status >= 200 && res.Status <= 203 {
		return plugin.Port("response", out), nil
	}
	e := outbound.StatusError(res)
	out["message"], out["body"] = e.Message, e.Body
	return plugin.Port("error", out), nil
}

// RegisterGoogleAnalytics describes the Universal Analytics plugin.
func RegisterGoogleAnalytics() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &GoogleAnalytics{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.google.analytics", Aliases: []string{tracardi + "connectors.google.analytics.plugin", tracardi + "connectors.google.analytics.registry"},
			ClassName: "GoogleAnalyticsEventTrackerAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: gaSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Google Analytics", Desc: "Sends an event to a Google Universal Analytics property.", Brand: "Google",
			Type: "flowNode", Icon: "google", Group: []string{"Google"},
			Tags: []string{"google", "analytics", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type google_id (the UA-... tracking id). Sends a Measurement Protocol v1 " +
					"event hit with the profile id as client id. Google stopped processing Universal Analytics data in " +
					"2024; use Google Analytics 4 for new flows.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the fields can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"content\"}: the collector's answer."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when the hit could not be sent."},
				},
			},
		},
	}
}

// GoogleAnalytics4 sends an event to a GA4 data stream.
type GoogleAnalytics4 struct {
	plugin.ActionRunner
	resource  string
	name      dotpath.Value
	params    *dotpath.Object // a JSON object, its values references or literals
	paramsRef dotpath.Value   // or a reference to an object
}

var ga4Spec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "google").
		Description("The google_v4_id resource: the measurement id and API secret.")).
	Field(plugin.NewValueField("name").Name("Event name").Required().Component("dotPath", map[string]any{"label": "Event name", "defaultSourceValue": "event"}).
		Description("The GA4 event's name, e.g. purchase, or a reference to it.")).
	Field(plugin.NewStringField("params").Name("Event parameters").Default("{}").Component("json", map[string]any{"label": "Parameters"}).
		Description("The event's parameters: a JSON object whose values may be references (\"event@properties.value\"), or a reference to an object."))

// SetUp reads the config and compiles the parameters.
func (a *GoogleAnalytics4) SetUp(_ context.Context, config plugin.Config) error {
	c, err := ga4Spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.name = plugin.ResourceID(c.Object("source")), c.Value("name")
	src := strings.TrimSpace(c.String("params"))
	if src == "" {
		src = "{}"
	}
	var v any
	if json.Unmarshal([]byte(src), &v) == nil {
		if _, ok := v.(map[string]any); !ok {
			return plugin.FieldErrors{{Field: "params", Message: "expected a JSON object of parameters, got " + dotpath.TypeName(v)}}
		}
		if a.params, err = dotpath.CompileObject(v, true); err != nil {
			return plugin.FieldErrors{{Field: "params", Message: err.Error()}}
		}
		return nil
	}
	val, err := dotpath.CompileValue(src)
	if err != nil || !val.IsRef() {
		return plugin.FieldErrors{{Field: "params", Message: "expected a JSON object, e.g. {\"value\": \"event@properties.value\"}, or a reference to one"}}
	}
	a.paramsRef = val
	return nil
}

// Run sends the event.
func (a *GoogleAnalytics4) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, GoogleAnalytics4Type)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	sc := a.Scope(payload)
	n, err := a.name.Resolve(sc)
	name := dotpath.Stringify(n)
	if err == nil && name == "" {
		err = fmt.Errorf("%s is empty", a.name)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("name: %w", err))
	}
	var params any
	if a.params != nil {
		params, err = a.params.Apply(sc)
	} else {
		params, err = a.paramsRef.Resolve(sc)
		if _, ok := params.(map[string]any); err == nil && !ok {
			err = fmt.Errorf("%s is %s, not an object of parameters", a.paramsRef, dotpath.TypeName(params))
		}
	}
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("params: %w", err))
	}
	secret := creds.String("api_key")
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: ga4URL(creds, "/mp/collect"), Timeout: 15 * time.Second,
		JSON: map[string]any{"client_id": clientID(&a.ActionRunner), "events": []any{map[string]any{"name": name, "params": params}}}})
	if err == nil && (res.Status < 200 || res.Status > 204) {
		err = outbound.StatusError(res)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, err, secret)
	}
	return plugin.Port("response", plugin.Payload{"status": res.Status, "content": res.Content()}), nil
}

// RegisterGoogleAnalytics4 describes the GA4 plugin.
func RegisterGoogleAnalytics4() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &GoogleAnalytics4{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.google.analytics_v4", Aliases: []string{tracardi + "connectors.google.analytics_v4.plugin", tracardi + "connectors.google.analytics_v4.registry"},
			ClassName: "GoogleAnalyticsV4EventTrackerAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: ga4Spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Google Analytics 4", Desc: "Sends an event to a Google Analytics 4 data stream.", Brand: "Google",
			Type: "flowNode", Icon: "google", Group: []string{"Google"},
			Tags: []string{"google", "analytics", "ga4", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type google_v4_id (measurement id and API secret). Sends the event through " +
					"the Measurement Protocol with the profile id as client id. Differences from Tracardi: parameter " +
					"values may be references, and the parameters may be a reference to an object.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the name and parameters can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"content\"}: the collector's answer (204 and no content when accepted)."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when the event could not be sent."},
				},
			},
		},
	}
}
