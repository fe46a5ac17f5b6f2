package schedule_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/schedule"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin"
)

func TestNormalize(t *testing.T) {
	ev := map[string]any{"source": map[string]any{"id": "web"}, "type": "tick"}
	kinds := []string{"segments.reevaluate"}
	good := []store.Doc{
		{"name": "Hourly", "cron": "0 * * * *", "event": ev},
		{"name": "Daily", "cron": "@daily", "event": ev},
		{"name": "Quarter", "every": "15m", "event": map[string]any{"source": map[string]any{"id": "web"}, "type": "tick", "profile": map[string]any{"id": "p1"}}},
		{"name": "Segments", "every": "1h", "job": "segments.reevaluate", "args": map[string]any{"segment": "vip"}},
	}
	for _, d := range good {
		out, err := schedule.Normalize(d, kinds)
		if err != nil {
			t.Errorf("%v: %v", d, err)
			continue
		}
		if out["id"] == "" || out["enabled"] != true {
			t.Errorf("normalized %v", out)
		}
	}
	bad := []struct {
		doc   store.Doc
		field string
	}{
		{store.Doc{"cron": "@hourly", "event": ev}, "name"},
		{store.Doc{"name": "x", "event": ev}, "cron"},
		{store.Doc{"name": "x", "cron": "61 * * * *", "event": ev}, "cron"},
		{store.Doc{"name": "x", "cron": "@hourly", "every": "1h", "event": ev}, "cron"},
		{store.Doc{"name": "x", "every": "10s", "event": ev}, "every"},
		{store.Doc{"name": "x", "every": "1h"}, "event"},
		{store.Doc{"name": "x", "every": "1h", "event": map[string]any{"source": map[string]any{"id": "web"}}}, "event.type"},
		{store.Doc{"name": "x", "every": "1h", "event": map[string]any{"type": "t"}}, "event.source"},
		{store.Doc{"name": "x", "every": "1h", "job": "nope"}, "job"},
		{store.Doc{"name": "x", "every": "1h", "job": "segments.reevaluate", "event": ev}, "job"},
		{store.Doc{"name": "x", "every": "1h", "job": "segments.reevaluate", "args": "x"}, "args"},
		{store.Doc{"name": "x", "every": "1h", "event": ev, "enabled": "yes"}, "enabled"},
	}
	for _, c := range bad {
		_, err := schedule.Normalize(c.doc, kinds)
		var fe plugin.FieldErrors
		if !errors.As(err, &fe) || len(fe) == 0 || fe[0].Field != c.field {
			t.Errorf("%v: error %v, want one on field %s", c.doc, err, c.field)
		}
	}
}

const countFlow = `{"id": "count", "name": "Count", "flowGraph": {
	"nodes": [
		{"id": "start", "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action"}}},
		{"id": "inc", "data": {"spec": {"module": "tracardi.process_engine.action.v1.increment_action",
			"init": {"field": "profile@stats.counters.n", "increment": 1}}}}
	],
	"edges": [{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "inc", "targetHandle": "payload"}]}}`

func counter(t *testing.T, e *testenv.Env, profile string) any {
	t.Helper()
	r := e.Admin("GET", "/profile/"+profile, nil)
	if r.Status == 404 {
		return nil
	}
	c, _ := r.MustOK(t).Obj()["stats"].(map[string]any)["counters"].(map[string]any)
	return c["n"]
}

func waitCounter(t *testing.T, e *testenv.Env, profile string, want float64) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(30 * time.Millisecond) {
		n := counter(t, e, profile)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("counter of %s is %v, want %v", profile, n, want)
		}
	}
}

func testSchedules(t *testing.T, e *testenv.Env) {
	e.Setup("clock", countFlow, "tick")
	bad := e.Admin("POST", "/schedule", map[string]any{"name": "x", "every": "5s", "event": map[string]any{"source": map[string]any{"id": "clock"}, "type": "tick"}})
	if bad.Status != 422 || !strings.Contains(string(bad.Raw), `"every"`) {
		t.Fatalf("bad schedule: %d %s", bad.Status, bad.Raw)
	}
	e.Admin("POST", "/schedule", map[string]any{"id": "hourly", "name": "Hourly", "every": "1h",
		"event": map[string]any{"source": map[string]any{"id": "clock"}, "type": "tick", "profile": map[string]any{"id": "robot"}}}).MustOK(t)
	if l := e.Admin("GET", "/schedules", nil).MustOK(t).Obj(); l["total"] != 1.0 {
		t.Fatalf("schedules %v", l)
	}
	ctx := context.Background()
	sc := e.Schedules
	now := time.Now().UTC().Truncate(time.Hour).Add(30 * time.Minute)
	// First seen: nothing fires for the past.
	if err := sc.Tick(ctx, now); err != nil {
		t.Fatal(err)
	}
	// Past the hour: one fire; ticking again at the same time adds none.
	for range 2 {
		if err := sc.Tick(ctx, now.Add(45*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	waitCounter(t, e, "robot", 1)
	// Two hours on: the two hours missed fire once each.
	if err := sc.Tick(ctx, now.Add(165*time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitCounter(t, e, "robot", 3)
	time.Sleep(300 * time.Millisecond)
	if n := counter(t, e, "robot"); n != 3.0 {
		t.Fatalf("counter %v after three due times", n)
	}
	e.Admin("DELETE", "/schedule/hourly", nil).MustOK(t)
	if err := sc.Tick(ctx, now.Add(300*time.Minute)); err != nil {
		t.Fatal(err)
	}

	// A job schedule enqueues its kind.
	e.Admin("POST", "/schedule", map[string]any{"id": "sweep", "name": "Sweep", "every": "1h", "job": "track.sweep"}).MustOK(t)
	if err := sc.Tick(ctx, now); err != nil {
		t.Fatal(err)
	}
	if err := sc.Tick(ctx, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(30 * time.Millisecond) {
		l := e.Admin("GET", "/jobs?kind=track.sweep", nil).MustOK(t).Obj()
		// The inbox's own periodic sweep shares the kind; only the
		// schedule's job carries its key.
		found := false
		jobs, _ := l["result"].([]any)
		for _, j := range jobs {
			if k, _ := j.(map[string]any)["key"].(string); strings.HasPrefix(k, "schedule:sweep@") {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job schedule enqueued nothing")
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := counter(t, e, "robot"); n != 3.0 {
		t.Fatalf("counter %v: a deleted schedule fired", n)
	}
}

// An hourly schedule fires once per due hour, catches up missed hours and
// stops when deleted; a job schedule enqueues its job kind.
func TestSchedules(t *testing.T) {
	testSchedules(t, testenv.New(t, testenv.Options{Background: true, ScheduleTick: time.Hour}))
}

func TestSchedulesPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	testSchedules(t, testenv.New(t, testenv.Options{DSN: dsn, Background: true, ScheduleTick: time.Hour}))
}

// options.scheduledAt runs a request's flows at that time.
func TestScheduledEvent(t *testing.T) {
	e := testenv.New(t, testenv.Options{Background: true})
	e.Setup("clock", countFlow, "tick")
	at := time.Now().Add(2 * time.Second).UTC()
	r := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "clock"}, "profile": map[string]any{"id": "later"},
		"options": map[string]any{"scheduledAt": at.Format(time.RFC3339Nano)}, "events": []any{map[string]any{"type": "tick"}}}).MustOK(t).Obj()
	if r["queued"] != true || r["scheduled"] == nil {
		t.Fatalf("answer %v", r)
	}
	if n := counter(t, e, "later"); n != nil {
		t.Fatalf("ran at once: %v", n)
	}
	waitCounter(t, e, "later", 1)
	if time.Now().Before(at) {
		t.Fatalf("ran before its time %v", at)
	}
	for _, v := range []any{"tomorrow", 12, time.Now().Add(400 * 24 * time.Hour).Format(time.RFC3339)} {
		r := e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": "clock"}, "options": map[string]any{"scheduledAt": v},
			"events": []any{map[string]any{"type": "tick"}}})
		if r.Status != 422 || !strings.Contains(string(r.Raw), "options.scheduledAt") {
			t.Fatalf("scheduledAt %v: %d %s", v, r.Status, r.Raw)
		}
	}
}
