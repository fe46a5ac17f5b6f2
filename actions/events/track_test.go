package events_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const v1 = "tracardi.process_engine.action.v1."

// TestPreviousEventOverTrack: /track runs get the stored data: the second
// page view of a profile answers the id of the first.
func TestPreviousEventOverTrack(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			o := testenv.Options{}
			if backend == "postgres" {
				o.DSN = storetest.PostgresDSN(t)
			}
			previousEventOverTrack(t, testenv.New(t, o))
		})
	}
}

func previousEventOverTrack(t *testing.T, e *testenv.Env) {
	flow := testenv.FlowJSON("prev", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "prev", Module: v1 + "internal.get_prev_event.plugin", Init: map[string]any{"event_type": map[string]any{"id": "@current", "name": "@current"}, "offset": -1}},
		{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "prev", "body": map[string]any{"id": "payload@id"}}},
	}, "start.payload>prev", "prev.found>answer")
	src := e.Setup("web", flow, "page-view")
	track := func(pid string) map[string]any {
		b := map[string]any{"source": map[string]any{"id": src}, "events": []any{map[string]any{"type": "page-view"}}}
		if pid != "" {
			b["profile"] = map[string]any{"id": pid}
		}
		return e.Do("POST", "/track", "", b).MustOK(t).Obj()
	}
	first := track("")
	resp, _ := dotpath.At(first, "response").(map[string]any)
	if _, ok := resp["prev"]; ok {
		t.Fatalf("first event found a previous one: %v", first)
	}
	pid := first["profile"].(map[string]any)["id"].(string)
	// The page view (the visit's system events are stored beside it).
	evs := e.Admin("POST", "/event/select", map[string]any{"where": fmt.Sprintf("profile.id == %q AND type == \"page-view\"", pid)}).MustOK(t).Obj()["result"].([]any)
	if len(evs) != 1 {
		t.Fatalf("stored events: %v", evs)
	}
	firstID, _ := dotpath.At(evs, "0.id").(string)
	second := track(pid)
	prev, _ := dotpath.At(second, "response.prev").(map[string]any)
	if prev["id"] != firstID {
		t.Fatalf("second event's previous = %v, want %s; answer %v", prev, firstID, second)
	}

	// Debug runs read stored data too: Inject event, after Start as in
	// Tracardi's flows, loads the stored one.
	dbgFlow := testenv.FlowJSON("dbg", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "inject", Module: v1 + "internal.inject_event.plugin", Init: map[string]any{"event_id": firstID}},
		{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "stored", "body": map[string]any{"type": "payload@type"}}},
	}, "start.payload>inject", "inject.payload>answer")
	var f map[string]any
	if err := json.Unmarshal([]byte(dbgFlow), &f); err != nil {
		t.Fatal(err)
	}
	r := e.Admin("POST", "/flow/debug", map[string]any{"flow": f, "event": map[string]any{"type": "test"}}).MustOK(t).Obj()
	if got := dotpath.At(r, "response.stored"); got == nil || got.(map[string]any)["type"] != "page-view" {
		t.Errorf("debug run response = %v (errors %v, logs %v)", r["response"], r["errors"], r["logs"])
	}
}
