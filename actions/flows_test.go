package actions_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// These tests run the built-ins inside the engine, in flows written the way
// Tracardi exports them (Tracardi module names, init configs).

const v1 = "tracardi.process_engine.action.v1."

type node struct {
	id, module string
	init       map[string]any
}

type edge struct {
	src, port, dst, name string
}

func buildFlow(t testing.TB, nodes []node, edges []edge) *workflow.Compiled {
	t.Helper()
	reg := registry.NewRegistry()
	if rep := reg.Install(actions.Installed()); len(rep.Error) > 0 {
		t.Fatalf("install: %v", rep.Error)
	}
	f := &workflow.Flow{ID: "f1", Name: "test", FlowGraph: &workflow.Graph{}}
	for _, n := range nodes {
		r, ok := reg.Lookup(v1 + n.module)
		if !ok {
			t.Fatalf("no plugin %s", n.module)
		}
		// A node stores a full copy of the plugin record, as the editor does.
		p := r.Plugin
		p.Spec.Module = v1 + n.module
		if n.init != nil {
			p.Spec.Init = n.init
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		f.FlowGraph.Nodes = append(f.FlowGraph.Nodes, workflow.Node{ID: n.id, Data: b})
	}
	for i, e := range edges {
		we := workflow.Edge{ID: "e" + string(rune('a'+i)), Source: e.src, SourceHandle: e.port, Target: e.dst, TargetHandle: "payload"}
		if e.name != "" {
			we.Data = &workflow.EdgeData{Name: e.name}
		}
		f.FlowGraph.Edges = append(f.FlowGraph.Edges, we)
	}
	c, err := workflow.Compile(context.Background(), f, reg)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func purchaseFlow(t *testing.T) *workflow.Compiled {
	return buildFlow(t, []node{
		{"start", "flow.start.start_action", map[string]any{"event_types": []any{map[string]any{"id": "purchase", "name": "Purchase"}}}},
		{"if", "if_action", map[string]any{"condition": "event@properties.value > 100", "trigger_once": false, "pass_payload": true, "ttl": 0}},
		{"copy", "traits.copy_trait_action", map[string]any{"traits": map[string]any{"set": map[string]any{
			"profile@traits.last_big_purchase": "event@properties",
		}}}},
		{"inc", "increment_action", map[string]any{"field": "profile@stats.counters.big_purchases", "increment": 1}},
		{"log", "log_action", map[string]any{"type": "info", "message": "small purchase of {{ event@properties.value }}"}},
		{"end", "end_action", nil},
	}, []edge{
		{"start", "payload", "if", ""},
		{"if", "true", "copy", ""},
		{"copy", "payload", "inc", ""},
		{"inc", "payload", "end", ""},
		{"if", "false", "log", ""},
	})
}

func TestPurchaseFlow(t *testing.T) {
	c := purchaseFlow(t)
	profile := plugin.Profile{"id": "p1", "stats": map[string]any{"counters": map[string]any{"big_purchases": 1.0}}}
	ev := plugin.Event{"id": "e1", "type": "purchase", "properties": map[string]any{"value": 150.0}}
	out := c.Run(context.Background(), workflow.Input{Event: ev, Profile: profile})
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %v", out.Errors)
	}
	if !out.ProfileUpdated {
		t.Error("profile changed but not marked for saving")
	}
	if got := dotpath.At(out.Profile, "stats.counters.big_purchases"); got != 2.0 {
		t.Errorf("counter = %v, want 2", got)
	}
	if got := dotpath.At(out.Profile, "traits.last_big_purchase"); !reflect.DeepEqual(got, map[string]any{"value": 150.0}) {
		t.Errorf("copied = %v", got)
	}
	// The copy is not shared with the event.
	dotpath.At(ev, "properties").(map[string]any)["value"] = 1.0
	if dotpath.At(out.Profile, "traits.last_big_purchase.value") != 150.0 {
		t.Error("profile aliases the event after copy")
	}

	// A small purchase takes the false branch: a log line, no profile change.
	profile = plugin.Profile{"id": "p1"}
	out = c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e2", "type": "purchase", "properties": map[string]any{"value": 5.0}}, Profile: profile})
	if len(out.Errors) > 0 || out.ProfileUpdated {
		t.Fatalf("errors %v, profileUpdated %v", out.Errors, out.ProfileUpdated)
	}
	if len(out.Logs) != 1 || out.Logs[0].Message != "small purchase of 5" || out.Logs[0].NodeID != "log" {
		t.Errorf("logs = %+v", out.Logs)
	}

	// Another event type: the start node ends the flow silently.
	out = c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e3", "type": "page-view"}, Profile: profile, Debug: true})
	if len(out.Errors) > 0 || len(out.Logs) > 0 || out.ProfileUpdated {
		t.Fatalf("filtered event: errors %v, logs %v, updated %v", out.Errors, out.Logs, out.ProfileUpdated)
	}
	if nd := out.Debug.Nodes["if"]; nd != nil && len(nd.Calls) != 0 {
		t.Errorf("if ran %d times for a filtered event", len(nd.Calls))
	}
}

func TestProfileLessEvent(t *testing.T) {
	c := purchaseFlow(t)
	out := c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e1", "type": "purchase", "properties": map[string]any{"value": 150.0}}})
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %v", out.Errors)
	}
	if out.ProfileUpdated || out.Profile != nil {
		t.Errorf("profile %v updated %v", out.Profile, out.ProfileUpdated)
	}
	warnings := 0
	for _, l := range out.Logs {
		if l.Level == "warning" {
			warnings++
		}
	}
	if warnings != 2 {
		t.Errorf("logs = %+v, want a warning from copy and from increment", out.Logs)
	}
}

func TestJoinAndResponse(t *testing.T) {
	c := buildFlow(t, []node{
		{"start", "flow.start.start_action", nil},
		{"a", "traits.reshape_payload_action", map[string]any{"value": `{"email": "profile@data.contact.email.main"}`, "default": true}},
		{"b", "traits.reshape_payload_action", map[string]any{"value": `{"type": "event@type"}`, "default": true}},
		{"never", "if_action", map[string]any{"condition": `event@type == "nope"`}},
		{"join", "operations.join_payloads.plugin", map[string]any{"reshape": `{"email": "payload@contact.email", "type": "payload@kind.type", "never": "payload@never"}`, "default": true, "type": "dict"}},
		{"resp", "internal.add_response.plugin", map[string]any{"key": "Result", "body": `{"joined": "payload@..."}`, "default": true}},
	}, []edge{
		{"start", "payload", "a", ""},
		{"start", "payload", "b", ""},
		{"start", "payload", "never", ""},
		{"a", "payload", "join", "contact"},
		{"b", "payload", "join", "kind"},
		{"never", "true", "join", "never"},
		{"join", "payload", "resp", ""},
	})
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "a@b.c"}}}}
	out := c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e1", "type": "visit"}, Profile: profile, Debug: true})
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %v", out.Errors)
	}
	want := map[string]any{"result": map[string]any{"joined": map[string]any{"email": "a@b.c", "type": "visit", "never": nil}}}
	if !reflect.DeepEqual(out.Response, want) {
		t.Errorf("response = %v, want %v", out.Response, want)
	}
	if n := len(out.Debug.Nodes["resp"].Calls); n != 1 {
		t.Errorf("response node ran %d times after join, want 1", n)
	}
}

func TestErrorPortAndThrow(t *testing.T) {
	c := buildFlow(t, []node{
		{"start", "flow.start.start_action", nil},
		{"copy", "traits.copy_trait_action", map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.x": "event@properties.missing"}}}},
		{"log", "log_action", map[string]any{"type": "error", "message": "copy failed: {{ payload@message }}"}},
		{"throw", "raise_error_action", map[string]any{"message": "stop here"}},
		{"after", "increment_action", map[string]any{"field": "profile@stats.counters.n", "increment": 1}},
	}, []edge{
		{"start", "payload", "copy", ""},
		{"copy", "error", "log", ""},
		{"log", "payload", "throw", ""},
		{"copy", "payload", "after", ""},
	})
	profile := plugin.Profile{"id": "p1"}
	out := c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e1", "type": "t", "properties": map[string]any{}}, Profile: profile})
	if len(out.Errors) != 2 || out.Errors[0].NodeID != "copy" || out.Errors[1].NodeID != "throw" || out.Errors[1].Message != "stop here" {
		t.Fatalf("errors = %+v, want copy's (routed to its error port) then throw's", out.Errors)
	}
	if !out.Stopped {
		t.Error("throw must stop the flow")
	}
	found := false
	for _, l := range out.Logs {
		if l.NodeID == "log" && strings.Contains(l.Message, "event@properties.missing") {
			found = true
		}
	}
	if !found {
		t.Errorf("the error port did not carry the message to the log node: %+v", out.Logs)
	}
	if _, ok := profile["stats"]; ok {
		t.Error("the payload port fired although copy failed")
	}
}

func TestDiscardAndUpdate(t *testing.T) {
	c := buildFlow(t, []node{
		{"start", "flow.start.start_action", nil},
		{"inc", "increment_action", map[string]any{"field": "profile@stats.counters.n", "increment": 1}},
		{"discard", "operations.discard_profile_update_action", nil},
	}, []edge{{"start", "payload", "inc", ""}, {"inc", "payload", "discard", ""}})
	out := c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e", "type": "t"}, Profile: plugin.Profile{"id": "p"}})
	if len(out.Errors) > 0 || out.ProfileUpdated {
		t.Fatalf("errors %v, profileUpdated %v; want discarded", out.Errors, out.ProfileUpdated)
	}

	c = buildFlow(t, []node{
		{"start", "flow.start.start_action", nil},
		{"update", "operations.update_profile_action", nil},
	}, []edge{{"start", "payload", "update", ""}})
	out = c.Run(context.Background(), workflow.Input{Event: plugin.Event{"id": "e", "type": "t"}, Profile: plugin.Profile{"id": "p"}})
	if len(out.Errors) > 0 || !out.ProfileUpdated {
		t.Fatalf("errors %v, profileUpdated %v; want forced update", out.Errors, out.ProfileUpdated)
	}
}

func TestInjectOnlyInDebug(t *testing.T) {
	c := buildFlow(t, []node{
		{"inject", "inject_action", map[string]any{"value": `{"n": 41}`, "destination": "payload"}},
		{"inc", "increment_action", map[string]any{"field": "payload@n", "increment": 1}},
		{"resp", "internal.add_response.plugin", map[string]any{"key": "n", "body": `"payload@n"`}},
	}, []edge{{"inject", "payload", "inc", ""}, {"inc", "payload", "resp", ""}})
	ev := plugin.Event{"id": "e", "type": "t"}
	out := c.Run(context.Background(), workflow.Input{Event: ev})
	if len(out.Response) != 0 {
		t.Fatalf("inject ran outside debug: response %v", out.Response)
	}
	out = c.Run(context.Background(), workflow.Input{Event: ev, Debug: true})
	if len(out.Errors) > 0 || out.Response["n"] != 42.0 {
		t.Fatalf("debug run: errors %v, response %v", out.Errors, out.Response)
	}
}

// TestInjectPluginsLint checks that Tracardi flows start -> plugin -> end,
// with Tracardi's test configs, compile: Inject event has an input port,
// and Load profile by field is installed.
func TestInjectPluginsLint(t *testing.T) {
	for _, c := range []struct {
		module, port string
		init         map[string]any
	}{
		{"internal.inject_event.plugin", "payload", map[string]any{"event_id": "abc"}},
		{"internal.inject_profile_by_field.plugin", "profile", map[string]any{"field": "data.contact.email.main", "value": "test@test.com"}},
	} {
		cf := buildFlow(t, []node{
			{"start", "flow.start.start_action", nil},
			{"node", c.module, c.init},
			{"end", "end_action", nil},
		}, []edge{{"start", "payload", "node", ""}, {"node", c.port, "end", ""}})
		if got := len(cf.NodeIDs()); got != 3 {
			t.Errorf("%s: %d nodes compiled, want 3", c.module, got)
		}
		if w := cf.Warnings(); len(w) != 0 {
			t.Errorf("%s: warnings: %v", c.module, w)
		}
	}
}
