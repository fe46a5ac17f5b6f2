package tracking_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
)

// onEachBackend runs f on SQLite, and on PostgreSQL when TRACFLOW_TEST_PG
// is set.
func onEachBackend(t *testing.T, o testenv.Options, f func(t *testing.T, e *testenv.Env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, testenv.New(t, o)) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.PostgresEnv) == "" {
			t.Skip("TRACFLOW_TEST_PG is not set")
		}
		o := o
		o.DSN = storetest.PostgresDSN(t)
		f(t, testenv.New(t, o))
	})
}

// clock is a settable time for the tracker.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *clock) options() testenv.Options {
	return testenv.Options{Tracking: tracking.Options{Now: c.now}}
}

func track(t *testing.T, e *testenv.Env, body map[string]any) map[string]any {
	t.Helper()
	return e.Do("POST", "/track", "", body).MustOK(t).Obj()
}

func idOf(t *testing.T, answer map[string]any, key string) string {
	t.Helper()
	m, _ := answer[key].(map[string]any)
	id, _ := m["id"].(string)
	if id == "" {
		t.Fatalf("answer without %s id: %v", key, answer)
	}
	return id
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func TestRequestsWithoutSessionJoinTheOpenSession(t *testing.T) {
	c := newClock()
	onEachBackend(t, c.options(), func(t *testing.T, e *testenv.Env) {
		src := e.Setup("s1", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
		send := func(profile string) map[string]any {
			body := map[string]any{"source": map[string]any{"id": src}, "events": []any{map[string]any{"type": "page-view"}}}
			if profile != "" {
				body["profile"] = map[string]any{"id": profile}
			}
			return track(t, e, body)
		}
		first := send("")
		pid, s1 := idOf(t, first, "profile"), idOf(t, first, "session")

		c.add(10 * time.Minute)
		if s := idOf(t, send(pid), "session"); s != s1 {
			t.Fatalf("10 minutes later, a request without a session got session %s, want the open one %s", s, s1)
		}
		c.add(29 * time.Minute) // 29 minutes after the last event: still open
		if s := idOf(t, send(pid), "session"); s != s1 {
			t.Fatalf("29 minutes after the last event: session %s, want %s", s, s1)
		}
		c.add(31 * time.Minute) // past the visit timeout
		s2 := idOf(t, send(pid), "session")
		if s2 == s1 {
			t.Fatalf("31 minutes after the last event the session %s is still used", s1)
		}
		p, err := e.Store.Profile(t.Context(), pid)
		if err != nil {
			t.Fatal(err)
		}
		if v := num(testenv.At(p, "metadata.time.visit.count")); v != 2 {
			t.Errorf("visit count = %v, want 2 (one per session)", v)
		}
		if v := num(testenv.At(p, "stats.views")); v != 4 {
			t.Errorf("views = %v, want 4", v)
		}
		visit := p["metadata"].(map[string]any)["time"].(map[string]any)["visit"].(map[string]any)
		if visit["session"] != s2 {
			t.Errorf("the profile's visit.session = %v, want %s", visit["session"], s2)
		}
		if _, total, err := e.Store.ProfileSessions(t.Context(), pid, 0, 0); err != nil || total != 2 {
			t.Errorf("sessions of the profile: %d, %v; want 2", total, err)
		}

		// A session the tracker names becomes the open one.
		named := track(t, e, map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": pid},
			"session": map[string]any{"id": "browser-session"}, "events": []any{map[string]any{"type": "page-view"}}})
		if s := idOf(t, named, "session"); s != "browser-session" {
			t.Fatalf("named session: got %s", s)
		}
		c.add(time.Minute)
		if s := idOf(t, send(pid), "session"); s != "browser-session" {
			t.Errorf("after a named session, a request without one got %s, want browser-session", s)
		}

		// Without a profile id either: a new profile and a new session.
		a, b := send(""), send("")
		if idOf(t, a, "profile") == idOf(t, b, "profile") || idOf(t, a, "session") == idOf(t, b, "session") {
			t.Errorf("two anonymous requests share a profile or a session: %v %v", a, b)
		}
	})
}

// TestActivityIsRecordedSparingly checks that a steady stream of events
// without a session id does not rewrite the profile on every event: the
// last activity is kept to within a thirtieth of the visit timeout.
func TestActivityIsRecordedSparingly(t *testing.T) {
	c := newClock()
	onEachBackend(t, c.options(), func(t *testing.T, e *testenv.Env) {
		e.Admin("POST", "/event-source", map[string]any{"id": "quiet", "name": "No rules", "type": []any{"rest"}, "enabled": true}).MustOK(t)
		send := func() {
			track(t, e, map[string]any{"source": map[string]any{"id": "quiet"}, "profile": map[string]any{"id": "steady"},
				"events": []any{map[string]any{"type": "page-view"}}})
		}
		updated := func() string {
			p, err := e.Store.Profile(t.Context(), "steady")
			if err != nil {
				t.Fatal(err)
			}
			return testenv.At(p, "metadata.time.update").(string)
		}
		send()
		u0 := updated()
		for range 5 {
			c.add(10 * time.Second)
			send()
		}
		if u := updated(); u != u0 {
			t.Errorf("the profile was rewritten within the first minute (update %s, was %s)", u, u0)
		}
		c.add(20 * time.Second)
		send()
		if u := updated(); u == u0 {
			t.Errorf("after a minute the profile's activity was not recorded (update still %s)", u)
		}
	})
}

func eventBody(src, profile, eventID string, price float64) map[string]any {
	b := map[string]any{"source": map[string]any{"id": src}, "debug": true,
		"events": []any{map[string]any{"id": eventID, "type": "purchase", "properties": map[string]any{"price": price}}}}
	if profile != "" {
		b["profile"] = map[string]any{"id": profile}
	}
	return b
}

func warnings(a map[string]any) string {
	ws, _ := a["warnings"].([]any)
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprint(w))
	}
	return strings.Join(out, "\n")
}

func TestStoredEventsAreImmutableFromTrack(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("s1", testenv.CounterFlow("count", "stats.counters.purchases", "purchases"), "purchase")
		ctx := t.Context()
		first := track(t, e, eventBody(src, "alice", "order-1", 10))
		if w := warnings(first); strings.Contains(w, "order-1") {
			t.Fatalf("first event warned about its id: %s", w)
		}
		stored, err := e.Store.Event(ctx, "order-1")
		if err != nil {
			t.Fatal(err)
		}

		// The same id from the same profile: a retry, answered as such.
		retry := track(t, e, eventBody(src, "alice", "order-1", 99))
		if w := warnings(retry); !strings.Contains(w, `event "order-1" was collected before: a retry, not processed again`) {
			t.Errorf("retry answered without saying so: %v", retry)
		}
		if evs, _ := retry["events"].([]any); len(evs) != 1 || evs[0] != "order-1" {
			t.Errorf("retry's event ids: %v, want [order-1]", retry["events"])
		}
		p, err := e.Store.Profile(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if n := num(testenv.At(p, "stats.counters.purchases")); n != 1 {
			t.Errorf("purchases = %v after a retry, want 1: the retry ran through the rules", n)
		}
		if total := trackerEvents(t, e, "alice"); total != 1 {
			t.Errorf("alice has %d events after a retry, want 1", total)
		}

		// The same id from another profile: a new id, with a warning; the
		// stored event stays as it was, with its profile.
		other := track(t, e, eventBody(src, "mallory", "order-1", 0.01))
		w := warnings(other)
		if !strings.Contains(w, `event id "order-1" is already taken`) {
			t.Errorf("another profile's use of a stored id answered without a warning: %v", other)
		}
		evs, _ := other["events"].([]any)
		if len(evs) != 1 || evs[0] == "order-1" || !strings.Contains(w, fmt.Sprint(evs[0])) {
			t.Fatalf("the other profile's event ids: %v (warning %q)", evs, w)
		}
		after, err := e.Store.Event(ctx, "order-1")
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(after) != fmt.Sprint(stored) {
			t.Errorf("the stored event changed:\n was %v\n now %v", stored, after)
		}
		moved, err := e.Store.Event(ctx, fmt.Sprint(evs[0]))
		if err != nil {
			t.Fatal(err)
		}
		if pid := testenv.At(moved, "profile.id"); pid != "mallory" || num(testenv.At(moved, "properties.price")) != 0.01 {
			t.Errorf("the re-numbered event: %v", moved)
		}

		// Profile-less: a stored id of a profile's event is not a retry.
		pl := e.Do("POST", "/track?profile_less=true", "", eventBody(src, "", "order-1", 5)).MustOK(t).Obj()
		if w := warnings(pl); !strings.Contains(w, "already taken") {
			t.Errorf("profile-less use of a profile's event id: %v", pl)
		}
		// The same id twice in one request: the second is a retry.
		twice := eventBody(src, "alice", "order-2", 1)
		twice["events"] = append(twice["events"].([]any), twice["events"].([]any)[0])
		a := track(t, e, twice)
		if w := warnings(a); !strings.Contains(w, `events[1]: event id "order-2" is repeated`) {
			t.Errorf("an id repeated in one request: %v", a)
		}
		if total := trackerEvents(t, e, "alice"); total != 2 {
			t.Errorf("alice has %d events, want 2", total)
		}
	})
}

// TestIdenticalRetriesAtOnceStoreOneEvent sends the same event many times
// at once: from one profile, and without a profile (no profile lock holds
// those apart), and the same new id from many profiles.
func TestIdenticalRetriesAtOnceStoreOneEvent(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("s1", testenv.CounterFlow("count", "stats.counters.purchases", "purchases"), "purchase")
		ctx := t.Context()
		const n = 8
		at := func(path string, body func(i int) map[string]any) []map[string]any {
			out := make([]map[string]any, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out[i] = e.Do("POST", path, "", body(i)).MustOK(t).Obj()
				}()
			}
			wg.Wait()
			return out
		}
		at("/track", func(int) map[string]any { return eventBody(src, "bob", "pay-1", 10) })
		p, err := e.Store.Profile(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if c := num(testenv.At(p, "stats.counters.purchases")); c != 1 {
			t.Errorf("purchases = %v after %d identical retries at once, want 1", c, n)
		}
		if total := trackerEvents(t, e, "bob"); total != 1 {
			t.Errorf("bob has %d events after %d identical retries at once, want 1", total, n)
		}

		answers := at("/track?profile_less=true", func(int) map[string]any { return eventBody(src, "", "anon-1", 3) })
		retries := 0
		for _, a := range answers {
			if strings.Contains(warnings(a), "a retry") {
				retries++
			}
		}
		if retries != n-1 {
			t.Errorf("%d of %d identical profile-less events at once were answered as retries, want %d", retries, n, n-1)
		}
		if ev, err := e.Store.Event(ctx, "anon-1"); err != nil || ev["profile"] != nil {
			t.Errorf("profile-less event: %v %v", ev, err)
		}

		answers = at("/track", func(i int) map[string]any { return eventBody(src, fmt.Sprintf("c%d", i), "shared-1", 1) })
		kept := 0
		for i, a := range answers {
			evs, _ := a["events"].([]any)
			if len(evs) != 1 {
				t.Fatalf("answer %d: events %v", i, a["events"])
			}
			if evs[0] == "shared-1" {
				kept++
			}
			if total := trackerEvents(t, e, fmt.Sprintf("c%d", i)); total != 1 {
				t.Errorf("profile c%d has %d events, want 1", i, total)
			}
		}
		if kept != 1 {
			t.Errorf("%d profiles kept the id shared-1, want 1", kept)
		}
	})
}

// trackerEvents counts the events a tracker sent for a profile: its stored
// events less the system events (profile-created, session-opened, ...).
func trackerEvents(t *testing.T, e *testenv.Env, profileID string) int {
	t.Helper()
	evs, _, err := e.Store.ProfileEvents(context.Background(), profileID, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if !tracking.IsSystem(plugin.Event(ev)) {
			n++
		}
	}
	return n
}

// TestFlowsStoreOnlyChangedProfiles checks that a profile is stored when a
// flow changes it, and not when the flow sets what is already stored, on
// the collector's cached path (SQLite) and the uncached one (PostgreSQL).
func TestFlowsStoreOnlyChangedProfiles(t *testing.T) {
	c := newClock()
	onEachBackend(t, c.options(), func(t *testing.T, e *testenv.Env) {
		src := e.Setup("colors", testenv.FlowJSON("color", []testenv.Node{
			{ID: "start", Module: testenv.Start},
			{ID: "copy", Module: testenv.CopyData, Init: map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.color": "event@properties.color"}}}},
		}, "start.payload>copy"), "pick")
		send := func(color string) {
			track(t, e, map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": "painter"}, "session": map[string]any{"id": "easel"},
				"events": []any{map[string]any{"type": "pick", "properties": map[string]any{"color": color}}}})
		}
		stored := func() (update, color string) {
			p, err := e.Store.Profile(t.Context(), "painter")
			if err != nil {
				t.Fatal(err)
			}
			return testenv.At(p, "metadata.time.update").(string), fmt.Sprint(testenv.At(p, "traits.color"))
		}
		send("red")
		u0, col := stored()
		if col != "red" {
			t.Fatalf("the first color was not stored: %s", col)
		}
		c.add(10 * time.Second)
		send("red")
		if u, _ := stored(); u != u0 {
			t.Errorf("a flow that set the stored color rewrote the profile (update %s, was %s)", u, u0)
		}
		c.add(10 * time.Second)
		send("blue")
		if u, col := stored(); u == u0 || col != "blue" {
			t.Errorf("a changed color was not stored: update %s (was %s), color %s", u, u0, col)
		}
		c.add(10 * time.Second)
		send("red")
		if _, col := stored(); col != "red" {
			t.Errorf("the color changed back was not stored: %s", col)
		}
	})
}
