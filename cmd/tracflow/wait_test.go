package main

import (
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
)

// setupWaitFlow deploys a flow that counts "before", sleeps two seconds
// (a durable wait) and counts "after", for "cart" events of source "shop".
func setupWaitFlow(t *testing.T, base, token string) {
	t.Helper()
	if code, r := call(t, "POST", base+"/event-source", token, map[string]any{"id": "shop", "name": "Shop", "enabled": true}); code != 200 {
		t.Fatalf("source: %d %v", code, r)
	}
	mod := func(m string) map[string]any {
		return map[string]any{"module": "tracardi.process_engine.action.v1." + m}
	}
	inc := func(field string) map[string]any {
		s := mod("increment_action")
		s["init"] = map[string]any{"field": "profile@stats.counters." + field, "increment": 1}
		return s
	}
	sleep := mod("time.sleep_action")
	sleep["init"] = map[string]any{"wait": 2}
	flow := map[string]any{"id": "reminder", "name": "Reminder", "flowGraph": map[string]any{
		"nodes": []any{
			map[string]any{"id": "start", "data": map[string]any{"spec": mod("flow.start.start_action")}},
			map[string]any{"id": "before", "data": map[string]any{"spec": inc("before")}},
			map[string]any{"id": "sleep", "data": map[string]any{"spec": sleep}},
			map[string]any{"id": "after", "data": map[string]any{"spec": inc("after")}},
		},
		"edges": []any{
			map[string]any{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "before", "targetHandle": "payload"},
			map[string]any{"id": "e2", "source": "before", "sourceHandle": "payload", "target": "sleep", "targetHandle": "payload"},
			map[string]any{"id": "e3", "source": "sleep", "sourceHandle": "payload", "target": "after", "targetHandle": "payload"},
		},
	}}
	if code, r := call(t, "POST", base+"/flow/production", token, flow); code != 200 {
		t.Fatalf("flow: %d %v", code, r)
	}
	if code, r := call(t, "POST", base+"/rule", token, map[string]any{"name": "remind", "event_type": map[string]any{"id": "cart"},
		"source": map[string]any{"id": "shop"}, "flow": map[string]any{"id": "reminder"}}); code != 200 {
		t.Fatalf("rule: %d %v", code, r)
	}
}

func cart(t *testing.T, base, profile string) {
	t.Helper()
	code, r := call(t, "POST", base+"/track", "", map[string]any{"source": map[string]any{"id": "shop"},
		"profile": map[string]any{"id": profile}, "events": []any{map[string]any{"type": "cart"}}})
	if code != 200 || len(r["errors"].([]any)) > 0 {
		t.Fatalf("track: %d %v", code, r)
	}
}

// waitAfter waits until the profile's "after" counter is set, and checks
// both counters are 1.
func waitAfter(t *testing.T, base, token, profile string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, p := call(t, "GET", base+"/profile/"+profile, token, nil)
		c, _ := p["stats"].(map[string]any)["counters"].(map[string]any)
		if c["after"] != nil {
			if c["before"] != 1.0 || c["after"] != 1.0 {
				t.Fatalf("counters %v: want the flow run once, before and after its wait", c)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the waiting flow did not go on: %v", p)
		}
	}
}

// TestKill9WaitingFlowGoesOn: a flow waits two seconds; the server is
// killed with SIGKILL during the wait; started again, it runs the rest of
// the flow.
func TestKill9WaitingFlowGoesOn(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test in -short mode")
	}
	data := t.TempDir()
	s := startServer(t, "--data", data, "--no-demo")
	setupWaitFlow(t, s.url, s.token())
	cart(t, s.url, "waiter")
	s.kill()
	s2 := startServer(t, "--data", data, "--no-demo")
	waitAfter(t, s2.url, s2.token(), "waiter")
}

// TestKill9WaitingFlowGoesOnElsewhere: two servers on one PostgreSQL
// database; the one that started the flow is killed during the wait, and
// the other runs the rest of it.
func TestKill9WaitingFlowGoesOnElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test in -short mode")
	}
	dsn := storetest.PostgresDSN(t)
	t.Setenv("TRACFLOW_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	a := startServer(t, "--db", dsn, "--no-demo")
	tok := a.token()
	setupWaitFlow(t, a.url, tok)
	b := startServer(t, "--db", dsn, "--no-demo")
	cart(t, a.url, "waiter")
	a.kill()
	waitAfter(t, b.url, tok, "waiter")
}
