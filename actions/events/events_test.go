package events_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/actions/events"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func at(min int) string {
	return time.Date(2026, 1, 1, 10, min, 0, 0, time.UTC).Format(time.RFC3339)
}

func ev(id, typ, profile string, min int) store.Doc {
	e := store.Doc{"id": id, "type": typ, "metadata": map[string]any{"time": map[string]any{"insert": at(min)}, "profile_less": profile == ""}}
	if profile != "" {
		e["profile"] = map[string]any{"id": profile}
	}
	return e
}

// storeData opens a real SQLite store with a profile's history.
func storeData(t *testing.T) plugin.Data {
	t.Helper()
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := &store.ChangeSet{
		Events: []store.Doc{
			ev("pv-1", "page-view", "p1", 1), ev("buy-1", "purchase", "p1", 2), ev("pv-2", "page-view", "p1", 3),
			ev("pv-other", "page-view", "p2", 4), ev("anon-1", "page-view", "", 5), ev("anon-2", "page-view", "", 6),
		},
		Sessions: []store.Doc{
			{"id": "s1", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(1)}}},
			{"id": "s2", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(5)}}},
			{"id": "s3", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(9)}}},
		},
	}
	if err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return rundata.New(st)
}

func TestInjectEvent(t *testing.T) {
	data := storeData(t)
	out := plugintest.Run(t, events.RegisterInjectEvent(), plugintest.Case{Config: plugin.Config{"event_id": "buy-1"}, Data: data})
	if got := out.MustPort(t, "payload"); got["type"] != "purchase" {
		t.Errorf("payload = %v", got)
	}
	out = plugintest.Run(t, events.RegisterInjectEvent(), plugintest.Case{Config: plugin.Config{"event_id": "abc"}, Data: data})
	if len(out.Results) != 0 || out.Err != nil || len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
		t.Errorf("missing event: results %v, err %v, logs %v", out.Results, out.Err, out.Logs())
	}
	out = plugintest.Run(t, events.RegisterInjectEvent(), plugintest.Case{Config: plugin.Config{"event_id": "abc"}})
	if !errors.Is(out.Err, plugin.ErrNoStorage) {
		t.Errorf("without storage: %v", out.Err)
	}
	plugintest.SetUpFails(t, events.RegisterInjectEvent(), plugin.Config{"event_id": "  "}, "event_id")
}

func TestPreviousEvent(t *testing.T) {
	data := storeData(t)
	current := plugin.Event{"id": "pv-3", "type": "page-view"}
	p1 := plugin.Profile{"id": "p1"}
	cases := []struct {
		name    string
		config  plugin.Config
		event   plugin.Event
		profile plugin.Profile
		want    string // id found; "" for not_found
	}{
		{"previous of the current type", plugin.Config{"event_type": map[string]any{"id": "@current", "name": "@current"}, "offset": -1}, current, p1, "pv-2"},
		{"two back", plugin.Config{"event_type": map[string]any{"id": "@current"}, "offset": -2}, current, p1, "pv-1"},
		{"current", plugin.Config{"event_type": map[string]any{"id": "@current"}, "offset": 0}, current, p1, "pv-3"},
		{"too far back", plugin.Config{"event_type": map[string]any{"id": "@current"}, "offset": -3}, current, p1, ""},
		{"another type", plugin.Config{"event_type": map[string]any{"id": "purchase", "name": "purchase"}, "offset": -1}, current, p1, ""},
		{"another type, offset 0", plugin.Config{"event_type": "purchase", "offset": 0}, current, p1, "buy-1"},
		{"the current event stored (debug run)", plugin.Config{"event_type": map[string]any{"id": "@current"}, "offset": -1}, plugin.Event{"id": "pv-2", "type": "page-view"}, p1, "pv-1"},
		{"profile-less", plugin.Config{"event_type": map[string]any{"id": "@current"}, "offset": -1}, plugin.Event{"id": "anon-3", "type": "page-view"}, nil, "anon-2"},
		{"offset as text", plugin.Config{"event_type": map[string]any{"id": "@current"}, "offset": "-1"}, current, p1, "pv-2"},
	}
	for _, c := range cases {
		out := plugintest.Run(t, events.RegisterPreviousEvent(), plugintest.Case{Config: c.config, Event: c.event, Profile: c.profile, Data: data, Payload: plugin.Payload{"in": 1.0}})
		if c.want == "" {
			if got := out.MustPort(t, "not_found"); got["in"] != 1.0 {
				t.Errorf("%s: not_found carried %v", c.name, got)
			}
			continue
		}
		if got := out.MustPort(t, "found"); got["id"] != c.want {
			t.Errorf("%s: found %v, want %s", c.name, got["id"], c.want)
		}
	}
	out := plugintest.Run(t, events.RegisterPreviousEvent(), plugintest.Case{Event: current, Profile: p1})
	if !errors.Is(out.Err, plugin.ErrNoStorage) {
		t.Errorf("without storage: %v", out.Err)
	}
	p := events.RegisterPreviousEvent()
	plugintest.SetUpFails(t, p, plugin.Config{"event_type": map[string]any{"id": ""}, "offset": -1}, "event_type")
	plugintest.SetUpFails(t, p, plugin.Config{"event_type": "x", "offset": -11}, "offset")
	plugintest.SetUpFails(t, p, plugin.Config{"event_type": "x", "offset": 1}, "offset")
	plugintest.SetUpFails(t, p, plugin.Config{"event_type": 5, "offset": -1}, "event_type")
}

func TestPreviousSession(t *testing.T) {
	data := storeData(t)
	p1 := plugin.Profile{"id": "p1"}
	current := plugin.Session{"id": "s-now"}
	cases := []struct {
		name    string
		offset  any
		session plugin.Session
		want    string
	}{
		{"last", -1, current, "s3"},
		{"second last", -2, current, "s2"},
		{"third last", -3, current, "s1"},
		{"too far", -4, current, ""},
		{"current", 0, current, "s-now"},
		{"current session already stored", -1, plugin.Session{"id": "s3"}, "s2"},
	}
	for _, c := range cases {
		out := plugintest.Run(t, events.RegisterPreviousSession(), plugintest.Case{Config: plugin.Config{"offset": c.offset}, Profile: p1, Session: c.session, Data: data})
		if c.want == "" {
			out.MustPort(t, "not_found")
			continue
		}
		if got := out.MustPort(t, "found"); got["id"] != c.want {
			t.Errorf("%s: found %v, want %s", c.name, got["id"], c.want)
		}
	}
	out := plugintest.Run(t, events.RegisterPreviousSession(), plugintest.Case{Config: plugin.Config{"offset": -1}, Data: data, Payload: plugin.Payload{"in": 1.0}})
	if got := out.MustPort(t, "not_found"); got["in"] != 1.0 || len(out.Logs()) != 1 {
		t.Errorf("profile-less: %v, logs %v", got, out.Logs())
	}
	out = plugintest.Run(t, events.RegisterPreviousSession(), plugintest.Case{Config: plugin.Config{"offset": -1}, Profile: p1})
	if !errors.Is(out.Err, plugin.ErrNoStorage) {
		t.Errorf("without storage: %v", out.Err)
	}
	plugintest.SetUpFails(t, events.RegisterPreviousSession(), plugin.Config{"offset": 3}, "offset")
}

// TestGolden runs the flows of testdata/<plugin>/ through the engine on a
// real SQLite store and compares with want.json (-update rewrites it).
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed(), plugintest.GoldenOptions{Data: storeData(t)})
}

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}
