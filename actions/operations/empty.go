package operations

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// newSession gives the run a new empty session and points the event at it.
func newSession(r *plugin.ActionRunner, profileID string, now time.Time) plugin.Session {
	s := plugin.NewSession(newUUID4(), profileID, now)
	md := s["metadata"].(map[string]any)
	tm := md["time"].(map[string]any)
	s["operation"] = map[string]any{"new": true, "update": true}
	r.Session = s
	if r.Event != nil {
		r.Event["session"] = map[string]any{"id": s.ID(), "start": tm["insert"], "duration": 0.0}
	}
	r.UpdateSession()
	return s
}

// AddEmptySession gives the event a new, empty session.
type AddEmptySession struct{ plugin.ActionRunner }

// Run creates the session.
func (a *AddEmptySession) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	pid := ""
	if a.Profile != nil {
		pid = a.Profile.ID()
	}
	newSession(&a.ActionRunner, pid, time.Now())
	return plugin.Port("payload", payload), nil
}

// RegisterAddEmptySession describes the Create empty session plugin.
func RegisterAddEmptySession() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &AddEmptySession{} }, module: "add_empty_session", alias: "internal.add_empty_session.plugin",
		class: "AddEmptySessionAction", outputs: []string{"payload"},
		name: "Create empty session", desc: "Gives the event a new, empty session with a random id.", icon: "session",
		tags: []string{"new", "add", "create", "session"},
		manual: "The new session belongs to the event's profile (none for a profile-less event), the event's " +
			"session becomes it, later nodes see it as session@, and it is saved when the flow ends.",
		input: "Any object.",
		ports: plugin.Ports{"payload": "The input payload, unchanged."},
	})
}

var emptyProfileSpec = plugin.NewConfigSpec().
	Field(plugin.NewEnumField("session",
		plugin.Option{Value: "always", Label: "Always create a new session"},
		plugin.Option{Value: "if-not-exists", Label: "Create a session if the event has none"},
		plugin.Option{Value: "never", Label: "Never create a session"}).Name("New session").
		Description("Whether the new profile also gets a new session.").Default("always"))

// AddEmptyProfile gives the event a new, empty profile.
type AddEmptyProfile struct {
	plugin.ActionRunner
	session string
}

// SetUp reads the session option.
func (a *AddEmptyProfile) SetUp(_ context.Context, config plugin.Config) error {
	c, err := emptyProfileSpec.Parse(config)
	if err != nil {
		return err
	}
	a.session = c.String("session")
	return nil
}

// Run creates the profile (and the session).
func (a *AddEmptyProfile) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	now := time.Now()
	p := plugin.NewProfile(newUUID4(), now)
	md := p["metadata"].(map[string]any)
	visit := md["time"].(map[string]any)["visit"].(map[string]any)
	visit["count"], visit["current"] = 1.0, md["time"].(map[string]any)["insert"]
	p["operation"].(map[string]any)["update"] = true
	a.Profile = p
	if a.Event != nil {
		a.Event["profile"] = map[string]any{"id": p.ID()}
		if emd, ok := a.Event["metadata"].(map[string]any); ok {
			emd["profile_less"] = false
		}
	}
	a.UpdateProfile()
	switch {
	case a.session == "never":
	case a.session == "if-not-exists" && a.Session != nil:
	default:
		if a.Session != nil {
			a.Console.Warning("Old session %s was replaced by new session; replacing a session the event already has is rarely wanted.", a.Session.ID())
		}
		newSession(&a.ActionRunner, p.ID(), now)
	}
	return plugin.Port("payload", payload), nil
}

// RegisterAddEmptyProfile describes the Create empty profile plugin.
func RegisterAddEmptyProfile() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &AddEmptyProfile{} }, module: "add_empty_profile", alias: "internal.add_empty_profile.plugin",
		class: "AddEmptyProfileAction", outputs: []string{"payload"}, config: emptyProfileSpec,
		name: "Create empty profile", desc: "Gives the event a new, empty profile with a random id.", icon: "profile",
		tags: []string{"new", "add", "create", "profile"},
		manual: "The event (even a profile-less one) now belongs to the new profile, which later nodes see as " +
			"profile@ and which is saved when the flow ends; its visit count is 1. Depending on the session " +
			"option it also gets a new session (replacing one the event had logs a warning).",
		input: "Any object.",
		ports: plugin.Ports{"payload": "The input payload, unchanged."},
	})
}
