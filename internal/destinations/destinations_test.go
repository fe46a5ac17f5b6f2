package destinations_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/postgres"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}

type env struct {
	st  store.Store
	q   *jobs.Queue
	svc *destinations.Service
}

// fast makes the queue poll often and retry soon, for tests.
func fast(o jobs.Options) jobs.Options {
	o.PollInterval = 20 * time.Millisecond
	o.Backoff = func(int) time.Duration { return 100 * time.Millisecond }
	return o
}

// opener opens a queue in the database of a test's store.
type opener func(jobs.Options) (*jobs.Queue, error)

// stores runs f on a real store of each backend, with a way to open
// queues beside it.
func stores(t *testing.T, f func(t *testing.T, st store.Store, open opener)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tracflow.db")
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, st, func(o jobs.Options) (*jobs.Queue, error) {
			return jobs.OpenSQLite(context.Background(), jobs.QueueFile(path), o)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, st, func(o jobs.Options) (*jobs.Queue, error) { return jobs.OpenPostgres(context.Background(), dsn, o) })
	})
}

// backends opens a real store and queue on each backend and runs f.
func backends(t *testing.T, f func(t *testing.T, e *env)) {
	stores(t, func(t *testing.T, st store.Store, open opener) {
		svc := destinations.New(st, nil, nil)
		q, err := open(fast(jobs.Options{Kinds: svc.JobKinds()}))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Init(context.Background(), q); err != nil {
			t.Fatal(err)
		}
		svc.Start()
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close(); q.Close(context.Background()) })
		f(t, &env{st: st, q: q, svc: svc})
	})
}

func (e *env) saveDest(t *testing.T, d store.Doc) string {
	t.Helper()
	n, err := destinations.Normalize(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutConfig(context.Background(), destinations.Kind, n["id"].(string), n); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n["id"].(string)
}

func webhook(id, url string) store.Doc {
	return store.Doc{"id": id, "name": "hook " + id, "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": url}},
		"event_type": map[string]any{"id": "purchase"}, "max_attempts": 5.0,
		"mapping": map[string]any{"email": "profile@traits.email", "amount": "event@properties.amount"}}
}

func event(id, typ string) map[string]any {
	return map[string]any{"id": id, "type": typ, "source": map[string]any{"id": "web"}, "properties": map[string]any{"amount": 12.5}}
}

var profile = map[string]any{"id": "p1", "traits": map[string]any{"email": "a@example.com"}}

func waitDelivery(t *testing.T, e *env, dest string, cond func(destinations.Delivery) bool) destinations.Delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, _, err := e.svc.Deliveries(context.Background(), dest, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && cond(ds[0]) {
			return ds[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out; deliveries: %+v", ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A receiver that answers 500 twice and then 200 gets the data three
// times with one idempotency key, accepts it once, and the log says three
// attempts.
func TestWebhookRetriesWithOneIdempotencyKey(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var keys []string
		var bodies []map[string]any
		accepted := 0
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			var b map[string]any
			json.NewDecoder(r.Body).Decode(&b)
			bodies = append(bodies, b)
			if len(keys) <= 2 {
				http.Error(w, "try later", http.StatusInternalServerError)
				return
			}
			accepted++
			w.WriteHeader(http.StatusOK)
		}))
		defer rcv.Close()
		dest := e.saveDest(t, webhook("d1", rcv.URL+"/hook?token=secret"))
		e.svc.Notify([]map[string]any{event("e1", "purchase"), event("e2", "page-view")}, profile, map[string]any{"id": "s1"}, true, nil)
		d := waitDelivery(t, e, dest, func(d destinations.Delivery) bool { return d.Status == destinations.StatusDelivered })
		time.Sleep(300 * time.Millisecond) // room for a stray extra try
		mu.Lock()
		defer mu.Unlock()
		if len(keys) != 3 || accepted != 1 {
			t.Fatalf("receiver saw %d tries, accepted %d; want 3 and 1", len(keys), accepted)
		}
		want := destinations.Key("d1", "e1")
		for i, k := range keys {
			if k != want {
				t.Fatalf("try %d: Idempotency-Key %q, want %q on every try", i+1, k, want)
			}
		}
		if bodies[2]["email"] != "a@example.com" || bodies[2]["amount"] != 12.5 {
			t.Fatalf("mapped body %v", bodies[2])
		}
		if d.Attempts != 3 || d.HTTPStatus != 200 || d.ID != want || d.EventID != "e1" || d.ProfileID != "p1" {
			t.Fatalf("delivery log %+v: want 3 attempts, 200", d)
		}
		j, err := e.q.Get(context.Background(), d.JobID)
		if err != nil || len(j.Errors) != 2 {
			t.Fatalf("job %+v %v: want the two failed attempts' errors", j, err)
		}
		if msg := j.Errors[0].Error; !contains(msg, "answered 500") || contains(msg, "secret") {
			t.Fatalf("attempt error %q: want the status and no query token", msg)
		}
	})
}

// Notify copies a whole document the mapping sends from the encodings it
// is handed (the JSON the store wrote), and encodes the others.
func TestNotifySendsStoredEncodings(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		bodies := make(chan string, 4)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies <- string(b)
		}))
		defer rcv.Close()
		d := webhook("d1", rcv.URL)
		delete(d, "mapping") // the default: the profile and the event
		e.saveDest(t, d)
		ev := event("e1", "purchase")
		var stored jsonx.Known
		// What a store wrote the profile as; a key the map has not, to
		// tell the copy from an encoding.
		stored.Add(profile, []byte(`{"id":"p1","traits":{"email":"a@example.com"},"as":"stored"}`))
		e.svc.Notify([]map[string]any{ev}, profile, nil, true, &stored)
		select {
		case b := <-bodies:
			want := `{"event":{"id":"e1","properties":{"amount":12.5},"source":{"id":"web"},"type":"purchase"},` +
				`"profile":{"id":"p1","traits":{"email":"a@example.com"},"as":"stored"}}`
			if b != want {
				t.Fatalf("body\n%s\nwant\n%s", b, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no delivery within 30 s")
		}
	})
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (func() bool { return stringIndex(s, sub) >= 0 })()
}

func stringIndex(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// A receiver that is down: the delivery retries and succeeds once it is
// up; nothing is lost.
func TestWebhookReceiverDownThenUp(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // down: connections are refused
		dest := e.saveDest(t, webhook("down", "http://"+addr+"/hook"))
		var evs []map[string]any
		for _, id := range []string{"a", "b", "c"} {
			evs = append(evs, event(id, "purchase"))
		}
		e.svc.Notify(evs, profile, nil, false, nil)
		deadline := time.Now().Add(20 * time.Second)
		for {
			ds, _, _ := e.svc.Deliveries(context.Background(), dest, 10, 0)
			if len(ds) == 3 && ds[0].Attempts >= 1 && ds[1].Attempts >= 1 && ds[2].Attempts >= 1 {
				for _, d := range ds {
					if d.Status != destinations.StatusRetrying {
						t.Fatalf("while down: %+v", d)
					}
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no failed attempts logged: %+v", ds)
			}
			time.Sleep(20 * time.Millisecond)
		}
		var mu sync.Mutex
		got := map[string]int{}
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			mu.Lock()
			got[r.Header.Get("Idempotency-Key")]++
			mu.Unlock()
		})}
		go srv.Serve(ln)
		defer srv.Close()
		deadline = time.Now().Add(30 * time.Second)
		for {
			ds, _, _ := e.svc.Deliveries(context.Background(), dest, 10, 0)
			n := 0
			for _, d := range ds {
				if d.Status == destinations.StatusDelivered {
					n++
				}
			}
			if n == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not all delivered: %+v", ds)
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range []string{"a", "b", "c"} {
			if got[destinations.Key("down", id)] != 1 {
				t.Fatalf("event %s reached the receiver %d times once up: %v", id, got[destinations.Key("down", id)], got)
			}
		}
	})
}

// After max_attempts failures a delivery is dead; Retry now sends it again.
func TestDeadDeliveryAndRetryNow(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		ok := false
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusBadGateway)
			}
		}))
		defer rcv.Close()
		d := webhook("dead", rcv.URL)
		d["max_attempts"] = 2.0
		dest := e.saveDest(t, d)
		e.svc.Notify([]map[string]any{event("x", "purchase")}, profile, nil, false, nil)
		dl := waitDelivery(t, e, dest, func(d destinations.Delivery) bool { return d.Status == destinations.StatusDead })
		if dl.Attempts != 2 || dl.HTTPStatus != 502 {
			t.Fatalf("dead delivery %+v", dl)
		}
		// The log is written by the attempt; River marks the job right after.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			j, err := e.q.Get(context.Background(), dl.JobID)
			if err == nil && j.State == jobs.StateDiscarded {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job of a dead delivery: %+v %v", j, err)
			}
		}
		mu.Lock()
		ok = true
		mu.Unlock()
		if _, err := e.svc.RetryNow(context.Background(), dest, dl.ID); err != nil {
			t.Fatal(err)
		}
		waitDelivery(t, e, dest, func(d destinations.Delivery) bool { return d.Status == destinations.StatusDelivered })
		if _, err := e.svc.RetryNow(context.Background(), dest, "nope"); !errors.Is(err, destinations.ErrNotFound) {
			t.Fatalf("retry of a missing delivery: %v", err)
		}
	})
}

func TestNormalizeNamesTheField(t *testing.T) {
	cases := map[string]store.Doc{
		"name":                    {"destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "http://x"}}},
		"destination.package":     {"name": "n", "destination": map[string]any{"package": "ftp", "init": map[string]any{}}},
		"destination.init.url":    {"name": "n", "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "file:///etc/passwd"}}},
		"condition":               {"name": "n", "condition": "profile@x ==", "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "http://x"}}},
		"max_attempts":            {"name": "n", "max_attempts": 0.0, "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "http://x"}}},
		"destination.init.method": {"name": "n", "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "http://x", "method": "GET"}}},
	}
	for field, d := range cases {
		_, err := destinations.Normalize(d)
		var fe plugin.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v, want an error on that field", field, err)
		}
	}
	n, err := destinations.Normalize(store.Doc{"name": "ok", "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "https://x.example/h"}}})
	if err != nil || n["id"] == "" || n["enabled"] != true {
		t.Fatalf("valid destination: %v %v", n, err)
	}
}

// A delivery waiting for a disabled destination is cancelled and logged as
// such; one of a deleted destination is cancelled.
func TestDisabledOrDeletedDestinationCancels(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // down, so that the first try fails and a retry waits
		for _, id := range []string{"off", "gone"} {
			d := webhook(id, "http://"+addr)
			e.saveDest(t, d)
		}
		e.svc.Notify([]map[string]any{event("x", "purchase")}, profile, nil, false, nil)
		var goneJob int64
		for _, id := range []string{"off", "gone"} {
			d := waitDelivery(t, e, id, func(d destinations.Delivery) bool { return d.Status == destinations.StatusRetrying })
			goneJob = d.JobID
		}
		off := webhook("off", "http://"+addr)
		off["enabled"] = false
		e.saveDest(t, off)
		if err := e.st.DeleteConfig(context.Background(), destinations.Kind, "gone"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteLog(context.Background(), "gone"); err != nil {
			t.Fatal(err)
		}
		d := waitDelivery(t, e, "off", func(d destinations.Delivery) bool { return d.Status == destinations.StatusCancelled })
		if d.LastError != "the destination is disabled" {
			t.Fatalf("cancelled delivery %+v", d)
		}
		// The job of the deleted destination ends cancelled, not dead.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			j, err := e.q.Get(context.Background(), goneJob)
			if err != nil {
				t.Fatal(err)
			}
			if j.State == jobs.StateCancelled {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job of the deleted destination: %q", j.State)
			}
		}
	})
}

// Deliveries matched together share jobs (a few, not one each); a
// delivery that fails is tried again alone: its batch's delivered ones are
// not sent twice, and each delivery keeps its own log row and key.
func TestDeliveriesShareJobsAndRetryAlone(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		const n = 250
		var mu sync.Mutex
		got := map[string]int{}
		bad := destinations.Key("batch", "e7")
		rejected := false
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			mu.Lock()
			defer mu.Unlock()
			k := r.Header.Get("Idempotency-Key")
			got[k]++
			if k == bad && !rejected {
				rejected = true
				http.Error(w, "not now", http.StatusServiceUnavailable)
			}
		}))
		defer rcv.Close()
		dest := e.saveDest(t, webhook("batch", rcv.URL))
		var evs []map[string]any
		for i := range n {
			evs = append(evs, event(fmt.Sprintf("e%d", i), "purchase"))
		}
		e.svc.Notify(evs, profile, nil, false, nil)
		deadline := time.Now().Add(30 * time.Second)
		for {
			ds, total, err := e.svc.Deliveries(context.Background(), dest, n, 0)
			if err != nil {
				t.Fatal(err)
			}
			delivered := 0
			for _, d := range ds {
				if d.Status == destinations.StatusDelivered {
					delivered++
				}
			}
			if total == n && delivered == n {
				for _, d := range ds {
					want := 1
					if d.ID == bad {
						want = 2
					}
					if d.Attempts != want {
						t.Fatalf("delivery %+v: want %d attempts", d, want)
					}
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d logged, %d delivered", total, n, delivered)
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		for i := range n {
			k := destinations.Key("batch", fmt.Sprintf("e%d", i))
			want := 1
			if k == bad {
				want = 2
			}
			if got[k] != want {
				t.Fatalf("event e%d reached the receiver %d times, want %d", i, got[k], want)
			}
		}
		list, _, err := e.q.List(context.Background(), jobs.ListParams{Kinds: []string{destinations.JobKind}})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 || len(list) > n/50 {
			t.Fatalf("%d jobs for %d deliveries matched together: want a few", len(list), n)
		}
	})
}

// A delivery job written by an earlier version (one delivery, its fields
// at the top level) is still delivered after an upgrade.
func TestEarlierVersionsJobIsDelivered(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		got := make(chan string, 4)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- r.Header.Get("Idempotency-Key") + " " + string(b)
		}))
		defer rcv.Close()
		dest := e.saveDest(t, webhook("old", rcv.URL))
		key := destinations.Key("old", "e-old")
		if _, _, err := e.q.Enqueue(context.Background(), jobs.Request{Kind: destinations.JobKind, Key: key, Args: map[string]any{
			"destination_id": dest, "key": key, "profile_id": "p1", "event_id": "e-old", "event_type": "purchase",
			"data": map[string]any{"email": "a@example.com"}}}); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-got:
			if want := key + ` {"email":"a@example.com"}`; s != want {
				t.Fatalf("receiver got %q, want %q", s, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the earlier version's job was not delivered")
		}
		d := waitDelivery(t, e, dest, func(d destinations.Delivery) bool { return d.Status == destinations.StatusDelivered })
		if d.ID != key || d.EventID != "e-old" {
			t.Fatalf("logged %+v", d)
		}
	})
}

// The delivery log of an earlier version (without the batch and data
// columns) is brought up to date, its rows kept.
func TestEarlierDeliveryLogIsUpgraded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracflow.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := destinations.New(st, nil, nil)
	q, err := jobs.OpenSQLite(context.Background(), jobs.QueueFile(path), jobs.Options{Kinds: svc.JobKinds()})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close(context.Background())
	for _, stmt := range []string{`CREATE TABLE destination_deliveries (
		id TEXT PRIMARY KEY, destination_id TEXT NOT NULL, profile_id TEXT NOT NULL DEFAULT '', event_id TEXT NOT NULL DEFAULT '',
		event_type TEXT NOT NULL DEFAULT '', job_id BIGINT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
		max_attempts INTEGER NOT NULL, http_status INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
		latency_ms BIGINT NOT NULL DEFAULT 0, created_us BIGINT NOT NULL, updated_us BIGINT NOT NULL)`,
		`INSERT INTO destination_deliveries VALUES ('k1', 'd1', 'p1', 'e1', 'purchase', 7, 'delivered', 1, 10, 200, '', 3, 1, 1)`} {
		if _, err := q.DB().Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // and again: nothing to do the second time
		if err := svc.Init(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	ds, total, err := svc.Deliveries(context.Background(), "d1", 10, 0)
	if err != nil || total != 1 || ds[0].JobID != 7 || ds[0].Status != destinations.StatusDelivered {
		t.Fatalf("after the upgrade: %+v %d %v", ds, total, err)
	}
	var n int
	if err := q.DB().QueryRow(`SELECT count(*) FROM pragma_table_info('destination_deliveries') WHERE name IN ('batch', 'data')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("added columns: %d %v", n, err)
	}
}

// TestKeysOfTracflowEventsFollowTime checks that the keys of deliveries of
// Tracflow's own event ids (UUIDs of version 7) are ordered by the events'
// time, stay stable and distinct per destination, and that other ids keep
// their hash-only keys.
func TestKeysOfTracflowEventsFollowTime(t *testing.T) {
	a, b := domain.NewID(), ""
	for b <= a { // a later millisecond
		time.Sleep(2 * time.Millisecond)
		b = domain.NewID()
	}
	ka, kb := destinations.Key("d1", a), destinations.Key("d1", b)
	if len(ka) != 32 || len(kb) != 32 || ka >= kb {
		t.Errorf("keys of events %s < %s: %s, %s; want ordered, 32 digits", a, b, ka, kb)
	}
	if !strings.HasPrefix(ka, a[0:8]+a[9:13]) {
		t.Errorf("key %s does not start with the time of event %s", ka, a)
	}
	if destinations.Key("d1", a) != ka || destinations.Key("d2", a) == ka {
		t.Error("a key is not stable, or two destinations share one")
	}
	if k := destinations.Key("d1", "order-1"); len(k) != 32 || k == destinations.Key("d2", "order-1") {
		t.Errorf("the key of a tracker's own event id: %s", k)
	}
	if k := destinations.Key("d1", strings.ToUpper(a)); strings.HasPrefix(k, a[0:8]) {
		t.Errorf("an id that is not in domain.NewID's form got a time prefix: %s", k)
	}
}
