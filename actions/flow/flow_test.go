package flow_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestStart(t *testing.T) {
	cases := []struct {
		name   string
		config plugin.Config
		event  string
		fires  bool
	}{
		{"default config accepts every event", nil, "page-view", true},
		{"empty list accepts every event", plugin.Config{"event_types": []any{}}, "page-view", true},
		{"null list accepts every event", plugin.Config{"event_types": nil}, "page-view", true},
		{"object listed", plugin.Config{"event_types": []any{map[string]any{"id": "purchase", "name": "Purchase"}}}, "purchase", true},
		{"object not listed", plugin.Config{"event_types": []any{map[string]any{"id": "purchase", "name": "Purchase"}}}, "page-view", false},
		{"plain string listed", plugin.Config{"event_types": []any{"a", "purchase"}}, "purchase", true},
		{"plain string not listed", plugin.Config{"event_types": []any{"a", "b"}}, "purchase", false},
		{"object without id uses name", plugin.Config{"event_types": []any{map[string]any{"name": "purchase"}}}, "purchase", true},
		{"blank entries are ignored", plugin.Config{"event_types": []any{"", " "}}, "anything", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, flow.RegisterStart(), plugintest.Case{
				Config: c.config,
				Event:  plugin.Event{"id": "e1", "type": c.event},
			})
			if out.Err != nil {
				t.Fatal(out.Err)
			}
			if !c.fires {
				if len(out.Results) != 0 {
					t.Fatalf("expected no result, got %v", out.Results)
				}
				return
			}
			got := out.MustPort(t, "payload")
			if len(got) != 0 {
				t.Errorf("start payload = %v, want {}", got)
			}
		})
	}
}

func TestStartProfileLess(t *testing.T) {
	out := plugintest.Run(t, flow.RegisterStart(), plugintest.Case{Profile: nil, Session: nil})
	out.MustPort(t, "payload")
}

func TestStartConfigErrors(t *testing.T) {
	cases := []struct {
		config plugin.Config
		field  string
	}{
		{plugin.Config{"event_types": 3}, "event_types"},
		{plugin.Config{"event_types": []any{1}}, "event_types.0"},
		{plugin.Config{"event_types": []any{"a", true}}, "event_types.1"},
	}
	for _, c := range cases {
		plugintest.SetUpFails(t, flow.RegisterStart(), c.config, c.field)
	}
}

func TestEnd(t *testing.T) {
	out := plugintest.Run(t, flow.RegisterEnd(), plugintest.Case{Payload: plugin.Payload{"a": 1}})
	if out.Err != nil || len(out.Results) != 0 {
		t.Fatalf("end returned %v, %v; want nothing", out.Results, out.Err)
	}
}
