package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// send posts body to path with an Origin header ("" for none).
func send(t *testing.T, e *testenv.Env, method, path, origin, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if method == "OPTIONS" {
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// TestTrackOriginsPerSource: a source's allowed_origins decides which pages
// may send its events; preflights are answered for any origin (the source id
// is in the body), no answer allows credentials, and a page of another
// origin (even "null") gets a 403 and stores nothing.
func TestTrackOriginsPerSource(t *testing.T) {
	onEachBackend(t, func(t *testing.T, e *testenv.Env) {
		e.Setup("shop", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
		r := e.Admin("POST", "/event-source", map[string]any{"id": "shop", "name": "Shop", "enabled": true,
			"allowed_origins": []any{"https://Shop.Example.com:443", "https://*.example.org"}}).MustOK(t)
		if got := r.Obj()["allowed_origins"]; len(got.([]any)) != 2 || got.([]any)[0] != "https://shop.example.com" {
			t.Fatalf("allowed_origins saved as %v", got)
		}
		// Stored as normalized, on this backend.
		got := e.Admin("GET", "/event-source/shop", nil).MustOK(t).Obj()["allowed_origins"].([]any)
		if len(got) != 2 || got[0] != "https://shop.example.com" || got[1] != "https://*.example.org" {
			t.Fatalf("allowed_origins read back as %v", got)
		}
		event := func(profile string) string {
			return `{"source":{"id":"shop"},"profile":{"id":"` + profile + `"},"events":[{"type":"page-view"}]}`
		}
		noCredentials := func(what string, resp *http.Response) {
			t.Helper()
			if v := resp.Header.Get("Access-Control-Allow-Credentials"); v != "" {
				t.Errorf("%s: Access-Control-Allow-Credentials: %s", what, v)
			}
		}

		// Preflight from any origin: permissive, without credentials.
		for _, o := range []string{"https://shop.example.com", "https://evil.example", "null"} {
			resp, _ := send(t, e, "OPTIONS", "/track", o, "")
			if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
				!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
				t.Errorf("preflight from %s: %d %v", o, resp.StatusCode, resp.Header)
			}
			noCredentials("preflight", resp)
		}

		// Allowed origins: the origin is echoed.
		for i, o := range []string{"https://shop.example.com", "https://www.example.org"} {
			resp, body := send(t, e, "POST", "/track", o, event("p-ok-"+string(rune('a'+i))))
			if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != o || !strings.Contains(resp.Header.Get("Vary"), "Origin") {
				t.Errorf("track from %s: %d %v %s", o, resp.StatusCode, resp.Header, body)
			}
			noCredentials("track", resp)
		}
		// A server (no Origin header) is not a page: it passes.
		if resp, body := send(t, e, "POST", "/track", "", event("p-server")); resp.StatusCode != 200 {
			t.Errorf("track without an Origin: %d %s", resp.StatusCode, body)
		}

		// Other origins: 403 naming the field, no CORS grant, nothing stored.
		for i, o := range []string{"https://evil.example", "null", "http://shop.example.com", "https://shop.example.com.evil.example", "https://example.org"} {
			pid := "p-refused-" + string(rune('a'+i))
			resp, body := send(t, e, "POST", "/track", o, event(pid))
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "allowed_origins") || !strings.Contains(body, o) {
				t.Errorf("track from %s: %d %s, want 403 naming allowed_origins", o, resp.StatusCode, body)
			}
			if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("track from %s: Access-Control-Allow-Origin: %s", o, v)
			}
			noCredentials("refused track", resp)
			if r := e.Admin("GET", "/profile/"+pid, nil); r.Status != http.StatusNotFound {
				t.Errorf("a refused event from %s made profile %s: %d", o, pid, r.Status)
			}
			resp, body = send(t, e, "GET", "/collect/page-view/shop?profile_id="+pid, o, "")
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("collect from %s: %d %s, want 403", o, resp.StatusCode, body)
			}
		}
		if resp, body := send(t, e, "GET", "/collect/page-view/shop", "https://shop.example.com", ""); resp.StatusCode != 200 ||
			resp.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
			t.Errorf("collect from an allowed origin: %d %v %s", resp.StatusCode, resp.Header, body)
		}

		// Back to any origin: "*" answers every page, without credentials.
		e.Admin("POST", "/event-source", map[string]any{"id": "shop", "name": "Shop", "enabled": true, "allowed_origins": []any{"*"}}).MustOK(t)
		resp, body := send(t, e, "POST", "/track", "null", event("p-any"))
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("track with * from null: %d %v %s", resp.StatusCode, resp.Header, body)
		}
		noCredentials("track with *", resp)
	})
}

// TestSourceOriginsValidated: bad allowed_origins entries are refused with
// the entry's field, and the stored source is left as it was.
func TestSourceOriginsValidated(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/event-source", map[string]any{"id": "s", "name": "S", "allowed_origins": []any{"https://a.example"}}).MustOK(t)
	for _, bad := range []any{"https://a.example", []any{"https://a.example/path"}, []any{"a.example"}, []any{true}} {
		r := e.Admin("POST", "/event-source", map[string]any{"id": "s", "name": "S", "allowed_origins": bad})
		field := "allowed_origins"
		if _, ok := bad.([]any); ok {
			field = "allowed_origins[0]"
		}
		wantError(t, r, http.StatusUnprocessableEntity, field)
	}
	got := e.Admin("GET", "/event-source/s", nil).MustOK(t).Obj()["allowed_origins"].([]any)
	if len(got) != 1 || got[0] != "https://a.example" {
		t.Errorf("stored allowed_origins changed to %v", got)
	}
	// A source saved without the field admits any origin.
	r := e.Admin("POST", "/event-source", map[string]any{"id": "s2", "name": "S2"}).MustOK(t)
	if got, ok := r.Obj()["allowed_origins"].([]any); !ok || len(got) != 0 {
		t.Errorf("default allowed_origins %v, want []", r.Obj()["allowed_origins"])
	}
}

// TestOpenAPIDocumentsAllowedOrigins: the API document describes the field.
func TestOpenAPIDocumentsAllowedOrigins(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	doc := e.Do("GET", "/openapi.json", "", nil).MustOK(t).Obj()
	schema := obj(doc, "paths", "/event-source", "post", "requestBody", "content", "application/json", "schema", "properties", "allowed_origins")
	if schema["type"] != "array" || !strings.Contains(schema["description"].(string), "403") {
		t.Errorf("allowed_origins in the API document: %v", schema)
	}
}
