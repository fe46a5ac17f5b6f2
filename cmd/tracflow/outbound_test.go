package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// TestServeAllowPrivateOutbound checks the server setting end to end: a
// resource pointing at a service on the loopback address fails its
// connection test by default, and works with --allow-private-outbound or
// TRACFLOW_ALLOW_PRIVATE_OUTBOUND=true.
func TestServeAllowPrivateOutbound(t *testing.T) {
	var hits atomic.Int32
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer svc.Close()
	test := func(s *server) map[string]any {
		tok := s.token()
		if code, r := call(t, "POST", s.url+"/resource", tok, map[string]any{"id": "local", "name": "Local API", "type": "api",
			"credentials": map[string]any{"production": map[string]any{"url": svc.URL}}}); code != 200 {
			t.Fatalf("save resource: %d %v", code, r)
		}
		code, r := call(t, "POST", s.url+"/resource/local/test", tok, nil)
		if code != 200 {
			t.Fatalf("test connection: %d %v", code, r)
		}
		return r
	}
	if r := test(startServer(t, "--data", t.TempDir(), "--no-demo")); r["ok"] != false || !strings.Contains(r["message"].(string), "--allow-private-outbound") || hits.Load() != 0 {
		t.Fatalf("by default: %v, %d calls reached the service", r, hits.Load())
	}
	if r := test(startServer(t, "--data", t.TempDir(), "--no-demo", "--allow-private-outbound")); r["ok"] != true || hits.Load() != 1 {
		t.Fatalf("with the flag: %v, %d calls", r, hits.Load())
	}
	os.Setenv("TRACFLOW_ALLOW_PRIVATE_OUTBOUND", "true")
	defer os.Unsetenv("TRACFLOW_ALLOW_PRIVATE_OUTBOUND")
	if r := test(startServer(t, "--data", t.TempDir(), "--no-demo")); r["ok"] != true || hits.Load() != 2 {
		t.Fatalf("with the environment variable: %v, %d calls", r, hits.Load())
	}
}
