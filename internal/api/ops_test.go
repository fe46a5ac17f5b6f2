package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

func TestHealthAndReadiness(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	if r := e.Do("GET", "/healthz", "", nil); r.Status != 200 || r.Obj()["status"] != "ok" {
		t.Errorf("healthz: %d %s", r.Status, r.Raw)
	}
	if r := e.Do("GET", "/readyz", "", nil); r.Status != 200 || r.Obj()["status"] != "ready" {
		t.Errorf("readyz: %d %s", r.Status, r.Raw)
	}
	e.Store.Close()
	r := e.Do("GET", "/readyz", "", nil)
	if r.Status != http.StatusServiceUnavailable || r.Obj()["status"] != "unavailable" || !strings.Contains(r.Obj()["detail"].(string), "database") {
		t.Errorf("readyz with the database closed: %d %s", r.Status, r.Raw)
	}
	if r := e.Do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Errorf("healthz with the database closed: %d (liveness does not depend on it)", r.Status)
	}
}

// scrape reads /metrics into "name{labels}" -> value.
func scrape(t *testing.T, e *testenv.Env, token string) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics content type %q", ct)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	for i := 0; i < 3; i++ {
		e.Do("POST", "/track", "", trackBody(src, "p1", "", "page-view")).MustOK(t)
	}
	e.Do("POST", "/track", "", trackBody("no-such-source", "", "", "page-view"))
	e.Admin("GET", "/profile/p1", nil).MustOK(t)
	e.Admin("GET", "/profile/nobody", nil)

	m := scrape(t, e, e.Token)
	want := map[string]float64{
		`tracflow_events_total{status="processed"}`:                                     6, // and profile-created, session-opened, visit-started
		`tracflow_flow_runs_total{flow="count"}`:                                        3,
		`tracflow_flow_run_duration_seconds_count{flow="count"}`:                        3,
		`tracflow_http_requests_total{method="POST",route="/track",status="200"}`:       3,
		`tracflow_http_requests_total{method="GET",route="/profile/{id}",status="200"}`: 1,
		`tracflow_http_requests_total{method="GET",route="/profile/{id}",status="404"}`: 1,
		`tracflow_http_request_duration_seconds_count{method="POST",route="/track"}`:    4,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if n := m[`tracflow_http_requests_total{method="POST",route="/track",status="401"}`]; n != 1 {
		t.Errorf("tracks from an unknown source = %v, want 1", n)
	}
	// Each run calls the flow's plugins: start, increment, add response.
	calls := 0.0
	re := regexp.MustCompile(`^tracflow_plugin_run_duration_seconds_count\{plugin="[^"]+"\}$`)
	for k, v := range m {
		if re.MatchString(k) {
			calls += v
		}
	}
	if calls != 9 {
		t.Errorf("plugin calls counted = %v, want 9 (3 runs of 3 nodes)", calls)
	}
	for _, name := range []string{"tracflow_store_commits_total", "tracflow_store_writes_total", "tracflow_store_queue_length", "go_goroutines"} {
		if _, ok := m[name]; !ok {
			t.Errorf("%s is missing", name)
		}
	}
	if m["tracflow_store_commits_total"] < 1 {
		t.Errorf("no commits counted")
	}
	if _, ok := m[`tracflow_flow_errors_total{flow="count"}`]; ok {
		t.Errorf("a flow error was counted for a flow that did not fail")
	}
}

// TestMetricsAccess: /metrics on the API's address is never public. The
// metrics token or the API token of an admin or maintainer reads it; other
// roles get 403.
func TestMetricsAccess(t *testing.T) {
	for _, metricsToken := range []string{"", "scrape-me"} {
		e := testenv.New(t, testenv.Options{API: api.Options{MetricsToken: metricsToken}})
		toks := roleUsers(t, e)
		for _, tok := range []string{"", "wrong", "scrape-me"} {
			if tok == metricsToken {
				continue
			}
			if r := e.Do("GET", "/metrics", tok, nil); r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("metrics token %q: /metrics with token %q: %d, want 401", metricsToken, tok, r.Status)
			}
		}
		for _, role := range []string{api.RoleDeveloper, api.RoleMarketer} {
			if r := e.Do("GET", "/metrics", toks[role], nil); r.Status != http.StatusForbidden {
				t.Errorf("/metrics as %s: %d, want 403", role, r.Status)
			}
		}
		scrape(t, e, toks[api.RoleAdmin])
		scrape(t, e, toks[api.RoleMaintainer])
		if metricsToken != "" {
			scrape(t, e, metricsToken)
		}
	}
}

// TestMetricsHandler: the handler for a listener of its own (--metrics-addr)
// serves /metrics without a token unless the server has a metrics token, and
// nothing else.
func TestMetricsHandler(t *testing.T) {
	for _, metricsToken := range []string{"", "scrape-me"} {
		e := testenv.New(t, testenv.Options{API: api.Options{MetricsToken: metricsToken}})
		hs := httptest.NewServer(e.Server.MetricsHandler())
		get := func(path, tok string) (int, string) {
			req, _ := http.NewRequest("GET", hs.URL+path, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		code, body := get("/metrics", "")
		if metricsToken == "" && (code != 200 || !strings.Contains(body, "tracflow_store_commits_total")) {
			t.Errorf("metrics listener without a token: %d %.200s", code, body)
		}
		if metricsToken != "" {
			if code != http.StatusUnauthorized {
				t.Errorf("metrics listener with a metrics token, asked without: %d", code)
			}
			if code, body := get("/metrics", metricsToken); code != 200 || !strings.Contains(body, "tracflow_store_commits_total") {
				t.Errorf("metrics listener with the token: %d %.200s", code, body)
			}
		}
		for _, p := range []string{"/", "/profile/p1", "/healthz"} {
			if code, _ := get(p, metricsToken); code != http.StatusNotFound {
				t.Errorf("metrics listener served %s: %d", p, code)
			}
		}
		hs.Close()
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range bytes.Split(s.b.Bytes(), []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		out = append(out, m)
	}
	return out
}

func TestRequestLogs(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := testenv.New(t, testenv.Options{API: api.Options{Log: log}})
	e.Admin("POST", "/event-source", map[string]any{"id": "web", "name": "Web", "enabled": true}).MustOK(t)
	e.Do("POST", "/track", "", trackBody("web", "", "", "page-view")).MustOK(t)
	e.Do("GET", "/healthz", "", nil)
	e.Store.Close()
	e.Admin("GET", "/profile/p1", nil) // the database is gone: 500

	find := func(method, route string, status float64) map[string]any {
		for _, l := range buf.lines(t) {
			if l["msg"] == "request" && l["method"] == method && l["route"] == route && l["status"] == status {
				return l
			}
		}
		t.Fatalf("no log line for %s %s %v in:\n%s", method, route, status, buf.b.String())
		return nil
	}
	l := find("POST", "/event-source", 200)
	if l["level"] != "INFO" || l["user"] != testenv.AdminEmail || l["ms"] == nil || l["path"] != "/event-source" {
		t.Errorf("management request logged as %v", l)
	}
	if l := find("POST", "/track", 200); l["level"] != "DEBUG" {
		t.Errorf("collector request logged as %v", l)
	}
	if l := find("GET", "/healthz", 200); l["level"] != "DEBUG" {
		t.Errorf("health probe logged as %v", l)
	}
	if l := find("GET", "/profile/{id}", 500); l["level"] != "ERROR" {
		t.Errorf("server error logged as %v", l)
	}
	if l := find("POST", "/user/token", 200); l["user"] != nil {
		t.Errorf("the login request names a user before it logged in: %v", l)
	}
}
