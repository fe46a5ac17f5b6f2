package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// A webhook destination fed by /track: the receiver answers 500 twice, then
// 200; the data arrives mapped, with the resource's token and one
// idempotency key; the delivery log says three attempts; Retry now sends it
// again; /jobs and /metrics show the job.
func TestDestinationDeliveryThroughTheAPI(t *testing.T) {
	e := testenv.New(t, testenv.Options{Background: true})
	var mu sync.Mutex
	var tries []*http.Request
	var bodies []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		tries = append(tries, r)
		bodies = append(bodies, string(b))
		if len(tries) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer rcv.Close()

	e.Admin("POST", "/event-source", map[string]any{"id": "shop", "name": "Shop", "type": []any{"rest"}}).MustOK(t)
	e.Admin("POST", "/resource", map[string]any{"id": "crm", "name": "CRM", "type": "webhook",
		"credentials": map[string]any{"production": map[string]any{"token": "s3cret-token"}, "test": map[string]any{}}}).MustOK(t)
	bad := e.Admin("POST", "/destination", map[string]any{"name": "x", "destination": map[string]any{"package": "webhook", "init": map[string]any{"url": "ftp://x"}}})
	wantError(t, bad, 422, "destination.init.url")
	d := e.Admin("POST", "/destination", map[string]any{"id": "crm-hook", "name": "CRM hook",
		"destination": map[string]any{"package": "webhook", "init": map[string]any{"url": rcv.URL + "/in", "headers": map[string]any{"X-Shop": "1"}}},
		"resource":    map[string]any{"id": "crm"}, "event_type": map[string]any{"id": "purchase"}, "source": map[string]any{"id": "shop"},
		"condition": `event@properties.amount > 10`,
		"mapping":   map[string]any{"who": "profile@id", "amount": "event@properties.amount"}}).MustOK(t).Obj()
	if d["version"] != 1.0 || d["enabled"] != true {
		t.Fatalf("saved destination %v", d)
	}

	tr := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "shop"}, "events": []any{
		map[string]any{"type": "purchase", "properties": map[string]any{"amount": 25}},
		map[string]any{"type": "purchase", "properties": map[string]any{"amount": 5}}, // fails the condition
		map[string]any{"type": "page-view"},
	}}).MustOK(t).Obj()
	pid := obj(tr, "profile")["id"].(string)

	var del map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for {
		page := e.Admin("GET", "/destination/crm-hook/deliveries", nil).MustOK(t).Obj()
		if list, _ := page["result"].([]any); len(list) == 1 {
			del = list[0].(map[string]any)
			if del["status"] == "delivered" {
				if page["total"] != 1.0 {
					t.Fatalf("deliveries page %v", page)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery: %v", page)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if del["attempts"] != 3.0 || del["http_status"] != 200.0 || del["profile_id"] != pid || del["event_type"] != "purchase" {
		t.Fatalf("delivery %v: want 3 attempts ending in 200", del)
	}
	mu.Lock()
	if len(tries) != 3 {
		t.Fatalf("receiver got %d tries, want 3", len(tries))
	}
	for i, r := range tries {
		if r.Header.Get("Idempotency-Key") != del["id"] || r.Header.Get("Authorization") != "Bearer s3cret-token" || r.Header.Get("X-Shop") != "1" {
			t.Fatalf("try %d headers %v", i+1, r.Header)
		}
	}
	if want := fmt.Sprintf(`{"amount":25,"who":%q}`, pid); bodies[2] != want {
		t.Fatalf("body %s, want %s", bodies[2], want)
	}
	mu.Unlock()

	// Retry now: sent again with the same key.
	jobID := del["job_id"].(float64)
	e.Admin("POST", "/destination/crm-hook/delivery/"+del["id"].(string)+"/retry", nil).MustOK(t)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(tries)
		mu.Unlock()
		if n == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retry now did not send: %s", e.Admin("GET", fmt.Sprintf("/job/%d", int64(jobID)), nil).Raw)
		}
	}
	if k := tries[3].Header.Get("Idempotency-Key"); k != del["id"] {
		t.Fatalf("retried with key %q, want %q", k, del["id"])
	}
	if r := e.Admin("POST", "/destination/crm-hook/delivery/nope/retry", nil); r.Status != 404 {
		t.Fatalf("retry of a missing delivery: %d %s", r.Status, r.Raw)
	}

	jobsPage := e.Admin("GET", "/jobs?kind=destination.deliver", nil).MustOK(t).Obj()
	list, _ := jobsPage["result"].([]any)
	if len(list) != 1 || testenv.At(list, "0.id") != jobID {
		t.Fatalf("/jobs %v", jobsPage)
	}
	wantError(t, e.Admin("GET", "/jobs?state=nope", nil), 422, "state")
	if r := e.Admin("GET", "/job/999999", nil); r.Status != 404 {
		t.Fatalf("missing job: %d", r.Status)
	}
	req, _ := http.NewRequest("GET", e.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`tracflow_jobs{kind="destination.deliver",state=`, `tracflow_destination_deliveries_total{status="retrying"} 2`, `tracflow_job_failures_total{kind="destination.deliver"} 2`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	e.Admin("DELETE", "/destination/crm-hook", nil).MustOK(t)
	if r := e.Admin("GET", "/destination/crm-hook/deliveries", nil); r.Status != 404 {
		t.Fatalf("deliveries of a deleted destination: %d", r.Status)
	}
}

func TestDestinationRoutesRoles(t *testing.T) {
	e := testenv.New(t, testenv.Options{Background: true})
	toks := roleUsers(t, e)
	checkRoles(t, e, toks, "GET", "/destinations", nil, "admin", "developer")
	checkRoles(t, e, toks, "GET", "/jobs", nil, "admin", "developer", "maintainer")
}

// Two servers on one PostgreSQL database: deliveries of events tracked on
// either are each worked once in all, and either server's log shows them.
func TestDestinationsTwoServersOnePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a := testenv.New(t, testenv.Options{DSN: dsn, Background: true})
	b := testenv.New(t, testenv.Options{DSN: dsn, DataDir: a.Dir, Background: true}) // same secret key
	var mu sync.Mutex
	got := map[string]int{}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Header.Get("Idempotency-Key")]++
		mu.Unlock()
	}))
	defer rcv.Close()
	a.Admin("POST", "/event-source", map[string]any{"id": "web", "name": "Web", "type": []any{"rest"}}).MustOK(t)
	a.Admin("POST", "/destination", map[string]any{"id": "hook", "name": "Hook", "event_type": map[string]any{"id": "view"}, // not the system events
		"destination": map[string]any{"package": "webhook", "init": map[string]any{"url": rcv.URL}}}).MustOK(t)
	// b would see both within its polling interval; read them now.
	if err := b.Destinations.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Catalog.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		e := a
		if i%2 == 1 {
			e = b
		}
		e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "web"}, "events": []any{map[string]any{"type": "view"}}}).MustOK(t)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		page := b.Admin("GET", "/destination/hook/deliveries?limit=100", nil).MustOK(t).Obj()
		done := 0
		for _, d := range page["result"].([]any) {
			if d.(map[string]any)["status"] == "delivered" {
				done++
			}
		}
		if done == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d", done, n)
		}
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != n {
		t.Fatalf("receiver got %d distinct deliveries, want %d", len(got), n)
	}
	for k, c := range got {
		if c != 1 {
			t.Fatalf("delivery %s received %d times", k, c)
		}
	}
}

// A destination without a mapping sends the profile and the event as they
// were stored (the collector hands the store's JSON on instead of encoding
// them again): on SQLite and on PostgreSQL, the body's documents equal the
// stored ones.
func TestDestinationDefaultMappingSendsTheStoredDocuments(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			opt := testenv.Options{Background: true}
			if backend == "postgres" {
				opt.DSN = storetest.PostgresDSN(t)
			}
			e := testenv.New(t, opt)
			bodies := make(chan []byte, 10)
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				bodies <- b
			}))
			defer rcv.Close()
			e.Admin("POST", "/event-source", map[string]any{"id": "shop", "name": "Shop", "type": []any{"rest"}}).MustOK(t)
			e.Admin("POST", "/destination", map[string]any{"id": "hook", "name": "Hook", "event_type": map[string]any{"id": "purchase"},
				"destination": map[string]any{"package": "webhook", "init": map[string]any{"url": rcv.URL}}}).MustOK(t)
			e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "shop"},
				"profile": map[string]any{"id": "buyer"},
				"events": []any{map[string]any{"type": "purchase", "properties": map[string]any{
					"price": 12.5, "sku": "<b>&\"x\"</b>", "tags": []any{"a", 1.0, nil, true}, "unicode": "żółw ☃"}}}}).MustOK(t)
			var body []byte
			select {
			case body = <-bodies:
			case <-time.After(30 * time.Second):
				t.Fatal("no delivery within 30 s")
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if len(got) != 2 {
				t.Fatalf("body has keys %v, want event and profile", slices.Sorted(maps.Keys(got)))
			}
			ctx := context.Background()
			p, err := e.Store.Profile(ctx, "buyer")
			if err != nil {
				t.Fatal(err)
			}
			evID, _ := got["event"].(map[string]any)["id"].(string)
			ev, err := e.Store.Event(ctx, evID)
			if err != nil {
				t.Fatal(err)
			}
			for name, stored := range map[string]map[string]any{"profile": p, "event": ev} {
				if want := viaJSON(t, stored); !reflect.DeepEqual(got[name], want) {
					t.Errorf("body's %s:\n%v\nwant the stored one:\n%v", name, got[name], want)
				}
			}
			if got["event"].(map[string]any)["properties"].(map[string]any)["sku"] != "<b>&\"x\"</b>" {
				t.Errorf("event properties %v", got["event"].(map[string]any)["properties"])
			}
		})
	}
}

func viaJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
