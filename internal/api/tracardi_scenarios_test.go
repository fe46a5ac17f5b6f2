package api_test

import (
	"encoding/json"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// These scenarios replay, through /track, what Tracardi's own end-to-end API
// tests do: the same flows (built as Tracardi's flow builder stores them:
// nodes with null init take the plugin's defaults), the same events, the
// same checks on the stored profile.

const (
	tracardiIncreaseViews  = "tracardi.process_engine.action.v1.increase_views_action"
	tracardiIncreaseVisits = "tracardi.process_engine.action.v1.increase_visits_action"
	tracardiUpdateProfile  = "tracardi.process_engine.action.v1.operations.update_profile_action"
	tracardiAppendTrait    = "tracardi.process_engine.action.v1.traits.append_trait_action"
	tracardiEnd            = "tracardi.process_engine.action.v1.end_action"
)

// deploy adds a flow and a rule for eventType on an existing source.
func deploy(e *testenv.Env, source, flowJSON, eventType string) {
	e.T.Helper()
	var flow map[string]any
	if err := json.Unmarshal([]byte(flowJSON), &flow); err != nil {
		e.T.Fatal(err)
	}
	e.Admin("POST", "/flow/production", flow).MustOK(e.T)
	e.Admin("POST", "/rule", map[string]any{"id": "rule-" + flow["id"].(string), "name": "Rule " + flow["id"].(string),
		"event_type": map[string]any{"id": eventType}, "source": map[string]any{"id": source},
		"flow": map[string]any{"id": flow["id"]}, "enabled": true}).MustOK(e.T)
}

func storedProfile(t *testing.T, e *testenv.Env, r *testenv.Response) map[string]any {
	t.Helper()
	pid := r.Obj()["profile"].(map[string]any)["id"].(string)
	return e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
}

// Tracardi's test_end_to_end: start → increase views → update profile.
func TestTracardiScenarioEndToEnd(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("e2e", testenv.FlowJSON("end2end", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "views", Module: tracardiIncreaseViews},
		{ID: "update", Module: tracardiUpdateProfile},
	}, "start.payload>views", "views.payload>update"), "my-event")
	r := e.Do("POST", "/track", "", map[string]any{
		"source": map[string]any{"id": src}, "session": map[string]any{"id": "s-e2e"},
		"events": []any{map[string]any{"type": "my-event", "options": map[string]any{"save": true}}}, "options": map[string]any{},
	}).MustOK(t)
	p := storedProfile(t, e, r)
	if v := p["stats"].(map[string]any)["views"]; v != 1.0 {
		t.Fatalf("stats.views = %v, want 1", v)
	}
}

// Tracardi's test_multiple_events_in_tracker: thirty events in one request,
// each through start → increase views → end.
func TestTracardiScenarioMultipleEvents(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("multi", testenv.FlowJSON("quick", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "views", Module: tracardiIncreaseViews},
		{ID: "end", Module: tracardiEnd},
	}, "start.payload>views", "views.payload>end"), "my-event")
	var events []any
	for range 30 {
		events = append(events, map[string]any{"type": "my-event"})
	}
	r := e.Do("POST", "/track", "", map[string]any{
		"source": map[string]any{"id": src}, "session": map[string]any{"id": "s-multi"},
		"profile": map[string]any{"id": "p-multi"}, "events": events, "options": map[string]any{},
	}).MustOK(t)
	p := storedProfile(t, e, r)
	if v := p["stats"].(map[string]any)["views"]; v != 30.0 {
		t.Fatalf("stats.views = %v, want 30", v)
	}
}

// Tracardi's test_overriding_profile_traits: two rules on one event type run
// two flows that copy, append and count on the same profile; neither
// flow's changes may be lost to the other's.
func TestTracardiScenarioOverridingTraits(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	copyFrom := func(prop string) map[string]any {
		return map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.a": "event@properties." + prop}}}
	}
	appendFrom := func(prop string) map[string]any {
		return map[string]any{"append": map[string]any{"profile@traits.b": "event@properties." + prop}}
	}
	src := e.Setup("override", testenv.FlowJSON("override-1", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "copy", Module: testenv.CopyData, Init: copyFrom("a")},
		{ID: "append", Module: tracardiAppendTrait, Init: appendFrom("a")},
		{ID: "views", Module: tracardiIncreaseViews},
		{ID: "end", Module: tracardiEnd},
	}, "start.payload>views", "start.payload>copy", "copy.payload>end", "start.payload>append", "append.payload>end", "views.payload>end"), "my-event")
	deploy(e, src, testenv.FlowJSON("override-2", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "copy", Module: testenv.CopyData, Init: copyFrom("b")},
		{ID: "append", Module: tracardiAppendTrait, Init: appendFrom("b")},
		{ID: "views", Module: tracardiIncreaseViews},
		{ID: "visits", Module: tracardiIncreaseVisits},
		{ID: "end", Module: tracardiEnd},
	}, "start.payload>views", "start.payload>visits", "start.payload>copy", "start.payload>append",
		"append.payload>end", "copy.payload>end", "views.payload>end", "visits.payload>end"), "my-event")

	r := e.Do("POST", "/track", "", map[string]any{
		"source": map[string]any{"id": src}, "session": map[string]any{"id": "s-override"},
		"profile": map[string]any{"id": "p-override"},
		"events": []any{map[string]any{"type": "my-event", "properties": map[string]any{"a": 1, "b": 2},
			"options": map[string]any{"save": true}}},
		"options": map[string]any{},
	}).MustOK(t)
	p := storedProfile(t, e, r)
	stats := p["stats"].(map[string]any)
	if stats["visits"] != 1.0 || stats["views"] != 2.0 {
		t.Fatalf("stats = %v, want 1 visit (the plugin's only) and 2 views", stats)
	}
	traits := p["traits"].(map[string]any)
	if a := traits["a"]; a != 1.0 && a != 2.0 {
		t.Errorf("traits.a = %v, want 1 or 2", a)
	}
	b, ok := traits["b"].([]any)
	if !ok || len(b) != 2 {
		t.Fatalf("traits.b = %v, want both appended values", traits["b"])
	}
	for _, v := range b {
		if v != 1.0 && v != 2.0 {
			t.Errorf("traits.b holds %v, want only 1 and 2", v)
		}
	}
}
