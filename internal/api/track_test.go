package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/testenv"
)

func trackBody(source, profile, session string, events ...string) map[string]any {
	evs := []any{}
	for _, t := range events {
		evs = append(evs, map[string]any{"type": t, "properties": map[string]any{"n": 1}})
	}
	b := map[string]any{"source": map[string]any{"id": source}, "events": evs}
	if profile != "" {
		b["profile"] = map[string]any{"id": profile}
	}
	if session != "" {
		b["session"] = map[string]any{"id": session}
	}
	return b
}

func TestTrackCreatesProfileAndCountsThroughAFlow(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")

	r := e.Do("POST", "/track", "", trackBody(src, "", "", "page-view")).MustOK(t)
	body := r.Obj()
	pid := testenv.At(body, "profile.id").(string)
	sid := testenv.At(body, "session.id").(string)
	if pid == "" || sid == "" {
		t.Fatalf("no profile or session id: %s", r.Raw)
	}
	if got := testenv.At(body, "response.views.value"); got != 1.0 {
		t.Fatalf("response views = %v, want 1: %s", got, r.Raw)
	}
	for i := 2; i <= 3; i++ {
		r = e.Do("POST", "/track", "", trackBody(src, pid, sid, "page-view")).MustOK(t)
		if got := r.At("response.views.value"); got != float64(i) {
			t.Fatalf("request %d: views = %v", i, got)
		}
	}
	p := e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
	if v := testenv.At(p, "stats.views"); v != 3.0 {
		t.Errorf("stored profile views = %v, want 3", v)
	}
	if v := testenv.At(p, "metadata.time.visit.count"); v != 1.0 {
		t.Errorf("stored profile visit count = %v, want 1 (one session)", v)
	}
	evs := e.Admin("GET", "/profile/"+pid+"/events?limit=2", nil).MustOK(t).Obj()
	if evs["total"] != 6.0 || len(evs["result"].([]any)) != 2 { // 3 page views and 3 system events
		t.Fatalf("events: %v", evs)
	}
	first := evs["result"].([]any)[0].(map[string]any)
	md := first["metadata"].(map[string]any)
	if md["status"] != "processed" {
		t.Errorf("event status = %v", md["status"])
	}
	if flows := testenv.At(md, "processed_by.flows").([]any); len(flows) != 1 || flows[0] != "count" {
		t.Errorf("processed_by.flows = %v", flows)
	}
}

func TestTrackStatusCodes(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/event-source", map[string]any{"id": "on", "name": "On", "enabled": true}).MustOK(t)
	e.Admin("POST", "/event-source", map[string]any{"id": "off", "name": "Off", "enabled": false}).MustOK(t)
	many := make([]string, 1001)
	for i := range many {
		many[i] = "x"
	}
	cases := []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{"unknown source", trackBody("nope", "", "", "a"), 401, "unknown event source"},
		{"disabled source", trackBody("off", "", "", "a"), 401, "disabled"},
		{"not JSON", "{not json", 400, "not valid JSON"},
		{"no events", map[string]any{"source": map[string]any{"id": "on"}}, 422, "events"},
		{"event without type", map[string]any{"source": map[string]any{"id": "on"}, "events": []any{map[string]any{"type": "a"}, map[string]any{"type": "b"}, map[string]any{"properties": map[string]any{}}}}, 422, "events[2].type"},
		{"type not a string", map[string]any{"source": map[string]any{"id": "on"}, "events": []any{map[string]any{"type": 5}}}, 422, "events[0].type: expected a string"},
		{"source missing", map[string]any{"events": []any{map[string]any{"type": "a"}}}, 422, "source"},
		{"too many events", trackBody("on", "", "", many...), 413, "at most 1000"},
		{"too large", `{"source":{"id":"on"},"events":[{"type":"a","properties":{"x":"` + strings.Repeat("a", 1<<20) + `"}}]}`, 413, "larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("POST", "/track", "", c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
			}
			if d, _ := r.Obj()["detail"].(string); !strings.Contains(d, c.detail) {
				t.Errorf("detail %q does not mention %q", d, c.detail)
			}
		})
	}
}

func TestBrowserTrackerRequest(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Setup("site", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	// Preflight as a browser on another origin sends it.
	req, _ := http.NewRequest("OPTIONS", e.URL+"/track", nil)
	req.Header.Set("Origin", "https://shop.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-timestamp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode >= 300 || h.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-timestamp") || h.Get("Access-Control-Allow-Credentials") != "" || h.Get("Access-Control-Max-Age") == "" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, h)
	}
	body := `{"source":{"id":"site"},"context":{"time":{"local":"11/26/2026, 1:00:00 PM","tz":"Europe/Warsaw"},"browser":{"local":{"userAgent":"Mozilla/5.0"}}},
	 "profile":null,"device":{"id":"7f1c5a7e-0000-4000-8000-000000000001"},"session":{"id":"browser-made-session-1"},"options":{},
	 "events":[{"type":"page-view","time":{"create":"2026-11-26T13:00:00.000Z"},"properties":{},"options":{},"context":{"page":{"url":"https://shop.example.com/","path":"/","title":"Shop"}}}]}`
	req, _ = http.NewRequest("POST", e.URL+"/track", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://shop.example.com")
	req.Header.Set("X-Timestamp", "1795000000000")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	// The source lists no origins: any page may send its events, and no
	// answer allows credentials.
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("track: %d %v %v", resp.StatusCode, resp.Header, out)
	}
	if testenv.At(out, "session.id") != "browser-made-session-1" {
		t.Errorf("the browser's session id was not kept: %v", out["session"])
	}
	pid := testenv.At(out, "profile.id").(string)
	// The next page load sends the profile id it got first.
	body2 := strings.Replace(strings.Replace(body, `"profile":null`, `"profile":{"id":"`+pid+`"}`, 1), "browser-made-session-1", "browser-made-session-2", 1)
	r := e.Do("POST", "/track", "", body2).MustOK(t)
	if r.At("profile.id") != pid {
		t.Fatalf("second page load got another profile: %s", r.Raw)
	}
	p := e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
	if testenv.At(p, "metadata.time.visit.count") != 2.0 || testenv.At(p, "stats.views") != 2.0 {
		t.Errorf("profile = %v, want 2 visits and 2 views", p)
	}
}

func TestRulesRunEveryFlowInOrderAndSurviveAFailure(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/event-source", map[string]any{"id": "s", "name": "S"}).MustOK(t)
	flows := []struct{ id, json string }{
		{"a-first", testenv.CounterFlow("a-first", "traits.n", "first")},
		{"b-broken", testenv.FlowJSON("b-broken", []testenv.Node{{ID: "start", Module: testenv.Start}, {ID: "boom", Module: testenv.RaiseErr, Init: map[string]any{"message": "deliberate failure"}}}, "start.payload>boom")},
		{"c-second", testenv.CounterFlow("c-second", "traits.n", "second")},
	}
	for i, f := range flows {
		var doc map[string]any
		json.Unmarshal([]byte(f.json), &doc)
		e.Admin("POST", "/flow/production", doc).MustOK(t)
		e.Admin("POST", "/rule", map[string]any{"name": fmt.Sprintf("rule %d", i), "event_type": map[string]any{"id": "buy"},
			"source": map[string]any{"id": "s"}, "flow": map[string]any{"id": f.id}}).MustOK(t)
	}
	r := e.Do("POST", "/track", "", trackBody("s", "p1", "", "buy")).MustOK(t).Obj()
	resp := r["response"].(map[string]any)
	if testenv.At(resp, "first.value") != 1.0 || testenv.At(resp, "second.value") != 2.0 {
		t.Errorf("the second flow did not see the first one's change: %v", resp)
	}
	errs := r["errors"].([]any)
	if len(errs) != 1 || !strings.Contains(errs[0].(string), "deliberate failure") {
		t.Errorf("errors = %v", errs)
	}
	evs := e.Admin("POST", "/event/select", map[string]any{"where": `profile.id == "p1" and type == "buy"`}).MustOK(t).Obj()["result"].([]any)
	md := testenv.At(evs, "0.metadata").(map[string]any)
	if md["status"] != "error" || len(testenv.At(md, "processed_by.flows").([]any)) != 3 {
		t.Errorf("stored event metadata = %v", md)
	}
}

func TestNoLostUpdatesSQLite(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("s", testenv.CounterFlow("count", "stats.counters.n", "n"), "hit")
	const n = 1000
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var failed sync.Map
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := e.Do("POST", "/track", "", trackBody(src, "hot-profile", "hot-session", "hit"))
			if r.Status != 200 {
				failed.Store(r.Status, string(r.Raw))
			}
		}()
	}
	wg.Wait()
	failed.Range(func(k, v any) bool { t.Errorf("a request failed: %v %v", k, v); return true })
	p := e.Admin("GET", "/profile/hot-profile", nil).MustOK(t).Obj()
	if got := testenv.At(p, "stats.counters.n"); got != float64(n) {
		t.Fatalf("counter = %v after %d concurrent requests, want %d", got, n, n)
	}
}

func TestSetupAPINeedsAToken(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for _, rt := range e.Server.Routes() {
		if len(rt.Roles) == 0 {
			continue
		}
		path := strings.NewReplacer("{id}", "x", "{event_type}", "x", "{source_id}", "x").Replace(rt.Path)
		for _, tok := range []string{"", "not-a-token"} {
			r := e.Do(rt.Method, path, tok, map[string]any{})
			if r.Status != 401 {
				t.Errorf("%s %s with token %q: %d, want 401", rt.Method, rt.Path, tok, r.Status)
			}
		}
	}
	r := e.Do("POST", "/user/token", "", "username=admin@example.com&password=wrong")
	if r.Status != 422 && r.Status != 401 {
		t.Errorf("bad login: %d", r.Status)
	}
}

func TestProfileLessAndSaveOptions(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("s", testenv.CounterFlow("count", "stats.views", "views"), "page-view")

	r := e.Do("POST", "/track?profile_less=true", "", trackBody(src, "", "", "page-view")).MustOK(t).Obj()
	if r["profile"] != nil {
		t.Errorf("profile-less request answered a profile: %v", r["profile"])
	}
	if errs := r["errors"].([]any); len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}

	// saveProfile=false: the flow runs, nothing of the profile is stored.
	body := trackBody(src, "unsaved", "", "page-view")
	body["options"] = map[string]any{"saveProfile": false}
	r = e.Do("POST", "/track", "", body).MustOK(t).Obj()
	if testenv.At(r, "response.views.value") != 1.0 {
		t.Errorf("response %v", r["response"])
	}
	if got := e.Admin("GET", "/profile/unsaved", nil); got.Status != 404 {
		t.Errorf("profile with saveProfile=false is stored: %d", got.Status)
	}

	// saveEvents=false: the profile is stored, the event is not.
	body = trackBody(src, "no-events", "", "page-view")
	body["options"] = map[string]any{"saveEvents": false}
	e.Do("POST", "/track", "", body).MustOK(t)
	e.Admin("GET", "/profile/no-events", nil).MustOK(t)
	if evs := e.Admin("GET", "/profile/no-events/events", nil).MustOK(t).Obj(); evs["total"] != 0.0 {
		t.Errorf("events stored with saveEvents=false: %v", evs["total"])
	}
}

func TestCollectWebhook(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("hook", testenv.CounterFlow("count", "stats.counters.orders", "orders"), "order")
	// POST with a session: the event belongs to the session's profile.
	r := e.Do("POST", "/track", "", trackBody(src, "buyer", "buyer-session", "visit")).MustOK(t)
	_ = r
	r = e.Do("POST", "/collect/order/"+src+"/buyer-session", "", map[string]any{"total": 99.5}).MustOK(t)
	if r.At("profile.id") != "buyer" {
		t.Fatalf("webhook event did not go to the session's profile: %s", r.Raw)
	}
	evs := e.Admin("GET", "/profile/buyer/events", nil).MustOK(t).Obj()["result"].([]any)
	props := testenv.At(evs, "0.properties").(map[string]any)
	if testenv.At(evs, "0.type") != "order" || props["total"] != 99.5 {
		t.Errorf("stored webhook event: %v", evs[0])
	}
	// GET: properties from the query; without a session: profile-less.
	r = e.Do("GET", "/collect/order/"+src+"?total=5&sku=a&sku=b", "", nil).MustOK(t)
	if r.Obj()["profile"] != nil {
		t.Errorf("GET webhook without a session made a profile: %s", r.Raw)
	}
	// GET with ?profile_id=: the event belongs to that profile, and the
	// query's values are its properties (a repeated one a list), without
	// profile_id.
	r = e.Do("GET", "/collect/order/"+src+"?total=5&sku=a&sku=b&profile_id=buyer", "", nil).MustOK(t)
	if p, _ := r.Obj()["profile"].(map[string]any); p == nil || p["id"] != "buyer" {
		t.Fatalf("GET webhook with ?profile_id=buyer: %s", r.Raw)
	}
	evs = e.Admin("GET", "/profile/buyer/events", nil).MustOK(t).Obj()["result"].([]any)
	want := map[string]any{"total": "5", "sku": []any{"a", "b"}}
	// Three webhook events and the first one's profile-created, session-opened, visit-started.
	if len(evs) != 6 || !reflect.DeepEqual(testenv.At(evs, "0.properties"), want) {
		t.Errorf("stored GET webhook event: %v, want properties %v", evs, want)
	}
	// An unknown source is refused.
	if r = e.Do("GET", "/collect/order/nope", "", nil); r.Status != 401 {
		t.Errorf("unknown source: %d", r.Status)
	}
}

func TestAliasFindsTheProfile(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("s", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	// A profile known under an old id (as after a merge).
	p := map[string]any{"id": "survivor", "ids": []any{"old-id"}, "stats": map[string]any{"views": 5.0}}
	if err := e.Store.Apply(t.Context(), &store.ChangeSet{Profiles: []store.Doc{p}}); err != nil {
		t.Fatal(err)
	}
	r := e.Do("POST", "/track", "", trackBody(src, "old-id", "", "page-view")).MustOK(t).Obj()
	if testenv.At(r, "profile.id") != "survivor" {
		t.Fatalf("tracking with an alias answered %v", r["profile"])
	}
	if v := testenv.At(r, "response.views.value"); v != 6.0 {
		t.Errorf("views = %v, want 6", v)
	}
	if got := e.Admin("GET", "/profile/old-id", nil).MustOK(t).Obj()["id"]; got != "survivor" {
		t.Errorf("GET by alias = %v", got)
	}
}

func TestTrackerDebugFlagRunsNoDebugNodes(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	// An Inject start node (debug-only) feeding a counter: a public tracker
	// asking for debug must not set it off, nor get the flow's internals.
	flow := testenv.FlowJSON("inj", []testenv.Node{
		{ID: "inject", Module: "tracardi.process_engine.action.v1.inject_action", Init: map[string]any{"value": `{"a": 1}`, "destination": "payload"}},
		{ID: "inc", Module: testenv.Increment, Init: map[string]any{"field": "profile@stats.counters.injected", "increment": 1}},
	}, "inject.payload>inc")
	src := e.Setup("s", flow, "page-view")
	body := trackBody(src, "dbg", "", "page-view")
	body["debug"] = true
	r := e.Do("POST", "/track", "", body).MustOK(t).Obj()
	if _, leaked := r["debugInfo"]; leaked {
		t.Errorf("the collector answered debug info: %v", r["debugInfo"])
	}
	if ids, _ := r["events"].([]any); len(ids) != 1 {
		t.Errorf("events ids: %v", r["events"])
	}
	p := e.Admin("GET", "/profile/dbg", nil).MustOK(t).Obj()
	if n := testenv.At(p, "stats.counters"); n != nil && n.(map[string]any)["injected"] != nil {
		t.Errorf("a debug-only node ran in the collector: %v", n)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for _, path := range []string{"/healthz", "/user/me", "/nope"} {
		r := e.Do("GET", path, "", nil)
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" ||
			!strings.HasPrefix(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: headers %v", path, r.Header)
		}
	}
}

// TestTrackerFiles serves a tracker folder and tries to read, through it,
// a secret beside the folder (by "..", encoded "%2e%2e" and a symbolic link)
// and dotfiles inside it: over the wire, with the raw request line, so that
// no client cleans the path, and by calling the server's handler directly.
func TestTrackerFiles(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "tracker")
	for name, text := range map[string]string{
		"secret-beside.txt":         "SECRET",
		"tracker/liliput.min.js":    "console.log('tracker')",
		"tracker/.env":              "SECRET",
		"tracker/.git/config":       "SECRET",
		"tracker/lib/.hidden.js":    "SECRET",
		"tracker/lib/helper.min.js": "helper()",
	} {
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../secret-beside.txt", filepath.Join(dir, "link-out.js")); err != nil {
		t.Fatal(err)
	}
	e := testenv.New(t, testenv.Options{API: api.Options{TrackerDir: dir}})
	req, _ := http.NewRequest("GET", e.URL+"/tracker/liliput.min.js", nil)
	req.Header.Set("Origin", "https://shop.example.com")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "console.log('tracker')" || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("tracker file: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	refused := []string{
		"/tracker/../secret-beside.txt",
		"/tracker/%2e%2e/secret-beside.txt",
		"/tracker/%2E%2E/secret-beside.txt",
		"/tracker/lib/%2e%2e/%2e%2e/secret-beside.txt",
		"/tracker/lib%2f%2e%2e%2f%2e%2e%2fsecret-beside.txt",
		"/tracker/link-out.js",
		"/tracker/.env",
		"/tracker/%2eenv",
		"/tracker/.git/config",
		"/tracker/lib/.hidden.js",
		"/tracker/lib",
		"/tracker/",
	}
	for _, path := range refused {
		// Over the wire, the request line as written.
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		refusedAnswer(t, "over the wire: "+path, resp.StatusCode, string(body))
		// The handler itself, with the path decoded as net/http decodes it.
		rec := httptest.NewRecorder()
		e.Server.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		refusedAnswer(t, "handler: "+path, rec.Code, rec.Body.String())
	}
	if resp, err := http.Get(e.URL + "/tracker/lib/helper.min.js"); err != nil {
		t.Error(err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "helper()" {
			t.Errorf("a file in a sub-folder: %d %s", resp.StatusCode, body)
		}
	}
	// Without a folder, the answer says how to provide one.
	plain := testenv.New(t, testenv.Options{})
	if r := plain.Do("GET", "/tracker/bundle.js", "", nil); r.Status != 404 || !strings.Contains(r.Obj()["detail"].(string), "--tracker-dir") {
		t.Errorf("without a tracker folder: %d %s", r.Status, r.Raw)
	}
}

// refusedAnswer fails unless the answer is a 404 (or the router's redirect
// of a path it cleaned, which serves nothing either) without the secret.
func refusedAnswer(t *testing.T, what string, code int, body string) {
	t.Helper()
	if strings.Contains(body, "SECRET") {
		t.Errorf("%s served a secret: %d %q", what, code, body)
	}
	if code != http.StatusNotFound && code != http.StatusMovedPermanently && code != http.StatusTemporaryRedirect {
		t.Errorf("%s: %d %q, want 404", what, code, body)
	}
}
