package saas

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	mixpanelFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("Project token").Default("").Description("The project's token, which Register event sends.")).
			Field(plugin.NewStringField("server_prefix").Name("Data residency").Default("US").
				Check(func(v any) error {
				if p := strings.ToUpper(strings.TrimSpace(v.(string))); p != "US" && p != "EU" {
					return fmt.Errorf("must be US or EU")
				}
				return nil
			}).
			Description("Where the project's data lives: US or EU.")).
		Field(plugin.NewStringField("username").Name("Service account user").Default("").Description("A service account's user name, which Fetch funnel needs.")).
		Field(plugin.NewStringField("password").Name("Service account secret").Default("").Description("The service account's secret.")).
		Field(plugin.NewStringField("base_url").Name("API base URL").Default("").
			Description("Empty for Mixpanel's own hosts (api.mixpanel.com and mixpanel.com, or their EU twins); set it only to reach a stand-in.")).
		Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).Description("Seconds to wait for an answer."))
	// MixpanelType is a Mixpanel project.
	MixpanelType = plugin.ResourceType{Type: "mixpanel", Name: "Mixpanel", Tags: []string{"mixpanel"},
		Description: "A Mixpanel project: its token, data residency, and a service account for queries.", Fields: mixpanelFields}

	mixpanelEU = func(c *plugin.ParsedConfig) bool { return strings.EqualFold(c.String("server_prefix"), "EU") }
	// mixpanelIngest is the ingestion API; the token travels in the event.
	mixpanelIngest = &service{name: "Mixpanel", baseURL: "base_url", secrets: []string{"token"},
		baseOf: func(c *plugin.ParsedConfig) (string, error) {
			if mixpanelEU(c) {
				return "https://api-eu.mixpanel.com", nil
			}
			return "https://api.mixpanel.com", nil
		},
		refused: func(res *outbound.Response) error {
			// verbose=1 answers {"status": 1} or {"status": 0, "error": ...}.
			if m, _ := res.Content().(map[string]any); m != nil && dotpath.Stringify(m["status"]) != "1" {
				return &outbound.Error{Message: fmt.Sprintf("refused: %v", m["error"]), Status: res.Status, Body: string(res.Body)}
			}
			return nil
		}}
	// mixpanelQuery is the query API, with the service account.
	mixpanelQuery = &service{name: "Mixpanel", baseURL: "base_url", auth: basic("username", "password"), secrets: []string{"password"},
		baseOf: func(c *plugin.ParsedConfig) (string, error) {
			if mixpanelEU(c) {
				return "https://eu.mixpanel.com", nil
			}
			return "https://mixpanel.com", nil
		}}
)

func init() {
	mixpanelIngest.typ, mixpanelQuery.typ = MixpanelType, MixpanelType
	plugin.RegisterResourceType(MixpanelType)
}

func mixpanelSource() *plugin.FieldSpec {
	return plugin.NewResourceField("source", "mixpanel").Name("MixPanel resource").Description("The mixpanel resource.")
}

// MixpanelSend sends the event to Mixpanel.
type MixpanelSend struct {
	base
	mapping *dotpath.Object
}

var mixpanelSendSpec = plugin.NewConfigSpec().Field(mixpanelSource()).
	Field(plugin.NewAnyField("mapping").Name("Additional fields mapping").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Property"}).
		Description("More event properties: the name as the key, a value or reference as the value, e.g. {\"$city\": \"profile@data.devices.last.geo.city\"}."))

// SetUp reads the config.
func (a *MixpanelSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mixpanelSendSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.mapping, err = compileMapping("mapping", c.Any("mapping"))
	return err
}

// Run sends the event (POST /track, data= the event, verbose=1) and passes
// the payload on.
func (a *MixpanelSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.mapping.Apply(a.Scope(payload))
	if err != nil {
		return a.fail(fmt.Errorf("mapping: %w", err))
	}
	c, err := a.Credentials(ctx, a.resource, MixpanelType)
	if err != nil {
		return a.fail(err)
	}
	props := map[string]any{}
	for k, x := range v.(map[string]any) {
		props[k] = x
	}
	props["token"], props["distinct_id"], props["$insert_id"] = c.String("token"), a.Profile.ID(), a.Event.ID()
	if t, err := time.Parse(time.RFC3339Nano, dotpath.Stringify(lookup(a.Event, "metadata", "time", "insert"))); err == nil {
		props["time"] = t.UnixMilli()
	}
	data, err := json.Marshal(map[string]any{"event": a.Event.Type(), "properties": props})
	if err != nil {
		return a.fail(fmt.Errorf("mapping: %w", err))
	}
	if _, err := mixpanelIngest.do(ctx, c, call{method: "POST", path: "/track", form: url.Values{"data": {string(data)}, "verbose": {"1"}}}); err != nil {
		return a.fail(fmt.Errorf("Mixpanel: %w", err), c.String("token"))
	}
	return plugin.Port("success", payload), nil
}

// MixpanelFunnel reads a funnel's figures for the profile.
type MixpanelFunnel struct {
	base
	project, funnel string
	from, to        dotpath.Value
}

var mixpanelFunnelSpec = plugin.NewConfigSpec().Field(mixpanelSource()).
	Field(plugin.NewStringField("project_id").Name("Project ID").Required().Pattern(`^\d+$`, "must be a number").Description("The Mixpanel project's id.")).
	Field(plugin.NewStringField("funnel_id").Name("Funnel ID").Required().Pattern(`^\d+$`, "must be a number").Description("The funnel's id.")).
	Field(plugin.NewValueField("from_date").Name("Lower time bound").Required().Component("dotPath", map[string]any{"label": "From"}).
		Description("The first day, YYYY-MM-DD, a date-time or a Unix time, or a reference to one.")).
	Field(plugin.NewValueField("to_date").Name("Upper time bound").Default(nil).Component("dotPath", map[string]any{"label": "To"}).
		Description("The last day, in the same forms; empty for today."))

// SetUp reads the config.
func (a *MixpanelFunnel) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mixpanelFunnelSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.project, a.funnel = plugin.ResourceID(c.Object("source")), c.String("project_id"), c.String("funnel_id")
	a.from, a.to = c.Value("from_date"), c.Value("to_date")
	return nil
}

// day turns a date value into YYYY-MM-DD.
func day(v any) (string, error) {
	if n, ok := v.(float64); ok {
		return time.Unix(int64(n), 0).UTC().Format(time.DateOnly), nil
	}
	s := strings.TrimSpace(dotpath.Stringify(v))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 8 {
		return time.Unix(n, 0).UTC().Format(time.DateOnly), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.DateOnly), nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return s, nil
}

// Run reads the funnel (GET /api/2.0/funnels) for the profile's distinct id.
func (a *MixpanelFunnel) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	f, err := a.from.Resolve(sc)
	if err != nil {
		return a.fail(fmt.Errorf("from_date: %w", err))
	}
	from, err := day(f)
	if err != nil {
		return a.fail(fmt.Errorf("from_date: %w", err))
	}
	to := time.Now().UTC().Format(time.DateOnly)
	if t, err := a.to.Resolve(sc); err == nil && !dotpath.IsEmpty(t) {
		if to, err = day(t); err != nil {
			return a.fail(fmt.Errorf("to_date: %w", err))
		}
	}
	q := url.Values{"project_id": {a.project}, "funnel_id": {a.funnel}, "from_date": {from}, "to_date": {to},
		"where": {fmt.Sprintf(`properties["$distinct_id"]==%q`, a.Profile.ID())}}
	res, fail := a.send(ctx, mixpanelQuery, call{method: "GET", path: "/api/2.0/funnels", query: q})
	if fail != nil {
		return fail, nil
	}
	out := content(res)
	if dates, _ := lookup(out, "meta", "dates").([]any); len(dates) > 31 {
		return a.failf("the funnel spans %d days: more than 31, too much to pass on; narrow the dates", len(dates))
	}
	return plugin.Port("success", out), nil
}

func mixpanelMeta(m meta) plugin.Plugin {
	m.module = "mixpanel." + m.module
	m.brand, m.group, m.icon, m.resource = "MixPanel", "Mixpanel", "mixpanel", "mixpanel"
	m.tags = []string{"analytics", "mixpanel"}
	m.outputs = []string{"success", "error"}
	return register(m)
}

// RegisterMixpanelSend describes Mixpanel's Register event.
func RegisterMixpanelSend() plugin.Plugin {
	return mixpanelMeta(meta{module: "send", class: "MixPanelSender", name: "Register event",
		desc: "Sends the event to a Mixpanel project.", spec: mixpanelSendSpec,
		new: func() plugin.Action { return &MixpanelSend{} },
		tutorial: "The event's type is the Mixpanel event, the profile its distinct id, the event's id its insert id (so a repeated " +
			"send is not counted twice). Differences from Tracardi: the event goes in the form body, not the URL, and the error port " +
			"carries {\"message\", \"status\", \"body\"} rather than the payload.",
		ports: map[string]string{"success": "The input payload, when Mixpanel took the event."}})
}

// RegisterMixpanelFunnel describes Mixpanel's Fetch funnel.
func RegisterMixpanelFunnel() plugin.Plugin {
	return mixpanelMeta(meta{module: "fetch_funnel", class: "MixPanelFunnelFetcher", name: "Fetch funnel",
		desc: "Reads a Mixpanel funnel's figures for the current profile.", spec: mixpanelFunnelSpec,
		new:      func() plugin.Action { return &MixpanelFunnel{} },
		tutorial: "Needs the resource's service account. At most 31 days are passed on; a longer span goes to the error port.",
		ports:    map[string]string{"success": "Mixpanel's answer, {\"meta\": {\"dates\"}, \"data\": {day: {\"steps\", \"analysis\"}}}."}})
}
