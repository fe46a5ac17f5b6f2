// Package storetest is the test suite every store.Store backend passes. A
// backend's tests call Run with a function that opens a fresh, empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... },
//			storetest.Reopen(...), storetest.Second(...))
//	}
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// OpenFunc opens a fresh, empty store for one test; the test closes it (and
// Close must tolerate being called twice).
type OpenFunc func(t *testing.T) store.Store

// Option adds tests that need more than a fresh store.
type Option func(*suite)

// Reopen gives the suite a way to open the database of a closed store again,
// to check what Close flushed.
func Reopen(f func(t *testing.T, closed store.Store) store.Store) Option {
	return func(s *suite) { s.reopen = f }
}

// Second gives the suite a way to open a second store on the database of an
// open one, as another process would; it enables the cross-process tests.
func Second(f func(t *testing.T, first store.Store) store.Store) Option {
	return func(s *suite) { s.second = f }
}

type suite struct {
	open   OpenFunc
	reopen func(t *testing.T, closed store.Store) store.Store
	second func(t *testing.T, first store.Store) store.Store
}

// Run runs the suite; each test gets its own store from open.
func Run(t *testing.T, open OpenFunc, opts ...Option) {
	s := &suite{open: open}
	for _, o := range opts {
		o(s)
	}
	tests := []struct {
		name string
		f    func(t *testing.T, st store.Store)
	}{
		{"Profile", testProfile},
		{"Aliases", testAliases},
		{"AliasConflict", testAliasConflict},
		{"Merge", testMerge},
		{"Session", testSession},
		{"Event", testEvent},
		{"EventColumns", testEventColumns},
		{"NewEventsAreNeverReplaced", testNewEvents},
		{"NewEventRace", testNewEventRace},
		{"ProfileEventsOrder", testProfileEventsOrder},
		{"ProfileSessionsOrder", testProfileSessionsOrder},
		{"DeleteProfiles", testDeleteProfiles},
		{"BadInput", testBadInput},
		{"BadInputIsAtomic", testBadInputAtomic},
		{"BadWriteFailsOnlyItself", testBadWriteInGroup},
		{"Config", testConfig},
		{"ConfigVersion", testConfigVersion},
		{"ConfigIfVersion", testConfigIfVersion},
		{"ConfigIfVersionRace", testConfigIfVersionRace},
		{"UpdateConfigKeepsBothChanges", testUpdateConfigMerges},
		{"Attempts", testAttempts},
		{"ContextCancelled", testContextCancelled},
		{"LockProfile", testLockProfile},
		{"Counter", testCounter},
		{"GroupCommit", testGroupCommit},
		{"LargeWrites", testLargeWrites},
		{"Close", testClose},
		{"Prune", testPrune},
		{"PruneProfiles", testPruneProfiles},
		{"Memory", testMemory},
	}
	tests = append(tests, queryTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := s.open(t)
			t.Cleanup(func() { st.Close() })
			tc.f(t, st)
		})
	}
	t.Run("CloseFlushes", func(t *testing.T) { s.testCloseFlushes(t) })
	t.Run("CrossProcess", func(t *testing.T) {
		if s.second == nil {
			t.Skip("this backend is used by one process at a time")
		}
		s.testCrossProcessCounter(t)
	})
	t.Run("CrossProcessConfigVersion", func(t *testing.T) {
		if s.second == nil {
			t.Skip("this backend is used by one process at a time")
		}
		s.testCrossProcessConfig(t)
	})
	t.Run("CrossProcessConfigIfVersion", func(t *testing.T) {
		if s.second == nil {
			t.Skip("this backend is used by one process at a time")
		}
		s.testCrossProcessConfigIf(t)
	})
	t.Run("CrossProcessAttempts", func(t *testing.T) {
		if s.second == nil {
			t.Skip("this backend is used by one process at a time")
		}
		s.testCrossProcessAttempts(t)
	})
}

// ctx gives each test a deadline well inside go test's.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func apply(t *testing.T, st store.Store, cs *store.ChangeSet) {
	t.Helper()
	if err := st.Apply(ctx(t), cs); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// norm is d as it reads back: through JSON.
func norm(t *testing.T, d store.Doc) store.Doc {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out store.Doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func same(t *testing.T, what string, got, want store.Doc) {
	t.Helper()
	if want = norm(t, want); !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func notFound(t *testing.T, what string, d store.Doc, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: got %v, %v; want ErrNotFound", what, d, err)
	}
}

func ids(docs []store.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i], _ = d["id"].(string)
	}
	return out
}

func profileDoc(id string, ids ...string) store.Doc {
	as := make([]any, len(ids))
	for i, s := range ids {
		as[i] = s
	}
	return store.Doc{
		"id":  id,
		"ids": as,
		"metadata": map[string]any{"time": map[string]any{
			"insert": "2024-05-01T10:00:00.000000Z", "update": "2024-05-02T10:00:00Z"}},
		"stats":  map[string]any{"visits": 1, "views": 2, "counters": map[string]any{}},
		"traits": map[string]any{"name": "Ann <ann@example.com>", "score": 12.5, "tags": []any{"a", "b"}},
		"active": true,
	}
}

func sessionDoc(id, profile, insert string) store.Doc {
	return store.Doc{
		"id":       id,
		"profile":  map[string]any{"id": profile},
		"metadata": map[string]any{"time": map[string]any{"insert": insert}, "channel": "web"},
		"device":   map[string]any{"name": "Firefox"},
	}
}

func eventDoc(id, typ, profile, session, insert string) store.Doc {
	return store.Doc{
		"id":         id,
		"type":       typ,
		"profile":    map[string]any{"id": profile},
		"session":    map[string]any{"id": session},
		"source":     map[string]any{"id": "src-1"},
		"properties": map[string]any{"price": 9.99, "sku": "x-1"},
		"metadata": map[string]any{
			"status": "processed",
			"time":   map[string]any{"insert": insert, "create": insert},
		},
	}
}

func testProfile(t *testing.T, st store.Store) {
	c := ctx(t)
	_, err := st.Profile(c, "p1")
	notFound(t, "missing profile", nil, err)
	if err == nil || !strings.Contains(err.Error(), `"p1"`) {
		t.Errorf("error should name the id: %v", err)
	}
	p := profileDoc("p1")
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{p}})
	got, err := st.Profile(c, "p1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "profile", got, p)

	p["traits"].(map[string]any)["score"] = 13.0
	p["stats"].(map[string]any)["views"] = 3
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{p}})
	got, err = st.Profile(c, "p1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "updated profile", got, p)

	// A change set without anything in it is fine.
	if err := st.Apply(c, &store.ChangeSet{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(c, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(c); err != nil {
		t.Fatal(err)
	}
}

func testAliases(t *testing.T, st store.Store) {
	c := ctx(t)
	p := profileDoc("p1", "a1", "a2", "p1", "a1") // duplicates and its own id are fine
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{p}})
	for _, id := range []string{"p1", "a1", "a2"} {
		got, err := st.Profile(c, id)
		if err != nil {
			t.Fatalf("Profile(%q): %v", id, err)
		}
		same(t, "profile by "+id, got, p)
	}
	// Aliases follow the document: a1 dropped, a3 added.
	p["ids"] = []string{"a2", "a3"}
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{p}})
	_, err := st.Profile(c, "a1")
	notFound(t, "dropped alias", nil, err)
	for _, id := range []string{"p1", "a2", "a3"} {
		if _, err := st.Profile(c, id); err != nil {
			t.Fatalf("Profile(%q): %v", id, err)
		}
	}
	// An update that keeps the ids keeps the aliases (a backend may skip
	// rewriting them); ids changed by a later write of the same change set
	// are followed.
	p["traits"] = map[string]any{"n": 1.0}
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{p}})
	for _, id := range []string{"p1", "a2", "a3"} {
		got, err := st.Profile(c, id)
		if err != nil {
			t.Fatalf("Profile(%q) after an update keeping the ids: %v", id, err)
		}
		same(t, "profile by "+id, got, p)
	}
	q := profileDoc("p1", "a2", "a3", "a4")
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{p, q}})
	for _, id := range []string{"p1", "a2", "a3", "a4"} {
		if _, err := st.Profile(c, id); err != nil {
			t.Fatalf("Profile(%q): %v", id, err)
		}
	}
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{q, p}})
	_, err = st.Profile(c, "a4")
	notFound(t, "alias dropped by the second write of a change set", nil, err)
	// An alias freed by one profile can be taken by another.
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{profileDoc("p2", "a1")}})
	got, err := st.Profile(c, "a1")
	if err != nil || got["id"] != "p2" {
		t.Fatalf("Profile(a1) = %v, %v; want p2", got["id"], err)
	}
}

func testAliasConflict(t *testing.T, st store.Store) {
	c := ctx(t)
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{profileDoc("p1", "a1")}})
	for _, claim := range []string{"a1", "p1"} {
		err := st.Apply(c, &store.ChangeSet{
			Profiles: []store.Doc{profileDoc("p2", claim)},
			Events:   []store.Doc{eventDoc("e-conflict", "x", "p2", "s", "2024-05-01T10:00:00Z")},
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("claiming %s of p1: got %v, want ErrConflict", claim, err)
		}
		if !strings.Contains(err.Error(), `"`+claim+`"`) || !strings.Contains(err.Error(), `"p1"`) {
			t.Errorf("error should name the id and its owner: %v", err)
		}
	}
	// Nothing of the failed change sets was written.
	_, err := st.Profile(c, "p2")
	notFound(t, "p2 after conflict", nil, err)
	_, err = st.Event(c, "e-conflict")
	notFound(t, "event after conflict", nil, err)
	got, err := st.Profile(c, "a1")
	if err != nil || got["id"] != "p1" {
		t.Fatalf("Profile(a1) = %v, %v; want p1", got["id"], err)
	}
}

// testMerge does what a profile merge writes: the survivor takes the other's
// id as an alias, the other's events and sessions move, the other goes.
func testMerge(t *testing.T, st store.Store) {
	c := ctx(t)
	apply(t, st, &store.ChangeSet{
		Profiles: []store.Doc{profileDoc("old", "old-alias"), profileDoc("new")},
		Sessions: []store.Doc{sessionDoc("s-old", "old", "2024-05-01T10:00:00Z")},
		Events: []store.Doc{
			eventDoc("e-old", "page-view", "old", "s-old", "2024-05-01T10:00:00Z"),
			eventDoc("e-old-2", "page-view", "old", "s-old", "2024-05-01T10:00:01Z"),
		},
	})
	moved := eventDoc("e-old", "page-view", "new", "s-old", "2024-05-01T10:00:00Z")
	apply(t, st, &store.ChangeSet{
		DeleteProfiles: []string{"old"},
		Profiles:       []store.Doc{profileDoc("new", "old", "old-alias")},
		Sessions:       []store.Doc{sessionDoc("s-old", "new", "2024-05-01T10:00:00Z")},
		Events:         []store.Doc{moved},
	})
	for _, id := range []string{"old", "old-alias", "new"} {
		got, err := st.Profile(c, id)
		if err != nil || got["id"] != "new" {
			t.Fatalf("Profile(%q) = %v, %v; want the survivor", id, got["id"], err)
		}
	}
	evs, total, err := st.ProfileEvents(c, "new", 10, 0)
	if err != nil || total != 1 || len(evs) != 1 {
		t.Fatalf("survivor's events = %v, %d, %v; want e-old", ids(evs), total, err)
	}
	same(t, "moved event", evs[0], moved)
	_, err = st.Event(c, "e-old-2") // not moved: deleted with its profile
	notFound(t, "event of the deleted profile", nil, err)
	if _, n, err := st.ProfileSessions(c, "new", 0, 0); err != nil || n != 1 {
		t.Fatalf("survivor's sessions: %d, %v; want 1", n, err)
	}
}

func testSession(t *testing.T, st store.Store) {
	c := ctx(t)
	_, err := st.Session(c, "s1")
	notFound(t, "missing session", nil, err)
	s := sessionDoc("s1", "p1", "2024-05-01T10:00:00Z")
	apply(t, st, &store.ChangeSet{Sessions: []store.Doc{s}})
	got, err := st.Session(c, "s1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "session", got, s)
	// Re-pointed to another profile.
	s["profile"] = map[string]any{"id": "p2"}
	apply(t, st, &store.ChangeSet{Sessions: []store.Doc{s}})
	if _, n, _ := st.ProfileSessions(c, "p1", 0, 0); n != 0 {
		t.Fatalf("p1 still has %d sessions", n)
	}
	if got, n, _ := st.ProfileSessions(c, "p2", 0, 0); n != 1 {
		t.Fatalf("p2 has %d sessions, want 1", n)
	} else {
		same(t, "session of p2", got[0], s)
	}
	// A session without a profile.
	anon := store.Doc{"id": "s-anon", "profile": nil}
	apply(t, st, &store.ChangeSet{Sessions: []store.Doc{anon}})
	got, err = st.Session(c, "s-anon")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "session without profile", got, anon)
}

func testEvent(t *testing.T, st store.Store) {
	c := ctx(t)
	_, err := st.Event(c, "e1")
	notFound(t, "missing event", nil, err)
	e := eventDoc("e1", "purchase", "p1", "s1", "2024-05-01T10:00:00.123456Z")
	apply(t, st, &store.ChangeSet{Events: []store.Doc{e}})
	got, err := st.Event(c, "e1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "event", got, e)
	// Upsert: a later write of the same id replaces it.
	e["metadata"].(map[string]any)["status"] = "error"
	e["metadata"].(map[string]any)["error"] = "node 3: boom"
	apply(t, st, &store.ChangeSet{Events: []store.Doc{e}})
	got, err = st.Event(c, "e1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "event rewritten", got, e)
	// Characters JSON must escape, and some it need not.
	odd := store.Doc{"id": "e-odd \"quoted\" ü ✓", "type": "a<b>&c", "properties": map[string]any{
		"s": "line\nbreak\ttab \u2028 \\u0000 \"end\"", "big": 1e300, "neg": -0.5, "int": 9007199254740991.0,
		"empty": map[string]any{}, "list": []any{}, "nil": nil,
	}}
	apply(t, st, &store.ChangeSet{Events: []store.Doc{odd}})
	got, err = st.Event(c, odd["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "event with odd characters", got, odd)
	// A NUL character is stored (PostgreSQL's JSONB cannot hold one: it may
	// come back as U+FFFD there), never refused.
	nul := store.Doc{"id": "e-nul", "properties": map[string]any{"s": "a\x00b"}}
	apply(t, st, &store.ChangeSet{Events: []store.Doc{nul}})
	got, err = st.Event(c, "e-nul")
	if err != nil {
		t.Fatal(err)
	}
	if s := got["properties"].(map[string]any)["s"]; s != "a\x00b" && s != "a\ufffdb" {
		t.Fatalf("NUL came back as %q", s)
	}
}

// testNewEvents checks that NewEvents inserts and never replaces: a change
// set whose new event's id is stored already writes nothing at all.
func testNewEvents(t *testing.T, st store.Store) {
	c := ctx(t)
	e := eventDoc("e-new", "purchase", "p1", "s1", "2024-05-01T10:00:00Z")
	apply(t, st, &store.ChangeSet{NewEvents: []store.Doc{e}})
	got, err := st.Event(c, "e-new")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "new event", got, e)

	other := eventDoc("e-new", "purchase", "p2", "s2", "2024-05-02T10:00:00Z")
	err = st.Apply(c, &store.ChangeSet{
		Profiles:  []store.Doc{profileDoc("p2")},
		Sessions:  []store.Doc{sessionDoc("s2", "p2", "2024-05-02T10:00:00Z")},
		NewEvents: []store.Doc{eventDoc("e-fresh", "view", "p2", "s2", "2024-05-02T10:00:00Z"), other},
	})
	if !errors.Is(err, store.ErrEventExists) {
		t.Fatalf("a new event with a stored id: got %v, want ErrEventExists", err)
	}
	got, err = st.Event(c, "e-new")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "the stored event after a refused overwrite", got, e)
	if d, err := st.Profile(c, "p2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused change set's profile was written: %v %v", d, err)
	}
	if d, err := st.Session(c, "s2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused change set's session was written: %v %v", d, err)
	}
	if d, err := st.Event(c, "e-fresh"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused change set's other event was written: %v %v", d, err)
	}
	evs, total, err := st.ProfileEvents(c, "p2", 0, 0)
	if err != nil || total != 0 {
		t.Fatalf("events of p2: %v %d %v", ids(evs), total, err)
	}
	// The same id twice in one change set is refused too.
	twice := eventDoc("e-twice", "view", "p1", "s1", "2024-05-01T10:00:00Z")
	if err := st.Apply(c, &store.ChangeSet{NewEvents: []store.Doc{twice, twice}}); !errors.Is(err, store.ErrEventExists) {
		t.Fatalf("one id twice: got %v, want ErrEventExists", err)
	}
}

// testNewEventRace sends the same new event from many goroutines at once:
// exactly one Apply succeeds, and the others fail with ErrEventExists
// without failing unrelated writes committed in the same groups.
func testNewEventRace(t *testing.T, st store.Store) {
	c := ctx(t)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	others := make([]error, n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			e := eventDoc("e-race", "purchase", fmt.Sprintf("p%d", i), "s", "2024-05-01T10:00:00Z")
			errs[i] = st.Apply(c, &store.ChangeSet{NewEvents: []store.Doc{e}})
		}()
		go func() {
			defer wg.Done()
			e := eventDoc(fmt.Sprintf("e-other-%d", i), "view", "q", "s", "2024-05-01T10:00:00Z")
			others[i] = st.Apply(c, &store.ChangeSet{NewEvents: []store.Doc{e}})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrEventExists):
			t.Fatalf("writer %d: got %v, want nil or ErrEventExists", i, err)
		}
		if others[i] != nil {
			t.Fatalf("an unrelated new event failed: %v", others[i])
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d identical new events were stored, want 1", ok, n)
	}
	if _, total, err := st.ProfileEvents(c, "q", 0, 0); err != nil || total != n {
		t.Fatalf("unrelated events stored: %d, %v; want %d", total, err, n)
	}
}

// testEventColumns checks that events without the optional indexed fields,
// or with nulls there, are stored all the same (an invalid event must never
// be dropped).
func testEventColumns(t *testing.T, st store.Store) {
	c := ctx(t)
	evs := []store.Doc{
		{"id": "bare"},
		{"id": "nulls", "type": nil, "profile": nil, "session": map[string]any{"id": nil}, "metadata": map[string]any{"time": nil}},
		{"id": "no-profile", "type": "x", "metadata": map[string]any{"status": "invalid", "profile_less": true}},
	}
	apply(t, st, &store.ChangeSet{Events: evs})
	for _, e := range evs {
		got, err := st.Event(c, e["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		same(t, "event", got, e)
	}
}

func testProfileEventsOrder(t *testing.T, st store.Store) {
	c := ctx(t)
	// Insert times in several spellings of RFC 3339 and zones; ties broken
	// by id, descending.
	evs := []store.Doc{
		eventDoc("e1", "a", "p1", "s1", "2024-05-01T10:00:00Z"),
		eventDoc("e2", "a", "p1", "s1", "2024-05-01T12:00:00+02:00"), // = e1's time: tie
		eventDoc("e3", "a", "p1", "s1", "2024-05-01T10:00:00.5Z"),
		eventDoc("e4", "a", "p1", "s1", "2024-05-01T09:00:00.999999"), // no zone: UTC
		eventDoc("e5", "a", "p1", "s1", "2024-05-02T00:00:00-05:00"),  // 05:00Z next day: newest
		eventDoc("e6", "a", "p1", "s1", "2024-05-01T10:00:00.25Z"),
		eventDoc("other", "a", "p2", "s2", "2024-05-03T00:00:00Z"),
	}
	// Written in two change sets, out of order.
	apply(t, st, &store.ChangeSet{Events: evs[3:]})
	apply(t, st, &store.ChangeSet{Events: evs[:3]})
	want := []string{"e5", "e3", "e6", "e2", "e1", "e4"}
	got, total, err := st.ProfileEvents(c, "p1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 6 || !reflect.DeepEqual(ids(got), want) {
		t.Fatalf("ProfileEvents(all) = %v (total %d), want %v (total 6)", ids(got), total, want)
	}
	same(t, "first event", got[0], evs[4])
	for _, pg := range []struct{ limit, offset int }{{2, 0}, {2, 2}, {2, 4}, {4, 4}, {10, 0}, {3, 6}, {1, 100}, {5, -3}} {
		got, total, err := st.ProfileEvents(c, "p1", pg.limit, pg.offset)
		if err != nil {
			t.Fatal(err)
		}
		off := max(pg.offset, 0)
		w := want[min(off, len(want)):min(off+pg.limit, len(want))]
		if total != 6 || !reflect.DeepEqual(ids(got), w) {
			t.Errorf("ProfileEvents(limit %d, offset %d) = %v (total %d), want %v (total 6)", pg.limit, pg.offset, ids(got), total, w)
		}
	}
	got, total, err = st.ProfileEvents(c, "nobody", 10, 0)
	if err != nil || total != 0 || got == nil || len(got) != 0 {
		t.Fatalf("ProfileEvents(nobody) = %v, %d, %v; want an empty list", got, total, err)
	}
}

func testProfileSessionsOrder(t *testing.T, st store.Store) {
	c := ctx(t)
	apply(t, st, &store.ChangeSet{Sessions: []store.Doc{
		sessionDoc("s1", "p1", "2024-05-01T10:00:00Z"),
		sessionDoc("s2", "p1", "2024-05-03T10:00:00Z"),
		sessionDoc("s3", "p1", "2024-05-02T10:00:00Z"),
		sessionDoc("s0", "p1", "2024-05-02T10:00:00Z"),
		sessionDoc("sx", "p2", "2024-05-09T10:00:00Z"),
	}})
	got, total, err := st.ProfileSessions(c, "p1", 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"s2", "s3", "s0"}; total != 4 || !reflect.DeepEqual(ids(got), want) {
		t.Fatalf("ProfileSessions = %v (total %d), want %v (total 4)", ids(got), total, want)
	}
	got, _, err = st.ProfileSessions(c, "p1", 3, 3)
	if err != nil || !reflect.DeepEqual(ids(got), []string{"s1"}) {
		t.Fatalf("ProfileSessions page 2 = %v, %v; want [s1]", ids(got), err)
	}
}

func testDeleteProfiles(t *testing.T, st store.Store) {
	c := ctx(t)
	for _, p := range []string{"p1", "p2", "keep"} {
		apply(t, st, &store.ChangeSet{
			Profiles: []store.Doc{profileDoc(p, p+"-alias")},
			Sessions: []store.Doc{sessionDoc(p+"-s", p, "2024-05-01T10:00:00Z")},
			Events: []store.Doc{
				eventDoc(p+"-e1", "a", p, p+"-s", "2024-05-01T10:00:00Z"),
				eventDoc(p+"-e2", "a", p, p+"-s", "2024-05-01T10:00:01Z"),
			},
		})
	}
	apply(t, st, &store.ChangeSet{DeleteProfiles: []string{"p1", "p2", "never-existed"}})
	for _, p := range []string{"p1", "p2"} {
		for _, id := range []string{p, p + "-alias"} {
			d, err := st.Profile(c, id)
			notFound(t, "deleted profile "+id, d, err)
		}
		d, err := st.Session(c, p+"-s")
		notFound(t, "session of deleted profile", d, err)
		for _, e := range []string{p + "-e1", p + "-e2"} {
			d, err := st.Event(c, e)
			notFound(t, "event of deleted profile", d, err)
		}
		if _, n, err := st.ProfileEvents(c, p, 0, 0); err != nil || n != 0 {
			t.Fatalf("events of deleted %s: %d, %v", p, n, err)
		}
	}
	if _, err := st.Profile(c, "keep-alias"); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.ProfileEvents(c, "keep", 0, 0); n != 2 {
		t.Fatalf("kept profile has %d events, want 2", n)
	}
	if _, n, _ := st.ProfileSessions(c, "keep", 0, 0); n != 1 {
		t.Fatalf("kept profile has %d sessions, want 1", n)
	}
	// The deleted id and alias are free again.
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{profileDoc("p3", "p1", "p1-alias")}})
}

func testBadInput(t *testing.T, st store.Store) {
	c := ctx(t)
	cases := []struct {
		name string
		cs   store.ChangeSet
		want string // in the error message
	}{
		{"profile without id", store.ChangeSet{Profiles: []store.Doc{{"traits": map[string]any{}}}}, `profile[0] has no "id"`},
		{"nil profile", store.ChangeSet{Profiles: []store.Doc{nil}}, `profile[0] is nil`},
		{"profile id a number", store.ChangeSet{Profiles: []store.Doc{{"id": 12.0}}}, `"id" is a number, want a string`},
		{"empty id", store.ChangeSet{Sessions: []store.Doc{{"id": ""}}}, `session[0] has an empty "id"`},
		{"ids not a list", store.ChangeSet{Profiles: []store.Doc{{"id": "p", "ids": "x"}}}, `profile "p": "ids" is a string`},
		{"alias a number", store.ChangeSet{Profiles: []store.Doc{{"id": "p", "ids": []any{"a", 3.0}}}}, `"ids[1]" is a number`},
		{"profile time bad", store.ChangeSet{Profiles: []store.Doc{{"id": "p", "metadata": map[string]any{"time": map[string]any{"insert": "yesterday"}}}}}, `"metadata.time.insert": "yesterday" is not an RFC 3339 time`},
		{"session profile not object", store.ChangeSet{Sessions: []store.Doc{{"id": "s", "profile": "p1"}}}, `session "s": "profile" is a string, want an object`},
		{"event without id", store.ChangeSet{Events: []store.Doc{{"type": "x"}}}, `event[0] has no "id"`},
		{"second event without id", store.ChangeSet{Events: []store.Doc{{"id": "ok"}, {"id": nil}}}, `event[1] has no "id"`},
		{"event type a number", store.ChangeSet{Events: []store.Doc{{"id": "e", "type": 1.0}}}, `event "e": "type" is a number`},
		{"event profile id a list", store.ChangeSet{Events: []store.Doc{{"id": "e", "profile": map[string]any{"id": []any{}}}}}, `event "e": "profile.id" is a list`},
		{"event time a number", store.ChangeSet{Events: []store.Doc{{"id": "e", "metadata": map[string]any{"time": map[string]any{"insert": 5.0}}}}}, `"metadata.time.insert" is a number`},
		{"event not serialisable", store.ChangeSet{Events: []store.Doc{{"id": "e", "properties": map[string]any{"x": math.NaN()}}}}, `event "e": encoding JSON`},
		{"event with a channel", store.ChangeSet{Events: []store.Doc{{"id": "e", "properties": map[string]any{"x": make(chan int)}}}}, `event "e": encoding JSON`},
		{"empty delete", store.ChangeSet{DeleteProfiles: []string{""}}, `DeleteProfiles[0] is empty`},
	}
	for _, tc := range cases {
		err := st.Apply(c, &tc.cs)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if err := st.PutConfig(c, "", "x", store.Doc{}); err == nil {
		t.Error("PutConfig with empty kind: no error")
	}
	if err := st.PutConfig(c, "rule", "", store.Doc{}); err == nil {
		t.Error("PutConfig with empty id: no error")
	}
	if err := st.PutConfig(c, "rule", "r", store.Doc{"x": math.Inf(1)}); err == nil {
		t.Error("PutConfig with unserialisable document: no error")
	}
	if _, err := st.LockProfile(c, ""); err == nil {
		t.Error("LockProfile(\"\"): no error")
	}
}

// testBadInputAtomic checks a bad document fails its whole change set.
func testBadInputAtomic(t *testing.T, st store.Store) {
	c := ctx(t)
	err := st.Apply(c, &store.ChangeSet{
		Profiles: []store.Doc{profileDoc("p1")},
		Events:   []store.Doc{eventDoc("e1", "a", "p1", "s1", "2024-05-01T10:00:00Z"), {"id": "bad", "x": math.NaN()}},
	})
	if err == nil {
		t.Fatal("no error")
	}
	d, err := st.Profile(c, "p1")
	notFound(t, "profile of the failed change set", d, err)
	d, err = st.Event(c, "e1")
	notFound(t, "event of the failed change set", d, err)
}

// testBadWriteInGroup runs good and failing change sets at once, so that they
// share groups: every good one must be stored, every bad one fail alone.
func testBadWriteInGroup(t *testing.T, st store.Store) {
	c := ctx(t)
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{profileDoc("owner", "taken")}})
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			id := fmt.Sprintf("p%03d", i)
			cs := &store.ChangeSet{
				Profiles: []store.Doc{profileDoc(id)},
				Events:   []store.Doc{eventDoc("e-"+id, "a", id, "s", "2024-05-01T10:00:00Z")},
			}
			switch i % 20 {
			case 7: // fails in the database: the alias belongs to "owner"
				cs.Profiles[0]["ids"] = []any{"taken"}
			case 13: // fails before the database
				cs.Events[0]["properties"] = map[string]any{"x": math.NaN()}
			}
			errs[i] = st.Apply(c, cs)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		id := fmt.Sprintf("p%03d", i)
		_, perr := st.Profile(c, id)
		_, eerr := st.Event(c, "e-"+id)
		switch i % 20 {
		case 7:
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("%s: got %v, want ErrConflict", id, err)
			}
		case 13:
			if err == nil || errors.Is(err, store.ErrConflict) {
				t.Errorf("%s: got %v, want an encoding error", id, err)
			}
		default:
			if err != nil || perr != nil || eerr != nil {
				t.Errorf("%s: Apply: %v; then profile: %v, event: %v", id, err, perr, eerr)
			}
			continue
		}
		if perr == nil || eerr == nil {
			t.Errorf("%s failed but was stored (profile: %v, event: %v)", id, perr, eerr)
		}
	}
	t.Logf("stats: %+v", st.Stats())
}

func testConfig(t *testing.T, st store.Store) {
	c := ctx(t)
	_, err := st.GetConfig(c, "rule", "r1")
	notFound(t, "missing config", nil, err)
	if list, err := st.ListConfig(c, "rule"); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("ListConfig(empty) = %v, %v; want an empty list", list, err)
	}
	docs := map[string]store.Doc{
		"r2": {"id": "r2", "name": "Second", "event_type": map[string]any{"id": "page-view"}, "enabled": true},
		"r1": {"id": "r1", "name": "First", "flow": map[string]any{"id": "f1"}},
		"r3": {"id": "r3"}, // no name
	}
	for _, id := range []string{"r2", "r1", "r3"} {
		if err := st.PutConfig(c, "rule", id, docs[id]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutConfig(c, "source", "r1", store.Doc{"id": "r1", "type": []any{"rest"}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetConfig(c, "rule", "r1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "rule r1", got, withVersion(docs["r1"], 1))
	list, err := st.ListConfig(c, "rule")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids(list), []string{"r1", "r2", "r3"}) {
		t.Fatalf("ListConfig order = %v, want [r1 r2 r3]", ids(list))
	}
	same(t, "listed r2", list[1], withVersion(docs["r2"], 1))
	// Replace: a version given in the document is not stored.
	docs["r1"]["name"] = "Renamed"
	if err := st.PutConfig(c, "rule", "r1", withVersion(docs["r1"], 7)); err != nil {
		t.Fatal(err)
	}
	got, _ = st.GetConfig(c, "rule", "r1")
	same(t, "rule r1 replaced", got, withVersion(docs["r1"], 2))
	// Delete.
	if err := st.DeleteConfig(c, "rule", "r1"); err != nil {
		t.Fatal(err)
	}
	_, err = st.GetConfig(c, "rule", "r1")
	notFound(t, "deleted config", nil, err)
	if err := st.DeleteConfig(c, "rule", "r1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting again: %v, want ErrNotFound", err)
	}
	if _, err := st.GetConfig(c, "source", "r1"); err != nil {
		t.Fatalf("the source r1 went with the rule r1: %v", err)
	}
	list, _ = st.ListConfig(c, "rule")
	if !reflect.DeepEqual(ids(list), []string{"r2", "r3"}) {
		t.Fatalf("ListConfig after delete = %v", ids(list))
	}
}

func testConfigVersion(t *testing.T, st store.Store) {
	c := ctx(t)
	v0, err := st.ConfigVersion(c)
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, changes bool, f func() error) {
		t.Helper()
		before, _ := st.ConfigVersion(c)
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		after, err := st.ConfigVersion(c)
		if err != nil {
			t.Fatal(err)
		}
		if changes && after == before || !changes && after != before {
			t.Fatalf("%s: version %d -> %d", what, before, after)
		}
	}
	step("put", true, func() error { return st.PutConfig(c, "flow", "f1", store.Doc{"id": "f1"}) })
	step("put again", true, func() error { return st.PutConfig(c, "flow", "f1", store.Doc{"id": "f1", "name": "x"}) })
	step("read", false, func() error { _, err := st.ListConfig(c, "flow"); return err })
	step("profile write", false, func() error { return st.Apply(c, &store.ChangeSet{Profiles: []store.Doc{{"id": "p"}}}) })
	step("delete missing", false, func() error {
		if err := st.DeleteConfig(c, "flow", "nope"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("want ErrNotFound, got %w", err)
		}
		return nil
	})
	step("delete", true, func() error { return st.DeleteConfig(c, "flow", "f1") })
	if v, _ := st.ConfigVersion(c); v <= v0 {
		t.Fatalf("version went from %d to %d", v0, v)
	}
}

func testContextCancelled(t *testing.T, st store.Store) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	err := st.Apply(c, &store.ChangeSet{Profiles: []store.Doc{profileDoc("p1")}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply with a cancelled context: %v", err)
	}
	d, err := st.Profile(ctx(t), "p1")
	notFound(t, "profile of the cancelled Apply", d, err)
}

func testLockProfile(t *testing.T, st store.Store) {
	c := ctx(t)
	release, err := st.LockProfile(c, "p1")
	if err != nil {
		t.Fatal(err)
	}
	// Another profile is not held up.
	r2, err := st.LockProfile(c, "p2")
	if err != nil {
		t.Fatal(err)
	}
	r2()
	// The same profile waits, until its context ends.
	short, cancel := context.WithTimeout(c, 100*time.Millisecond)
	defer cancel()
	if r, err := st.LockProfile(short, "p1"); err == nil {
		r()
		t.Fatal("locked p1 twice")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for p1: %v, want DeadlineExceeded", err)
	}
	// ... or until it is released.
	got := make(chan error, 1)
	go func() {
		r, err := st.LockProfile(c, "p1")
		if err == nil {
			r()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("locked p1 while held: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	release() // a second call does nothing
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// counterDoc is a profile whose stats.counters.n counts updates.
func incrementCounter(c context.Context, st store.Store, id string) error {
	release, err := st.LockProfile(c, id)
	if err != nil {
		return err
	}
	defer release()
	p, err := st.Profile(c, id)
	if errors.Is(err, store.ErrNotFound) {
		p = store.Doc{"id": id, "stats": map[string]any{"counters": map[string]any{"n": 0.0}}}
	} else if err != nil {
		return err
	}
	counters := p["stats"].(map[string]any)["counters"].(map[string]any)
	n := counters["n"].(float64) + 1
	counters["n"] = n
	return st.Apply(c, &store.ChangeSet{
		Profiles: []store.Doc{p},
		Events:   []store.Doc{{"id": fmt.Sprintf("%s-%d", id, int(n)), "type": "increment", "profile": map[string]any{"id": id}}},
	})
}

func counter(t *testing.T, st store.Store, id string) int {
	t.Helper()
	p, err := st.Profile(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return int(p["stats"].(map[string]any)["counters"].(map[string]any)["n"].(float64))
}

// testCounter: 1,000 goroutines each lock the profile, load it, add one,
// apply and release: no update may be lost.
func testCounter(t *testing.T, st store.Store) {
	c := ctx(t)
	const n = 1000
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr sync.Once
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := incrementCounter(c, st, "counter"); err != nil {
				failed.Add(1)
				firstErr.Do(func() { t.Errorf("increment: %v", err) })
			}
		}()
	}
	// Meanwhile, other profiles move on in parallel.
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				if err := incrementCounter(c, st, fmt.Sprintf("other-%d", i%10)); err != nil {
					firstErr.Do(func() { t.Errorf("increment: %v", err) })
				}
			}
		}()
	}
	wg.Wait()
	if got := counter(t, st, "counter"); got != n || failed.Load() != 0 {
		t.Fatalf("counter = %d after %d increments (%d failed)", got, n, failed.Load())
	}
	for i := range 10 {
		if got := counter(t, st, fmt.Sprintf("other-%d", i)); got != 20 {
			t.Fatalf("other-%d = %d, want 20", i, got)
		}
	}
	if _, total, _ := st.ProfileEvents(c, "counter", 1, 0); total != n {
		t.Fatalf("counter has %d events, want %d", total, n)
	}
}

// testGroupCommit checks that concurrent Apply calls share transactions.
func testGroupCommit(t *testing.T, st store.Store) {
	c := ctx(t)
	before := st.Stats()
	const n = 400
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			id := fmt.Sprintf("g%d", i)
			if err := st.Apply(c, &store.ChangeSet{
				Profiles: []store.Doc{{"id": id}},
				Sessions: []store.Doc{sessionDoc("s-"+id, id, "2024-05-01T10:00:00Z")},
				Events:   []store.Doc{eventDoc("e-"+id, "a", id, "s-"+id, "2024-05-01T10:00:00Z")},
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	after := st.Stats()
	writes, commits := after.Writes-before.Writes, after.Commits-before.Commits
	t.Logf("%d writes in %d transactions (largest group %d)", writes, commits, after.MaxBatch)
	if writes != n {
		t.Fatalf("stats count %d writes, want %d", writes, n)
	}
	if commits >= n/2 || after.MaxBatch < 2 {
		t.Fatalf("%d writes took %d transactions: not grouped", writes, commits)
	}
	for i := range n {
		if _, err := st.Event(c, fmt.Sprintf("e-g%d", i)); err != nil {
			t.Fatal(err)
		}
	}
}

// testLargeWrites: one change set of 5,000 events, and 300 concurrent change
// sets of 20 events each (large groups).
func testLargeWrites(t *testing.T, st store.Store) {
	c := ctx(t)
	big := &store.ChangeSet{}
	for i := range 5000 {
		big.Events = append(big.Events, eventDoc(fmt.Sprintf("big-%d", i), "a", "big", "s", "2024-05-01T10:00:00Z"))
	}
	apply(t, st, big)
	if _, n, err := st.ProfileEvents(c, "big", 1, 0); err != nil || n != 5000 {
		t.Fatalf("%d events, %v; want 5000", n, err)
	}
	var wg sync.WaitGroup
	for g := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs := &store.ChangeSet{}
			pid := fmt.Sprintf("p%d", g)
			for i := range 20 {
				cs.Events = append(cs.Events, eventDoc(fmt.Sprintf("%s-%d", pid, i), "a", pid, "s", "2024-05-01T10:00:00Z"))
			}
			if err := st.Apply(c, cs); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for g := range 300 {
		if _, n, err := st.ProfileEvents(c, fmt.Sprintf("p%d", g), 1, 0); err != nil || n != 20 {
			t.Fatalf("p%d: %d events, %v; want 20", g, n, err)
		}
	}
}

func testClose(t *testing.T, st store.Store) {
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	err := st.Apply(ctx(t), &store.ChangeSet{Profiles: []store.Doc{{"id": "p"}}})
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Apply after Close: %v, want ErrClosed", err)
	}
	if err := st.PutConfig(ctx(t), "k", "i", store.Doc{}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("PutConfig after Close: %v, want ErrClosed", err)
	}
	if err := st.DeleteConfig(ctx(t), "k", "i"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("DeleteConfig after Close: %v, want ErrClosed", err)
	}
	if _, err := st.LockProfile(ctx(t), "p"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("LockProfile after Close: %v, want ErrClosed", err)
	}
	if err := st.Ping(ctx(t)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Ping after Close: %v, want ErrClosed", err)
	}
}

// testCloseFlushes closes the store while writes are queued: every Apply
// that answered nil must be found after reopening.
func (s *suite) testCloseFlushes(t *testing.T) {
	st := s.open(t)
	t.Cleanup(func() { st.Close() })
	c := ctx(t)
	const n = 300
	var wg sync.WaitGroup
	errs := make([]error, n)
	var started atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			errs[i] = st.Apply(c, &store.ChangeSet{Events: []store.Doc{eventDoc(fmt.Sprintf("e%d", i), "a", "p", "s", "2024-05-01T10:00:00Z")}})
		}()
	}
	for started.Load() < n/2 {
		time.Sleep(time.Millisecond)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	acked := 0
	for i, err := range errs {
		switch {
		case err == nil:
			acked++
		case !errors.Is(err, store.ErrClosed):
			t.Fatalf("e%d: %v", i, err)
		}
	}
	t.Logf("%d of %d writes acknowledged before Close", acked, n)
	if s.reopen == nil {
		return
	}
	st2 := s.reopen(t, st)
	defer st2.Close()
	for i, err := range errs {
		_, gerr := st2.Event(c, fmt.Sprintf("e%d", i))
		if err == nil && gerr != nil {
			t.Errorf("e%d was acknowledged but is not stored: %v", i, gerr)
		}
	}
}

// testCrossProcessCounter increments one profile from two stores on the same
// database, as two processes would.
func (s *suite) testCrossProcessCounter(t *testing.T) {
	a := s.open(t)
	t.Cleanup(func() { a.Close() })
	b := s.second(t, a)
	t.Cleanup(func() { b.Close() })
	c := ctx(t)
	const perStore = 250
	var wg sync.WaitGroup
	var firstErr sync.Once
	for _, st := range []store.Store{a, b} {
		for range perStore {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := incrementCounter(c, st, "shared"); err != nil {
					firstErr.Do(func() { t.Errorf("increment: %v", err) })
				}
			}()
		}
	}
	wg.Wait()
	if got := counter(t, a, "shared"); got != 2*perStore {
		t.Fatalf("counter = %d, want %d", got, 2*perStore)
	}
}

func (s *suite) testCrossProcessConfig(t *testing.T) {
	a := s.open(t)
	t.Cleanup(func() { a.Close() })
	b := s.second(t, a)
	t.Cleanup(func() { b.Close() })
	c := ctx(t)
	v, err := b.ConfigVersion(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PutConfig(c, "source", "s1", store.Doc{"id": "s1"}); err != nil {
		t.Fatal(err)
	}
	if v2, _ := b.ConfigVersion(c); v2 == v {
		t.Fatalf("the other process still sees config version %d", v2)
	}
	if _, err := b.GetConfig(c, "source", "s1"); err != nil {
		t.Fatal(err)
	}
}
