package flowwait_test

import (
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// waitFlow counts "before" at once, waits 2 seconds (Sleep), then counts
// "after".
const waitFlow = `{"id": "reminder", "name": "Reminder", "flowGraph": {
	"nodes": [
		{"id": "start", "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action"}}},
		{"id": "before", "data": {"spec": {"module": "tracardi.process_engine.action.v1.increment_action",
			"init": {"field": "profile@stats.counters.before", "increment": 1}}}},
		{"id": "sleep", "data": {"spec": {"module": "tracardi.process_engine.action.v1.time.sleep_action", "init": {"wait": 2}}}},
		{"id": "after", "data": {"spec": {"module": "tracardi.process_engine.action.v1.increment_action",
			"init": {"field": "profile@stats.counters.after", "increment": 1}}}}
	],
	"edges": [
		{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "before", "targetHandle": "payload"},
		{"id": "e2", "source": "before", "sourceHandle": "payload", "target": "sleep", "targetHandle": "payload"},
		{"id": "e3", "source": "sleep", "sourceHandle": "payload", "target": "after", "targetHandle": "payload"}
	]}}`

// bumpFlow counts "other" at once.
const bumpFlow = `{"id": "bump", "name": "Bump", "flowGraph": {
	"nodes": [
		{"id": "start", "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action"}}},
		{"id": "inc", "data": {"spec": {"module": "tracardi.process_engine.action.v1.increment_action",
			"init": {"field": "profile@stats.counters.other", "increment": 1}}}}
	],
	"edges": [{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "inc", "targetHandle": "payload"}]}}`

func counters(t *testing.T, e *testenv.Env, profile string) map[string]any {
	t.Helper()
	p := e.Admin("GET", "/profile/"+profile, nil).MustOK(t).Obj()
	c, _ := p["stats"].(map[string]any)["counters"].(map[string]any)
	return c
}

func testResume(t *testing.T, e *testenv.Env) {
	e.Setup("web", waitFlow, "cart")
	e.Setup("other", bumpFlow, "visit")
	start := time.Now()
	r := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "web"}, "profile": map[string]any{"id": "shopper"},
		"events": []any{map[string]any{"type": "cart"}}}).MustOK(t).Obj()
	if errs, _ := r["errors"].([]any); len(errs) > 0 {
		t.Fatalf("errors %v", errs)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("/track took %v: a 2 s wait must not hold the request", took)
	}
	c := counters(t, e, "shopper")
	if c["before"] != 1.0 || c["after"] != nil {
		t.Fatalf("counters right after /track: %v", c)
	}
	// The profile changes while the flow waits: the rest of the flow must
	// see (and keep) the change.
	e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "other"}, "profile": map[string]any{"id": "shopper"},
		"events": []any{map[string]any{"type": "visit"}}}).MustOK(t)

	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c = counters(t, e, "shopper")
		if c["after"] != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the flow did not go on after its wait: %v", c)
		}
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Fatalf("the flow went on after %v, before its 2 s wait", took)
	}
	if c = counters(t, e, "shopper"); c["before"] != 1.0 || c["after"] != 1.0 || c["other"] != 1.0 {
		t.Fatalf("counters after the resume: %v (other: counted while the flow waited, and kept)", c)
	}
}

// A flow with a 2-second Sleep answers /track at once and goes on 2
// seconds later in a job, on the profile as it is then.
func TestWaitingFlowGoesOn(t *testing.T) {
	testResume(t, testenv.New(t, testenv.Options{Background: true}))
}

func TestWaitingFlowGoesOnPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	testResume(t, testenv.New(t, testenv.Options{DSN: dsn, Background: true}))
}
