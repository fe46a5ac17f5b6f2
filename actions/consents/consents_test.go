package consents_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/consents"
	ic "github.com/tracflow/tracflow/internal/consents"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// storeData opens a real SQLite store with two consent types.
func storeData(t *testing.T) plugin.Data {
	t.Helper()
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, d := range []store.Doc{
		{"name": "Marketing", "revokable": true, "auto_revoke": "30d"},
		{"name": "Terms"},
	} {
		n, err := ic.Normalize(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutConfig(context.Background(), ic.Kind, n["id"].(string), n); err != nil {
			t.Fatal(err)
		}
	}
	return rundata.New(st)
}

func ev(props map[string]any) plugin.Event {
	return plugin.Event{"id": "e1", "type": "consent", "properties": props,
		"metadata": map[string]any{"profile_less": false, "time": map[string]any{"insert": "2025-03-01T10:00:00Z"}}}
}

func TestAddConsent(t *testing.T) {
	data := storeData(t)
	p := plugin.Profile{"id": "p1", "consents": map[string]any{"terms": map[string]any{"revoke": nil}}}
	out := plugintest.Run(t, consents.RegisterAddConsent(), plugintest.Case{Config: plugin.Config{"consents": "event@properties.consents"},
		Profile: p, Event: ev(map[string]any{"consents": map[string]any{"marketing": true, "unknown": true, "terms": false, "odd": "yes"}}),
		Payload: plugin.Payload{"a": 1.0}, Data: data})
	if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
		t.Errorf("payload %v", got)
	}
	c := p["consents"].(map[string]any)
	m := c["marketing"].(map[string]any)
	if m["revoke"] != "2025-03-31T10:00:00.000000Z" || m["granted"] != "2025-03-01T10:00:00.000000Z" {
		t.Errorf("marketing = %v: want revoke 30 days after the event", m)
	}
	if tm := c["terms"].(map[string]any); tm["revoked"] != "2025-03-01T10:00:00.000000Z" || tm["revoke"] != "2025-03-01T10:00:00.000000Z" {
		t.Errorf("terms refused = %v: want revoked, dated by the event", tm)
	}
	if _, ok := c["unknown"]; ok {
		t.Error("a consent of no type was added")
	}
	if !strings.Contains(out.LogText(), `no consent type "unknown"`) || !strings.Contains(out.LogText(), `"odd"`) {
		t.Errorf("console %q", out.LogText())
	}

	// A bare path reads the event; a value that is not an object fails the run.
	p = plugin.Profile{"id": "p1"}
	out = plugintest.Run(t, consents.RegisterAddConsent(), plugintest.Case{Config: plugin.Config{"consents": "properties"}, Profile: p,
		Event: ev(map[string]any{"terms": true}), Data: data})
	if out.Err != nil || fmt.Sprint(p["consents"]) != "map[terms:map[granted:2025-03-01T10:00:00.000000Z revoke:<nil>]]" {
		t.Errorf("bare path: %v %v", p["consents"], out.Err)
	}
	out = plugintest.Run(t, consents.RegisterAddConsent(), plugintest.Case{Config: plugin.Config{"consents": "aa"}, Profile: p, Event: ev(nil), Data: data})
	if out.Err == nil {
		t.Error("Tracardi's test config (a missing field) did not fail the run")
	}
	out = plugintest.Run(t, consents.RegisterAddConsent(), plugintest.Case{Config: plugin.Config{"consents": "properties.x"}, Profile: p, Event: ev(map[string]any{"x": "text"}), Data: data})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "expected an object") {
		t.Errorf("text consents: %v", out.Err)
	}
	out = plugintest.Run(t, consents.RegisterAddConsent(), plugintest.Case{Config: plugin.Config{"consents": "properties"}, Profile: p, Event: ev(map[string]any{"terms": true})})
	if out.Err == nil {
		t.Error("no storage: the run did not fail")
	}
}

func TestRequireConsents(t *testing.T) {
	data := storeData(t)
	held := map[string]any{
		"marketing": map[string]any{"revoke": "2025-03-31T10:00:00Z"},
		"terms":     map[string]any{"revoke": "2025-02-01T00:00:00Z"}, // revoked before the event
	}
	cases := []struct {
		name   string
		config plugin.Config
		port   string
	}{
		{"one in force, any", plugin.Config{"consent_ids": []any{map[string]any{"id": "terms", "name": "Terms"}, map[string]any{"id": "marketing", "name": "Marketing"}}, "require_all": false}, "true"},
		{"one revoked, all", plugin.Config{"consent_ids": []any{"terms", "marketing"}, "require_all": true}, "false"},
		{"the one in force, all", plugin.Config{"consent_ids": []any{"marketing"}, "require_all": true}, "true"},
		{"only the revoked one, any", plugin.Config{"consent_ids": []any{"terms"}}, "false"},
		{"Tracardi's test config: none, any", plugin.Config{"consent_ids": []any{}, "require_all": false}, "false"},
		{"none, all", plugin.Config{"consent_ids": []any{}, "require_all": true}, "true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plugin.Profile{"id": "p1", "consents": held}
			out := plugintest.Run(t, consents.RegisterRequireConsents(), plugintest.Case{Config: c.config, Profile: p, Event: ev(nil), Payload: plugin.Payload{"a": 1.0}, Data: data})
			if got := out.MustPort(t, c.port); got["a"] != 1.0 {
				t.Errorf("payload %v", got)
			}
			if len(p["consents"].(map[string]any)) != 2 {
				t.Error("the profile's consents were changed")
			}
		})
	}
	out := plugintest.Run(t, consents.RegisterRequireConsents(), plugintest.Case{Config: plugin.Config{"consent_ids": []any{"nope"}}, Profile: plugin.Profile{"id": "p1"}, Event: ev(nil), Data: data})
	if out.Err == nil || !strings.Contains(out.Err.Error(), `no consent type "nope"`) {
		t.Errorf("unknown consent type: %v", out.Err)
	}
	less := ev(nil)
	less["metadata"].(map[string]any)["profile_less"] = true
	out = plugintest.Run(t, consents.RegisterRequireConsents(), plugintest.Case{Config: plugin.Config{"consent_ids": []any{"terms"}}, Event: less, Data: data})
	out.MustPort(t, "false")
}
