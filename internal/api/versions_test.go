package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// doIfMatch sends a request as the admin with an If-Match header.
func doIfMatch(t *testing.T, e *testenv.Env, method, path, etag string, body any) int {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.URL+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+e.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func wantStale(t *testing.T, r *testenv.Response, what string) {
	t.Helper()
	if r.Status != http.StatusConflict || !strings.Contains(r.Obj()["detail"].(string), "someone else") {
		t.Fatalf("%s: %d %s, want 409 saying it changed", what, r.Status, r.Raw)
	}
}

func TestUserVersions(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/user", map[string]any{"email": "dan@example.com", "password": "dan's first password", "roles": []any{"developer"}}).MustOK(t)
	r := e.Admin("GET", "/user/dan@example.com", nil).MustOK(t)
	v := r.Obj()["version"].(float64)
	if r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, int(v)) {
		t.Fatalf("ETag %q for version %v", r.Header.Get("ETag"), v)
	}
	// Two admins opened dan at version v. One disables him...
	u := e.Admin("POST", "/user/dan@example.com", map[string]any{"disabled": true, "version": v}).MustOK(t).Obj()
	if u["version"].(float64) != v+1 {
		t.Fatalf("version after the change: %v, want %v", u["version"], v+1)
	}
	// ...the other's edit from the same version is refused, by body or
	// If-Match, and does not undo the disable.
	wantStale(t, e.Admin("POST", "/user/dan@example.com", map[string]any{"disabled": false, "full_name": "Dan", "version": v}), "stale user change")
	if code := doIfMatch(t, e, "POST", "/user/dan@example.com", fmt.Sprintf(`"%d"`, int(v)), map[string]any{"disabled": false}); code != http.StatusConflict {
		t.Fatalf("stale If-Match: %d, want 409", code)
	}
	if code := doIfMatch(t, e, "POST", "/user/dan@example.com", fmt.Sprintf(`"%d"`, int(v)+1), map[string]any{"full_name": "Dan"}); code != http.StatusOK {
		t.Fatalf("current If-Match: %d, want 200", code)
	}
	wantError(t, e.Admin("POST", "/user/dan@example.com", map[string]any{"full_name": "D", "version": "3"}), http.StatusUnprocessableEntity, "version")
	if got := e.Admin("GET", "/user/dan@example.com", nil).MustOK(t).Obj(); got["disabled"] != true || got["full_name"] != "Dan" {
		t.Fatalf("user after the refused changes: %v", got)
	}
}

// TestUserChangesWithoutVersionKeepEachOther: changes sent without a
// version apply field by field: a concurrent rename never undoes a
// disable (the reported lost update).
func TestUserChangesWithoutVersionKeepEachOther(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for i := range 10 {
		email := fmt.Sprintf("u%d@example.com", i)
		e.Admin("POST", "/user", map[string]any{"email": email, "password": "a long password here", "roles": []any{"developer"}}).MustOK(t)
		var wg sync.WaitGroup
		wg.Go(func() { e.Admin("POST", "/user/"+email, map[string]any{"disabled": true}).MustOK(t) })
		for j := range 4 {
			wg.Go(func() { e.Admin("POST", "/user/"+email, map[string]any{"full_name": fmt.Sprint("name ", j)}).MustOK(t) })
		}
		wg.Wait()
		if got := e.Admin("GET", "/user/"+email, nil).MustOK(t).Obj(); got["disabled"] != true {
			t.Fatalf("round %d: a concurrent rename undid the disable: %v", i, got)
		}
	}
}

func TestFlowDraftVersions(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	const id = "versioned-flow"
	e.Admin("POST", "/flow/metadata", map[string]any{"id": id, "name": "Versioned"}).MustOK(t)
	// A flow without a draft answers version 0: saving from it creates the
	// draft, once.
	d := e.Admin("GET", "/flow/draft/"+id, nil).MustOK(t).Obj()
	if d["version"] != 0.0 {
		t.Fatalf("version of a missing draft: %v, want 0", d["version"])
	}
	flow := flowDoc(t, testenv.CounterFlow(id, "stats.counters.n", "n"))
	flow["version"] = 0.0
	saved := e.Admin("POST", "/flow/draft", flow).MustOK(t).Obj()
	if saved["version"] != 1.0 {
		t.Fatalf("first save: %v", saved)
	}
	wantStale(t, e.Admin("POST", "/flow/draft", flow), "second editor creating the same draft")

	// Two editors opened version 1; one adds nodes, the other's save from
	// version 1 is refused instead of dropping them.
	opened := e.Admin("GET", "/flow/draft/"+id, nil).MustOK(t)
	if opened.Header.Get("ETag") != `"1"` {
		t.Fatalf("draft ETag %q", opened.Header.Get("ETag"))
	}
	first := opened.Obj()
	second := flowDoc(t, string(opened.Raw))
	graph := obj(first, "flowGraph")
	graph["nodes"] = append(graph["nodes"].([]any), map[string]any{"id": "extra", "type": "flowNode", "data": map[string]any{}})
	if r := e.Admin("POST", "/flow/draft", first).MustOK(t).Obj(); r["version"] != 2.0 {
		t.Fatalf("save from version 1: %v", r)
	}
	wantStale(t, e.Admin("POST", "/flow/draft", second), "stale draft save")
	nodes := obj(e.Admin("GET", "/flow/draft/"+id, nil).MustOK(t).Obj(), "flowGraph")["nodes"].([]any)
	if len(nodes) != 4 {
		t.Fatalf("the refused save changed the draft: %d nodes, want 4", len(nodes))
	}
	// Deploying the stale version is refused too; the current one deploys.
	second["version"] = 1.0
	wantStale(t, e.Admin("POST", "/flow/production", second), "deploy of a stale draft version")
	wantError(t, e.Admin("GET", "/flow/production/"+id, nil), http.StatusNotFound, "")
	cur := flowDoc(t, testenv.CounterFlow(id, "stats.counters.n", "n"))
	cur["version"] = 2.0
	if r := e.Admin("POST", "/flow/draft", cur).MustOK(t).Obj(); r["version"] != 3.0 {
		t.Fatalf("save: %v", r)
	}
	cur["version"] = 3.0
	e.Admin("POST", "/flow/production", cur).MustOK(t)
	// Without a version, saves and deploys apply as before.
	delete(cur, "version")
	e.Admin("POST", "/flow/draft", cur).MustOK(t)
	e.Admin("POST", "/flow/production", cur).MustOK(t)
	// Imports replace the draft whatever version an exported flow carries.
	cur["version"] = 99.0
	e.Admin("POST", "/flow/import", cur).MustOK(t)

	// Metadata: a stale rename is refused.
	m := e.Admin("GET", "/flow/metadata/"+id, nil).MustOK(t).Obj()
	e.Admin("POST", "/flow/metadata", map[string]any{"id": id, "name": "Renamed", "version": m["version"]}).MustOK(t)
	wantStale(t, e.Admin("POST", "/flow/metadata", map[string]any{"id": id, "name": "Lost", "version": m["version"]}), "stale metadata")
}

// TestConcurrentDraftSavesFromOneVersion: of many saves made from one
// version, exactly one is stored; the others are told.
func TestConcurrentDraftSavesFromOneVersion(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	const id = "raced"
	base := flowDoc(t, testenv.CounterFlow(id, "stats.counters.n", "n"))
	v := e.Admin("POST", "/flow/draft", base).MustOK(t).Obj()["version"]
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 8 {
		wg.Go(func() {
			d := flowDoc(t, testenv.CounterFlow(id, "stats.counters.n", "n"))
			d["version"] = v
			r := e.Admin("POST", "/flow/draft", d)
			mu.Lock()
			codes[r.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[200] != 1 || codes[409] != 7 {
		t.Fatalf("answers %v, want one 200 and seven 409", codes)
	}
}

func TestRuleSourceResourceVersions(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Admin("POST", "/event-source", map[string]any{"id": "web", "name": "Web"}).MustOK(t).Obj()
	if src["version"] != 1.0 {
		t.Fatalf("new source: %v", src)
	}
	list := e.Admin("GET", "/event-sources", nil).MustOK(t).Obj()["result"].([]any)
	if testenv.At(list, "0.version") != 1.0 {
		t.Fatalf("listed source without its version: %v", list)
	}
	// Enabling keeps the version moving; a save from the version read
	// before is refused.
	e.Admin("GET", "/event-source/web/enable/no", nil).MustOK(t)
	src["description"] = "edited"
	wantStale(t, e.Admin("POST", "/event-source", src), "stale source save")
	if got := e.Admin("GET", "/event-source/web", nil).MustOK(t).Obj(); got["enabled"] != false {
		t.Fatalf("the refused save undid the disable: %v", got)
	}
	delete(src, "version")
	e.Admin("POST", "/event-source", src).MustOK(t) // no version: last write wins

	e.Admin("POST", "/flow/metadata", map[string]any{"id": "f", "name": "F"}).MustOK(t)
	rule := e.Admin("POST", "/rule", map[string]any{"name": "R", "event_type": map[string]any{"id": "x"}, "source": map[string]any{"id": "web"}, "flow": map[string]any{"id": "f"}}).MustOK(t).Obj()
	e.Admin("POST", "/rule", rule).MustOK(t) // from its own version
	wantStale(t, e.Admin("POST", "/rule", rule), "stale rule save")
	rule["version"] = 0.0
	if r := e.Admin("POST", "/rule", rule); r.Status != http.StatusConflict || !strings.Contains(string(r.Raw), "already exists") {
		t.Fatalf("creating an existing rule with version 0: %d %s", r.Status, r.Raw)
	}

	res := e.Admin("POST", "/resource", map[string]any{"name": "SMTP", "type": "smtp-server", "credentials": map[string]any{"production": map[string]any{"password": "s3cret"}}}).MustOK(t).Obj()
	if res["version"] != 1.0 {
		t.Fatalf("new resource: %v", res)
	}
	rid := res["id"].(string)
	e.Admin("POST", "/resource", res).MustOK(t)
	wantStale(t, e.Admin("POST", "/resource", res), "stale resource save")
	if got := e.Admin("GET", "/resource/"+rid, nil).MustOK(t); got.Header.Get("ETag") != `"2"` {
		t.Fatalf("resource ETag %q", got.Header.Get("ETag"))
	}
}
