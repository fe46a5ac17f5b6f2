package saas

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var (
	amplitudeFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_key").Name("API key").Required().Description("The Amplitude project's API key.")).
			Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).Description("Seconds to wait for an answer."))
	// AmplitudeType is an Amplitude project's API key.
	AmplitudeType = plugin.ResourceType{Type: "amplitude", Name: "Amplitude", Tags: []string{"amplitude"},
		Description: "An Amplitude project's API key.", Fields: amplitudeFields}

	// amplitude's address is the node's url field (Tracardi's config);
	// the key travels in the body.
	amplitude = &service{name: "Amplitude", secrets: []string{"api_key"}}
)

func init() {
	amplitude.typ = AmplitudeType
	plugin.RegisterResourceType(AmplitudeType)
}

// amplitudeOptional are the event fields read from references when set,
// in Amplitude's names.
var amplitudeOptional = []string{"groups", "location_lat", "location_lng", "revenueType", "productId", "revenue", "quantity", "price",
	"language", "dma", "city", "region", "country", "carrier", "device_model", "device_manufacturer", "device_brand", "os_version", "os_name"}

// AmplitudeSend registers the event with Amplitude.
type AmplitudeSend struct {
	base
	url     string
	timeout time.Duration
	refs    map[string]dotpath.Value
}

var amplitudeSpec = func() *plugin.ConfigSpec {
	s := plugin.NewConfigSpec().
		Field(plugin.NewResourceField("source", "amplitude").Name("Amplitude resource").Description("The amplitude resource: the project's API key.")).
		Field(plugin.NewStringField("url").Name("API URL").Default("https://api2.amplitude.com/2/httpapi").
			Description("Amplitude's HTTP V2 API address (https://api.eu.amplitude.com/2/httpapi for EU data residency).")).
		Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).Description("Seconds to wait for Amplitude."))
	ref := func(id, desc string) {
		s.Field(plugin.NewValueField(id).Name(id).Default(nil).Description(desc))
	}
	ref("event_type", "A reference to the event type to send; empty for the event's type.")
	ref("event_properties", "A reference to an object of event properties; empty for the event's properties.")
	ref("user_properties", "A reference to an object of user properties; empty for the profile's data.pii.")
	ref("ip", "The IP address, or a reference to it; the event's request IP wins when it has one.")
	ref("platform", "A reference to the platform; empty for the session's device platform.")
	for _, id := range amplitudeOptional {
		ref(id, "A reference to Amplitude's "+id+" field; empty to leave it out.")
	}
	return s
}()

// SetUp reads the config.
func (a *AmplitudeSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := amplitudeSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.url, a.timeout = plugin.ResourceID(c.Object("source")), c.String("url"), c.Duration("timeout")
	a.refs = map[string]dotpath.Value{}
	for _, id := range append([]string{"event_type", "event_properties", "user_properties", "ip", "platform"}, amplitudeOptional...) {
		a.refs[id] = c.Value(id)
	}
	return nil
}

// ref reads a reference field: nil when it is not a reference or finds
// nothing. Literal values count only where allowed (the IP).
func (a *AmplitudeSend) ref(sc *dotpath.Scope, id string, literal bool) any {
	v := a.refs[id]
	if !v.IsRef() && !literal {
		return nil
	}
	x, err := v.Resolve(sc)
	if err != nil {
		return nil
	}
	return x
}

// Run sends the event (POST {url} with {"api_key", "events": [event]}).
func (a *AmplitudeSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	ev := map[string]any{"user_id": a.Profile.ID(), "session_id": sessionStart(a.Session)}
	if a.Profile == nil {
		ev["user_id"] = nil
	}
	if !a.Debug {
		ev["insert_id"] = a.Event.ID()
	}
	ev["event_type"] = a.Event.Type()
	if t, ok := a.ref(sc, "event_type", false).(string); ok && t != "" {
		ev["event_type"] = t
	}
	ev["event_properties"] = a.Event.Properties()
	if m, ok := a.ref(sc, "event_properties", false).(map[string]any); ok {
		ev["event_properties"] = m
	}
	ev["user_properties"], _ = dotpath.DeepCopy(lookup(a.Profile, "data", "pii")).(map[string]any)
	if m, ok := a.ref(sc, "user_properties", false).(map[string]any); ok {
		ev["user_properties"] = m
	}
	ev["ip"] = lookup(a.Event, "request", "ip")
	if ev["ip"] == nil {
		ev["ip"] = a.ref(sc, "ip", true)
	}
	ev["platform"] = lookup(a.Session, "context", "browser", "local", "device", "platform")
	if p := a.ref(sc, "platform", false); p != nil {
		ev["platform"] = p
	}
	for _, id := range amplitudeOptional {
		ev[id] = a.ref(sc, id, false)
	}
	for k, v := range ev {
		if v == nil {
			delete(ev, k)
		}
	}
	c, err := a.Credentials(ctx, a.resource, AmplitudeType)
	if err != nil {
		return a.fail(err)
	}
	res, err := amplitude.do(ctx, c, call{method: "POST", url: a.url, timeout: a.timeout,
		json: map[string]any{"api_key": c.String("api_key"), "events": []any{ev}}})
	if err != nil {
		return a.fail(err, c.String("api_key"))
	}
	return plugin.Port("response", plugin.Payload{"status": res.Status, "content": res.Content()}), nil
}

// sessionStart is a session's start in milliseconds since the epoch, as
// Amplitude's session_id is; -1 when unknown.
func sessionStart(s plugin.Session) int64 {
	if t, err := time.Parse(time.RFC3339Nano, dotpath.Stringify(lookup(s, "metadata", "time", "insert"))); err == nil {
		return t.UnixMilli()
	}
	return -1
}

// lookup reads a nested value of a map, nil when a step is missing.
func lookup(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}

// RegisterAmplitudeSend describes Amplitude's Register event.
func RegisterAmplitudeSend() plugin.Plugin {
	return register(meta{module: "amplitude.send_events", class: "AmplitudeSendEvent", name: "Register event",
		desc: "Sends the event to Amplitude's HTTP API.", brand: "Amplitude", group: "Amplitude", icon: "amplitude", resource: "amplitude",
		tags: []string{"analytics", "amplitude"}, spec: amplitudeSpec,
		new: func() plugin.Action { return &AmplitudeSend{} },
		tutorial: "The user is the profile, the session the session's start time, the insert id the event's id (none in debug runs, " +
			"so tests are not deduplicated away). Every other field is a reference; empty ones are left out. " +
			"Differences from Tracardi: session_id is in milliseconds, as Amplitude documents, and empty fields are not sent as null.",
		ports: map[string]string{"response": "{\"status\", \"content\": Amplitude's answer, e.g. {\"code\": 200, \"events_ingested\": 1}}."}})
}
