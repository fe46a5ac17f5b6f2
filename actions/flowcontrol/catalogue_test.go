package flowcontrol_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/actions/flowcontrol"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestNewVisitAndProfile(t *testing.T) {
	newRec := map[string]any{"id": "x", "operation": map[string]any{"new": true}}
	oldRec := map[string]any{"id": "x", "operation": map[string]any{"new": false}}
	cases := []struct {
		name     string
		reg      func() plugin.Plugin
		profile  plugin.Profile
		session  plugin.Session
		port     string
		warnings int
	}{
		{"new visit", flowcontrol.RegisterNewVisit, nil, newRec, "true", 0},
		{"old visit", flowcontrol.RegisterNewVisit, nil, oldRec, "false", 0},
		{"no session", flowcontrol.RegisterNewVisit, nil, nil, "false", 1},
		{"new profile", flowcontrol.RegisterNewProfile, newRec, nil, "true", 0},
		{"old profile", flowcontrol.RegisterNewProfile, oldRec, nil, "false", 0},
		{"profile-less", flowcontrol.RegisterNewProfile, nil, nil, "false", 1},
	}
	for _, c := range cases {
		out := plugintest.Run(t, c.reg(), plugintest.Case{Profile: c.profile, Session: c.session, Payload: plugin.Payload{"a": 1.0}})
		if got := out.MustPort(t, c.port); got["a"] != 1.0 || len(out.Results) != 1 {
			t.Errorf("%s: results %v", c.name, out.Results)
		}
		if len(out.Logs()) != c.warnings {
			t.Errorf("%s: logs %v", c.name, out.Logs())
		}
	}
}

func TestConditionSet(t *testing.T) {
	out := plugintest.Run(t, flowcontrol.RegisterConditionSet(), plugintest.Case{
		Config: plugin.Config{"conditions": map[string]any{
			"buyer": `event@type == "purchase"`, "marketing": "profile@consents.marketing EXISTS",
			"bad-zone": `now(profile@traits.tz) > 1`,
		}},
		Event:   plugin.Event{"type": "purchase"},
		Profile: plugin.Profile{"id": "p", "consents": map[string]any{}, "traits": map[string]any{"tz": "Nowhere/City"}},
	})
	got := out.MustPort(t, "result")
	if !reflect.DeepEqual(got, plugin.Payload{"buyer": true, "marketing": false}) {
		t.Errorf("result = %v", got)
	}
	if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "error" || !strings.Contains(logs[0].Message, "Nowhere") {
		t.Errorf("logs = %v", logs)
	}
	out = plugintest.Run(t, flowcontrol.RegisterConditionSet(), plugintest.Case{Config: plugin.Config{"conditions": map[string]any{}}})
	if got := out.MustPort(t, "result"); len(got) != 0 {
		t.Errorf("empty set: %v", got)
	}
	plugintest.SetUpFails(t, flowcontrol.RegisterConditionSet(), plugin.Config{"conditions": map[string]any{"x": "event@type =="}}, "conditions.x")
	plugintest.SetUpFails(t, flowcontrol.RegisterConditionSet(), plugin.Config{"conditions": map[string]any{"x": 1}}, "conditions.x")
}

func TestAssignConditionResult(t *testing.T) {
	profile := plugin.Profile{"id": "p", "consents": map[string]any{"marketing": map[string]any{}}}
	out := plugintest.Run(t, flowcontrol.RegisterAssignConditionResult(), plugintest.Case{
		Config: plugin.Config{"conditions": map[string]any{
			"profile@traits.marketing_ok": "profile@consents.marketing EXISTS",
			"profile@traits.buyer":        `event@type == "purchase"`,
		}},
		Event: plugin.Event{"type": "page-view"}, Profile: profile, Payload: plugin.Payload{"a": 1.0},
	})
	if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
		t.Errorf("payload = %v", got)
	}
	if tr := profile.Traits(); tr["marketing_ok"] != true || tr["buyer"] != false {
		t.Errorf("traits = %v", tr)
	}
	out = plugintest.Run(t, flowcontrol.RegisterAssignConditionResult(), plugintest.Case{
		Config: plugin.Config{"conditions": map[string]any{"profile@traits.x": "event@type EXISTS"}}})
	out.MustPort(t, "payload")
	if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "warning" {
		t.Errorf("profile-less: logs %v", logs)
	}
	plugintest.SetUpFails(t, flowcontrol.RegisterAssignConditionResult(), plugin.Config{"conditions": map[string]any{"event@x": "event@type EXISTS"}}, "conditions.event@x")
	plugintest.SetUpFails(t, flowcontrol.RegisterAssignConditionResult(), plugin.Config{"conditions": map[string]any{"profile@x": "(("}}, "conditions.profile@x")
}

func TestThreshold(t *testing.T) {
	ctx := context.Background()
	p := flowcontrol.RegisterThreshold()
	a, err := plugintest.SetUp(ctx, p, plugin.Config{"assign_to_profile": true, "name": "plan", "ttl": 1800, "value": "profile@traits.plan"})
	if err != nil {
		t.Fatal(err)
	}
	profile := plugin.Profile{"id": "p", "traits": map[string]any{"plan": "free"}}
	run := func() string {
		out := plugintest.RunAction(ctx, p, a, plugintest.Case{Profile: profile, Payload: plugin.Payload{"a": 1.0}})
		if out.Err != nil || len(out.Results) != 1 || out.Results[0].Value["a"] != 1.0 {
			t.Fatalf("results %v, err %v", out.Results, out.Err)
		}
		return out.Results[0].Port
	}
	for i, want := range []string{"pass", "stop", "stop"} {
		if got := run(); got != want {
			t.Fatalf("run %d: %s, want %s", i, got, want)
		}
	}
	profile.Traits()["plan"] = "pro"
	if got := run(); got != "pass" {
		t.Fatalf("changed value: %s", got)
	}
	if got := run(); got != "stop" {
		t.Fatalf("same value again: %s", got)
	}
	// The memory is in the profile, so it is saved with it.
	th, _ := dotpath.At(profile, "aux.thresholds").(map[string]any)
	if len(th) != 1 {
		t.Errorf("thresholds = %v", th)
	}
	// Profile-less: every value passes, with a warning.
	out := plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"assign_to_profile": true, "name": "test", "ttl": 1800, "value": "1"}})
	out.MustPort(t, "pass")
	if len(out.Logs()) != 1 {
		t.Errorf("logs = %v", out.Logs())
	}
	plugintest.SetUpFails(t, p, plugin.Config{"name": "x", "value": "1", "ttl": -5}, "ttl")
	plugintest.SetUpFails(t, p, plugin.Config{"name": "x", "value": ""}, "value")
}

// TestGolden runs the flows of testdata/<plugin>/ through the engine and
// compares with want.json (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
