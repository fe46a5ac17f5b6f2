package inbox_test

import (
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// scheduleFlow schedules a "reminder" event 5 seconds on (Tracardi's
// Schedule event, with its own module name and config format), and answers
// what was scheduled, or why not.
var scheduleFlow = testenv.FlowJSON("later", []testenv.Node{
	{ID: "start", Module: testenv.Start},
	{ID: "schedule", Module: "tracardi.process_engine.action.v1.pro.scheduler.plugin", Init: map[string]any{
		"resource": map[string]any{"id": "", "name": ""}, "source": map[string]any{"id": "@current-source", "name": "@current-source"},
		"event_type": "reminder", "properties": `{"cart": "event@properties.cart", "who": "profile@id"}`, "postpone": "5"}},
	{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "scheduled", "body": `{"at": "payload@response.time", "id": "payload@response.id"}`}},
	{ID: "failed", Module: testenv.AddResponse, Init: map[string]any{"key": "failed", "body": `{"error": "payload@error"}`}},
}, "start.payload>schedule", "schedule.response>answer", "schedule.error>failed")

// The scheduled event is collected after its delay, for the same profile
// and session, through the same source, with the properties read when it
// was scheduled; its rules run then.
func testScheduleEvent(t *testing.T, e *testenv.Env) {
	e.Setup("shop", scheduleFlow, "cart")
	e.Setup("shop", testenv.CounterFlow("count-reminders", "stats.counters.reminders", "reminders"), "reminder")
	start := time.Now()
	r := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "shop"}, "profile": map[string]any{"id": "buyer"},
		"session": map[string]any{"id": "visit-1"}, "events": []any{map[string]any{"type": "cart", "properties": map[string]any{"cart": "c-7"}}}}).MustOK(t)
	id, _ := r.At("response.scheduled.id").(string)
	if id == "" {
		t.Fatalf("no scheduled event id in the answer: %s", r.Raw)
	}
	var ev map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if g := e.Admin("GET", "/event/"+id, nil); g.Status == 200 {
			ev = g.Obj()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduled event was not collected")
		}
	}
	if took := time.Since(start); took < 5*time.Second {
		t.Fatalf("the event was collected after %v, before its 5 s delay", took)
	}
	if testenv.At(ev, "type") != "reminder" || testenv.At(ev, "profile.id") != "buyer" || testenv.At(ev, "session.id") != "visit-1" ||
		testenv.At(ev, "source.id") != "shop" || testenv.At(ev, "properties.cart") != "c-7" || testenv.At(ev, "properties.who") != "buyer" {
		t.Fatalf("scheduled event %v", ev)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p := e.Admin("GET", "/profile/buyer", nil).MustOK(t)
		if p.At("stats.counters.reminders") == 1.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reminder's rule did not run: %s", p.Raw)
		}
	}
}

func TestScheduleEvent(t *testing.T) {
	testScheduleEvent(t, testenv.New(t, testenv.Options{Background: true}))
}

func TestScheduleEventPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	testScheduleEvent(t, testenv.New(t, testenv.Options{DSN: dsn, Background: true}))
}
