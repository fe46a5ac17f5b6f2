package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

func TestDebugRunsATestEventAndSavesNothing(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	flow := flowDoc(t, testenv.CounterFlow("debugged", "stats.counters.n", "n"))
	r := e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{
		"type": "purchase", "properties": map[string]any{"sku": "A1"},
		"profile": map[string]any{"traits": map[string]any{"name": "Test"}, "stats": map[string]any{"counters": map[string]any{"n": 41}}},
	}}).MustOK(t)
	out := r.Obj()
	for _, k := range []string{"logs", "debugInfo", "ux", "response", "profile", "errors"} {
		if _, ok := out[k]; !ok {
			t.Errorf("answer has no %q: %s", k, r.Raw)
		}
	}
	if v := obj(out, "response", "n")["value"]; v != 42.0 {
		t.Errorf("response: %v", out["response"])
	}
	prof := obj(out, "profile")
	if obj(prof, "traits")["name"] != "Test" || obj(prof, "stats", "counters")["n"] != 42.0 {
		t.Errorf("profile: %v", prof)
	}
	nodes := obj(out, "debugInfo", "nodes")
	for _, n := range []string{"start", "inc", "answer"} {
		if nodes[n] == nil {
			t.Errorf("debugInfo has no node %s: %v", n, nodes)
		}
	}
	if len(obj(out, "debugInfo", "edges")) != 2 {
		t.Errorf("debugInfo edges: %v", obj(out, "debugInfo", "edges"))
	}
	if errs := out["errors"].([]any); len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}
	if ev := obj(out, "event"); ev["type"] != "purchase" || obj(ev, "properties")["sku"] != "A1" || obj(ev, "metadata")["debug"] != true {
		t.Errorf("event: %v", ev)
	}
	// Nothing was stored: no profile, no flow.
	pid := prof["id"].(string)
	if _, err := e.Store.Profile(context.Background(), pid); err == nil {
		t.Error("the debug run stored its profile")
	}
	wantError(t, e.Admin("GET", "/flow/metadata/debugged", nil), http.StatusNotFound, "")
}

func TestDebugAStoredEvent(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Setup("web", testenv.CounterFlow("count", "stats.counters.n", "n"), "page-view")
	r := e.Do("POST", "/track", "", trackBody("web", "", "", "page-view")).MustOK(t)
	pid := obj(r.Body, "profile")["id"].(string)
	evs := e.Admin("GET", "/profile/"+pid+"/events", nil).MustOK(t).Obj()["result"].([]any)
	evID := testenv.At(evs, "0.id").(string)

	flow := flowDoc(t, testenv.CounterFlow("count", "stats.counters.n", "n"))
	out := e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event_id": evID}).MustOK(t).Obj()
	if obj(out, "profile")["id"] != pid || obj(out, "profile", "stats", "counters")["n"] != 2.0 {
		t.Errorf("debug of a stored event: profile %v", out["profile"])
	}
	if obj(out, "event")["id"] != evID {
		t.Errorf("event: %v", out["event"])
	}
	// Tracardi's way: the flow as the body, the event id in the query.
	out = e.Admin("POST", "/flow/debug?event_id="+evID, flow).MustOK(t).Obj()
	if obj(out, "profile", "stats", "counters")["n"] != 2.0 {
		t.Errorf("Tracardi-style debug: %v", out["profile"])
	}
	// The stored profile did not change.
	p := e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
	if obj(p, "stats", "counters")["n"] != 1.0 {
		t.Errorf("stored profile changed by a debug run: %v", p["stats"])
	}
	// A test event for a stored profile, named by its id alone.
	out = e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "x", "profile": map[string]any{"id": pid}}}).MustOK(t).Obj()
	if obj(out, "profile", "stats", "counters")["n"] != 2.0 {
		t.Errorf("test event with a stored profile: %v", out["profile"])
	}
	wantError(t, e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event_id": "no-such-event"}), http.StatusNotFound, "")
}

func TestDebugReportsFailuresAndBadInput(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	failing := flowDoc(t, testenv.FlowJSON("fails", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "boom", Module: testenv.RaiseErr, Init: map[string]any{"message": "stop here"}},
	}, "start.payload>boom"))
	out := e.Admin("POST", "/flow/debug", map[string]any{"flow": failing, "event": map[string]any{"type": "x"}}).MustOK(t).Obj()
	errs, _ := out["errors"].([]any)
	if len(errs) != 1 || testenv.At(errs, "0.nodeId") != "boom" || !strings.Contains(testenv.At(errs, "0.message").(string), "stop here") {
		t.Errorf("errors: %v", out["errors"])
	}

	unknown := flowDoc(t, testenv.FlowJSON("bad", []testenv.Node{{ID: "start", Module: testenv.Start}, {ID: "x", Module: "no.such.plugin"}}, "start.payload>x"))
	r := e.Admin("POST", "/flow/debug", map[string]any{"flow": unknown, "event": map[string]any{"type": "x"}})
	wantError(t, r, http.StatusUnprocessableEntity, "data.spec.module")
	if e0 := r.Obj()["errors"].([]any)[0].(map[string]any); e0["nodeId"] != "x" {
		t.Errorf("compile error does not name the node: %s", r.Raw)
	}

	flow := flowDoc(t, testenv.CounterFlow("f", "stats.counters.n", "n"))
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no flow", map[string]any{"event": map[string]any{"type": "x"}}, "flow"},
		{"flow not an object", map[string]any{"flow": "f", "event": map[string]any{"type": "x"}}, "flow"},
		{"flow graph wrong", map[string]any{"flow": map[string]any{"flowGraph": map[string]any{"nodes": "none"}}, "event": map[string]any{"type": "x"}}, ""},
		{"no event", map[string]any{"flow": flow}, "event"},
		{"event without type", map[string]any{"flow": flow, "event": map[string]any{"properties": map[string]any{}}}, "event.type"},
		{"properties not an object", map[string]any{"flow": flow, "event": map[string]any{"type": "x", "properties": []any{}}}, "event.properties"},
		{"profile not an object", map[string]any{"flow": flow, "event": map[string]any{"type": "x", "profile": "p"}}, "event.profile"},
		{"event and event_id", map[string]any{"flow": flow, "event": map[string]any{"type": "x"}, "event_id": "e"}, "event"},
		{"event_id not a string", map[string]any{"flow": flow, "event_id": 5}, "event_id"},
		{"Tracardi style without event_id", flow, "event_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Admin("POST", "/flow/debug", c.body)
			if c.field == "" {
				if r.Status != http.StatusUnprocessableEntity {
					t.Errorf("status %d: %s", r.Status, r.Raw)
				}
				return
			}
			wantError(t, r, http.StatusUnprocessableEntity, c.field)
		})
	}
	wantError(t, e.Admin("POST", "/flow/debug", "{"), http.StatusBadRequest, "")
}
