package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

// TestTrackRejectsNULAndLongIDs: ids and event types holding NUL (which
// PostgreSQL's text columns refuse with an error the client used to see)
// or longer than 200 bytes are refused with 422 naming the field, before
// anything is stored.
func TestTrackRejectsNULAndLongIDs(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
		long := strings.Repeat("x", 201)
		event := func(k, v string) map[string]any {
			b := trackBody(src, "", "", "page-view")
			b["events"].([]any)[0].(map[string]any)[k] = v
			return b
		}
		ref := func(k, v string) map[string]any {
			b := trackBody(src, "", "", "page-view")
			b[k] = map[string]any{"id": v}
			return b
		}
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"NUL in type", event("type", "page\x00view"), "events[0].type"},
			{"NUL in id", event("id", "ev\x00ent"), "events[0].id"},
			{"long type", event("type", long), "events[0].type"},
			{"long id", event("id", long), "events[0].id"},
			{"NUL in profile", ref("profile", "p\x00"), "profile.id"},
			{"NUL in session", ref("session", "s\x00"), "session.id"},
			{"NUL in source", ref("source", "web\x00"), "source.id"},
			{"long session", ref("session", long), "session.id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantError(t, e.Do("POST", "/track", "", c.body), http.StatusUnprocessableEntity, c.field)
			})
		}
		// The webhook's path and query values.
		wantError(t, e.Do("GET", "/collect/page%00view/web", "", nil), http.StatusUnprocessableEntity, "event_type")
		wantError(t, e.Do("GET", "/collect/page-view/web?profile_id=a%00b", "", nil), http.StatusUnprocessableEntity, "profile_id")
		wantError(t, e.Do("POST", "/collect/"+long+"/web", "", map[string]any{}), http.StatusUnprocessableEntity, "event_type")
		if n := e.Admin("POST", "/event/select", map[string]any{}).MustOK(t).Obj()["total"]; n != 0.0 {
			t.Errorf("%v events stored, want none", n)
		}
		// A good event still goes through.
		e.Do("POST", "/track", "", trackBody(src, "", "", "page-view")).MustOK(t)
	})
}

// TestManagementRejectsNULAndLongIDs: ids in management paths and bodies,
// and NUL anywhere in a body, are 422 naming the field.
func TestManagementRejectsNULAndLongIDs(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		long := strings.Repeat("x", 201)
		for _, p := range []string{"/flow/metadata/a%00b", "/rule/a%00b", "/event-source/a%00b", "/resource/a%00b", "/user/a%00b", "/event/a%00b", "/profile/" + long} {
			wantError(t, e.Admin("GET", p, nil), http.StatusUnprocessableEntity, "id")
		}
		wantError(t, e.Admin("DELETE", "/flow/a%00b", nil), http.StatusUnprocessableEntity, "id")
		wantError(t, e.Admin("POST", "/event-source", map[string]any{"id": "web\x00", "name": "Web", "type": []any{"rest"}}), http.StatusUnprocessableEntity, "id")
		wantError(t, e.Admin("POST", "/flow/metadata", map[string]any{"id": long, "name": "Long"}), http.StatusUnprocessableEntity, "id")
		wantError(t, e.Admin("POST", "/rule", map[string]any{"name": "r", "event_type": map[string]any{"id": "a\x00"}}), http.StatusUnprocessableEntity, "event_type.id")
		wantError(t, e.Admin("POST", "/user", map[string]any{"email": long + "@example.com", "password": "a good long password", "roles": []any{"admin"}}), http.StatusUnprocessableEntity, "email")
		wantError(t, e.Admin("POST", "/event/select", map[string]any{"where": "type == \"a\x00\""}), http.StatusUnprocessableEntity, "where")
	})
}

// TestSelectBoundsTheCondition: thousands of field == value terms joined by
// AND made SQLite fail ("Expression tree is too large") with a 500.
func TestSelectBoundsTheCondition(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		var terms, values []string
		for i := 0; i < 1100; i++ {
			terms = append(terms, fmt.Sprintf(`type == "t%d"`, i))
		}
		for i := 0; i < 10_001; i++ {
			values = append(values, fmt.Sprintf(`"t%d"`, i))
		}
		for _, where := range []string{strings.Join(terms, " AND "), "type == [" + strings.Join(values, ",") + "]"} {
			r := e.Admin("POST", "/event/select", map[string]any{"where": where})
			wantError(t, r, http.StatusUnprocessableEntity, "where")
			r = e.Admin("POST", "/event/select/histogram", map[string]any{"where": where})
			wantError(t, r, http.StatusUnprocessableEntity, "where")
		}
		// Within the bounds, both shapes work.
		e.Admin("POST", "/event/select", map[string]any{"where": strings.Join(terms[:64], " AND ")}).MustOK(t)
		e.Admin("POST", "/event/select", map[string]any{"where": "type == [" + strings.Join(values[:10_000], ",") + "]"}).MustOK(t)
	})
}

// logBuffer is a log destination handlers may write to concurrently.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *logBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSlowBodyIs408: a client that sends part of its body and stalls past
// the server's read timeout gets 408, on every body reader (collector,
// management, data search), and the log has no ERROR line.
func TestSlowBodyIs408(t *testing.T) {
	var logs logBuffer
	e := testenv.New(t, testenv.Options{API: api.Options{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}})
	hs := httptest.NewUnstartedServer(e.Server.Handler())
	hs.Config.ReadTimeout = 300 * time.Millisecond
	hs.Start()
	defer hs.Close()
	for _, path := range []string{"/track", "/collect/page-view/web", "/flow/draft", "/event/select", "/flow/import"} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", hs.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: tracflow\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"source\": ", path, e.Token)
			// Then nothing: the server's read timeout passes.
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("status %d, want 408", resp.StatusCode)
			}
		})
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("slow bodies were logged as errors:\n%s", logs.String())
	}
}

// TestInternalErrorsKeepTheirTextInTheLog: when the database fails, the
// answer is a generic 500 with a request id; the database's own words go
// to the log, under that id.
func TestInternalErrorsKeepTheirTextInTheLog(t *testing.T) {
	var logs logBuffer
	e := testenv.New(t, testenv.Options{API: api.Options{Log: slog.New(slog.NewTextHandler(&logs, nil))}})
	src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	e.Store.Close() // every query now fails
	r := e.Do("POST", "/track", "", trackBody(src, "", "", "page-view"))
	if r.Status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500: %s", r.Status, r.Raw)
	}
	id, _ := r.Obj()["request_id"].(string)
	if id == "" || r.Header.Get("X-Request-Id") != id || !strings.Contains(r.Obj()["detail"].(string), id) {
		t.Errorf("the answer should carry the request id: %s (header %q)", r.Raw, r.Header.Get("X-Request-Id"))
	}
	for _, leak := range []string{"sql", "closed", "database", "store"} {
		if strings.Contains(strings.ToLower(string(r.Raw)), leak) {
			t.Errorf("the answer leaks %q: %s", leak, r.Raw)
		}
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "request_id="+id) {
			line = l
		}
	}
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "closed") {
		t.Errorf("the log should hold the error under request id %s:\n%s", id, logs.String())
	}
}
