package inbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/inbox"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// positionFlow counts the profile's events and appends each event's
// properties.seq to the profile's traits.seen: the order the events ran in.
const positionFlow = `{"id": "position", "name": "Position", "flowGraph": {
	"nodes": [
		{"id": "start", "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action"}}},
		{"id": "inc", "data": {"spec": {"module": "tracardi.process_engine.action.v1.increment_action",
			"init": {"field": "profile@stats.counters.n", "increment": 1}}}},
		{"id": "pos", "data": {"spec": {"module": "tracardi.process_engine.action.v1.traits.append_trait_action",
			"init": {"append": {"profile@traits.seen": "event@properties.seq"}}}}}
	],
	"edges": [
		{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "inc", "targetHandle": "payload"},
		{"id": "e2", "source": "inc", "sourceHandle": "payload", "target": "pos", "targetHandle": "payload"}
	]}}`

// waitDrained waits until the inbox is empty.
func waitDrained(t *testing.T, e *testenv.Env, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n, err := e.Inbox.Depth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still queued after %v", n, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkOrder checks that the profile's hit events ran once each, in the order
// they were sent (properties.seq 1..want), and that its counter equals its
// stored events.
func checkOrder(t *testing.T, e *testenv.Env, profile string, want int) {
	t.Helper()
	evs := e.Admin("GET", fmt.Sprintf("/profile/%s/events?limit=10000", profile), nil).MustOK(t).Obj()
	list, _ := evs["result"].([]any)
	hits := 0 // the visit's system events are stored beside them
	for _, ev := range list {
		if ev.(map[string]any)["type"] == "hit" {
			hits++
		}
	}
	if hits != want {
		t.Fatalf("profile %s: %d stored hit events, want %d", profile, hits, want)
	}
	p := e.Admin("GET", "/profile/"+profile, nil).MustOK(t).Obj()
	if n := p["stats"].(map[string]any)["counters"].(map[string]any)["n"]; n != float64(want) {
		t.Fatalf("profile %s counts %v events, %d are stored", profile, n, want)
	}
	seen, _ := p["traits"].(map[string]any)["seen"].([]any)
	if len(seen) != want {
		t.Fatalf("profile %s ran %d events, want %d: %v", profile, len(seen), want, seen)
	}
	for i, v := range seen {
		if v != float64(i+1) {
			t.Fatalf("profile %s: events ran in the order %v, want 1..%d", profile, seen, want)
		}
	}
}

func testInOrder(t *testing.T, e *testenv.Env) {
	e.Setup("async", positionFlow, "hit")
	const profiles, each = 4, 60
	var wg sync.WaitGroup
	for p := range profiles {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 1; i <= each; i++ {
				r := e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": "async"},
					"profile": map[string]any{"id": fmt.Sprintf("p%d", p)},
					"events":  []any{map[string]any{"type": "hit", "properties": map[string]any{"seq": i}}}})
				if r.Status != 200 || r.Obj()["queued"] != true {
					t.Errorf("PUT /track: %d %s", r.Status, r.Raw)
					return
				}
			}
		}(p)
	}
	wg.Wait()
	waitDrained(t, e, 60*time.Second)
	for p := range profiles {
		checkOrder(t, e, fmt.Sprintf("p%d", p), each)
	}
}

// Requests sent one after another per profile, several profiles at once,
// run in the order they were answered, each once.
func TestAsyncRunsInOrderPerProfile(t *testing.T) {
	testInOrder(t, testenv.New(t, testenv.Options{Background: true}))
}

func TestAsyncRunsInOrderPerProfilePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	testInOrder(t, testenv.New(t, testenv.Options{DSN: dsn, Background: true}))
}

// The answer to a queued request: a new profile id when none was sent, the
// events' ids (given when missing), no flow output; the profile is made
// when the request runs. A source with "asynchronous": true queues POST
// /track too. Refusals that need no flow are answered at once.
func TestAsyncAnswerAndRefusals(t *testing.T) {
	e := testenv.New(t, testenv.Options{Background: true})
	e.Setup("async", positionFlow, "hit")
	r := e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": "async"},
		"events": []any{map[string]any{"type": "hit", "properties": map[string]any{"seq": 1}}, map[string]any{"type": "hit", "id": "mine", "properties": map[string]any{"seq": 2}}}}).MustOK(t).Obj()
	pid, _ := r["profile"].(map[string]any)["id"].(string)
	ids, _ := r["events"].([]any)
	if pid == "" || len(ids) != 2 || ids[1] != "mine" || ids[0] == "" || r["session"] != nil || r["queued"] != true {
		t.Fatalf("answer %v", r)
	}
	waitDrained(t, e, 30*time.Second)
	checkOrder(t, e, pid, 2)
	if ev := e.Admin("GET", "/event/mine", nil); ev.Status != 200 {
		t.Fatalf("event sent with its id: %d %s", ev.Status, ev.Raw)
	}

	if r := e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": "nope"}, "events": []any{map[string]any{"type": "hit"}}}); r.Status != 401 || !strings.Contains(string(r.Raw), "nope") {
		t.Fatalf("unknown source: %d %s", r.Status, r.Raw)
	}
	if r := e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": "async"}, "events": []any{map[string]any{}}}); r.Status != 422 || !strings.Contains(string(r.Raw), "events[0].type") {
		t.Fatalf("bad event: %d %s", r.Status, r.Raw)
	}

	// A source that asks for asynchronous processing queues POST /track.
	if r := e.Admin("POST", "/event-source", map[string]any{"id": "async", "name": "Async", "type": []any{"rest"}, "asynchronous": "yes"}); r.Status != 422 || !strings.Contains(string(r.Raw), `"asynchronous"`) {
		t.Fatalf("asynchronous: \"yes\": %d %s", r.Status, r.Raw)
	}
	e.Admin("POST", "/event-source", map[string]any{"id": "async", "name": "Async", "type": []any{"rest"}, "enabled": true, "asynchronous": true}).MustOK(t)
	if err := e.Catalog.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "async"}, "profile": map[string]any{"id": pid},
		"events": []any{map[string]any{"type": "hit", "properties": map[string]any{"seq": 3}}}}).MustOK(t).Obj()
	if r["queued"] != true {
		t.Fatalf("POST /track of an asynchronous source: %v", r)
	}
	waitDrained(t, e, 30*time.Second)
	checkOrder(t, e, pid, 3)

	req, _ := http.NewRequest("GET", e.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "\ntracflow_track_queue_depth 0\n") {
		t.Fatalf("no queue depth in /metrics (%d)", resp.StatusCode)
	}
}

// A request queued for a source that is disabled before the request's turn
// is dropped (counted) and does not stop the requests after it.
func TestAsyncRequestRefusedAtItsTurn(t *testing.T) {
	e := testenv.New(t, testenv.Options{Background: true})
	e.Setup("async", positionFlow, "hit")
	e.Admin("POST", "/event-source", map[string]any{"id": "other", "name": "Other", "type": []any{"rest"}, "enabled": true}).MustOK(t)
	// Hold the lane: nothing runs until the lock is released.
	release, err := e.Store.LockProfile(context.Background(), "inbox\x00held")
	if err != nil {
		t.Fatal(err)
	}
	send := func(src string, seq int) {
		e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": "held"},
			"events": []any{map[string]any{"type": "hit", "properties": map[string]any{"seq": seq}}}}).MustOK(t)
	}
	send("async", 1)
	send("other", 99) // refused at its turn
	send("async", 2)
	e.Admin("POST", "/event-source", map[string]any{"id": "other", "name": "Other", "type": []any{"rest"}, "enabled": false}).MustOK(t)
	if err := e.Catalog.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Inbox.Depth(context.Background()); err != nil || n != 3 {
		t.Fatalf("queue depth %d (%v) with three requests waiting", n, err)
	}
	release()
	waitDrained(t, e, 30*time.Second)
	checkOrder(t, e, "held", 2)
	if e.Inbox.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1", e.Inbox.Dropped())
	}
}

// A request stored while its lane's drain is starting is run by that drain,
// not left for the sweep: the drain's unmarking of the lane waits for the
// request's commit. Here the drain of the first request is held by the
// lane's lock with the lane still marked, and the second request is held
// just before its commit, after it found the lane marked (so it queued no
// drain of its own); the drain is let go first, the commit a second later.
func testDrainStartingBesideAWrite(t *testing.T, e *testenv.Env) {
	e.Setup("async", positionFlow, "hit")
	send := func(seq int) {
		e.Do("PUT", "/track", "", map[string]any{"source": map[string]any{"id": "async"}, "profile": map[string]any{"id": "race"},
			"events": []any{map[string]any{"type": "hit", "properties": map[string]any{"seq": seq}}}}).MustOK(t)
	}
	release, err := e.Store.LockProfile(context.Background(), "inbox\x00race")
	if err != nil {
		t.Fatal(err)
	}
	send(1) // its drain waits for the lane's lock, the lane marked
	reached, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	inbox.SetBeforeCommit(e.Inbox, func() {
		once.Do(func() { close(reached); <-hold })
	})
	defer inbox.SetBeforeCommit(e.Inbox, nil)
	sent := make(chan struct{})
	go func() { defer close(sent); send(2) }()
	<-reached
	release()
	time.Sleep(time.Second) // the drain runs what it can see meanwhile
	close(hold)
	<-sent
	waitDrained(t, e, 15*time.Second)
	checkOrder(t, e, "race", 2)
}

func TestDrainStartingBesideAWrite(t *testing.T) {
	testDrainStartingBesideAWrite(t, testenv.New(t, testenv.Options{Background: true}))
}

func TestDrainStartingBesideAWritePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	testDrainStartingBesideAWrite(t, testenv.New(t, testenv.Options{DSN: dsn, Background: true}))
}
