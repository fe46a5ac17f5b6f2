package operations_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// profileData opens a real SQLite store with three profiles: two share a
// business e-mail.
func profileData(t *testing.T) plugin.Data {
	t.Helper()
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	contact := func(main, business string) map[string]any {
		return map[string]any{"contact": map[string]any{"email": map[string]any{"main": main, "business": business}}}
	}
	cs := &store.ChangeSet{Profiles: []store.Doc{
		{"id": "b", "ids": []any{"b-alias"}, "data": contact("ann@example.com", "team@example.com"), "operation": map[string]any{"new": false}},
		{"id": "c", "data": contact("bob@example.com", "team@example.com")},
		{"id": "d", "data": contact("eve@example.com", "")},
	}}
	if err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return rundata.New(st)
}

func TestInjectProfileByField(t *testing.T) {
	data := profileData(t)
	p := operations.RegisterInjectProfileByField()
	cases := []struct {
		name    string
		config  plugin.Config
		want    string // profile id; "" for the error port
		message string // in the error message
		warned  bool
	}{
		{"by main e-mail, a reference", plugin.Config{"field": "data.contact.email.main", "value": "event@properties.email"}, "b", "", false},
		{"by main e-mail, a literal", plugin.Config{"field": "data.contact.email.main", "value": "bob@example.com"}, "c", "", false},
		{"by id", plugin.Config{"field": "id", "value": "d"}, "d", "", false},
		{"by alias", plugin.Config{"field": "id", "value": "b-alias"}, "b", "", false},
		{"two matches", plugin.Config{"field": "data.contact.email.business", "value": "team@example.com"}, "", "Found 2 records", true},
		{"no match", plugin.Config{"field": "data.contact.email.main", "value": "test@test.com"}, "", "Found 0 records", true},
		{"no such id", plugin.Config{"field": "id", "value": "zzz"}, "", "Could not find profile.", false},
		{"missing reference", plugin.Config{"field": "data.contact.email.main", "value": "event@properties.nothing"}, "", "Can not read the value", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			event := plugin.Event{"id": "e1", "type": "login", "properties": map[string]any{"email": "ann@example.com"},
				"profile": map[string]any{"id": "a"}, "metadata": map[string]any{"profile_less": true}}
			out := plugintest.Run(t, p, plugintest.Case{Config: c.config, Data: data, Event: event,
				Profile: plugin.Profile{"id": "a"}, Payload: plugin.Payload{}})
			if c.want == "" {
				got := out.MustPort(t, "error")
				if msg, _ := got["message"].(string); !strings.Contains(msg, c.message) {
					t.Errorf("error %v, want %q", got, c.message)
				}
				if out.State.Profile.ID() != "a" {
					t.Errorf("profile switched to %q on error", out.State.Profile.ID())
				}
				if warned := strings.Contains(out.LogText(), "warning"); warned != c.warned {
					t.Errorf("warning logged %v, want %v: %s", warned, c.warned, out.LogText())
				}
				return
			}
			got := out.MustPort(t, "profile")
			if got["id"] != c.want || out.State.Profile.ID() != c.want {
				t.Fatalf("port profile %v, run profile %q, want %s", got["id"], out.State.Profile.ID(), c.want)
			}
			if id, _ := dotpath.At(event, "profile.id").(string); id != c.want {
				t.Errorf("event profile %q, want %s", id, c.want)
			}
			if dotpath.At(event, "metadata.profile_less") != false {
				t.Error("event still profile-less")
			}
			if op, _ := out.State.Profile["operation"].(map[string]any); op["new"] != false {
				t.Errorf("operation %v: a loaded profile must not look new", op)
			}
			// The port carries a copy: later nodes changing it do not
			// change the run's profile.
			got["traits"] = "changed"
			if out.State.Profile["traits"] == "changed" {
				t.Error("the port's value is the run's profile itself")
			}
		})
	}
	// Finding the run's own profile keeps the run's copy and its changes.
	own := plugin.Profile{"id": "b", "traits": map[string]any{"unsaved": true}, "operation": map[string]any{"new": true}}
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"field": "data.contact.email.main", "value": "ann@example.com"},
		Data: data, Profile: own, Payload: plugin.Payload{}})
	if got := out.MustPort(t, "profile"); got["id"] != "b" || out.State.Profile.Traits()["unsaved"] != true {
		t.Errorf("own profile found: port %v, run profile %v: the run's changes were dropped", got["id"], out.State.Profile)
	}
	if op, _ := own["operation"].(map[string]any); op["new"] != true {
		t.Errorf("own profile's operation %v: its new flag must stay", op)
	}
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"field": "id", "value": "a"}})
	if !errors.Is(out.Err, plugin.ErrNoStorage) {
		t.Errorf("without storage: %v", out.Err)
	}
	plugintest.SetUpFails(t, p, plugin.Config{"field": "traits.name", "value": "x"}, "field")
	plugintest.SetUpFails(t, p, plugin.Config{"field": "id", "value": "  "}, "value")
}
