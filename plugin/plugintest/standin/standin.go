// Package standin gives plugin tests the real local servers and the
// resource credentials that stand in for the services plugins talk to:
// an HTTP stand-in that records every request, a credentials store, the
// switch that lets plugins reach 127.0.0.1, and the address of a test
// server started outside the test (skipped loudly when absent).
//
//	standin.AllowLoopback(t)
//	srv := standin.Start(t, func(r *http.Request, body string) (int, string) { return 200, `{"ok":true}` })
//	resources := standin.Creds{"crm": {"api_url": srv.URL, "api_key": "k"}}
//	got := srv.Last(t)
package standin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/plugin/outbound"
)

// ErrNoResource is what Creds answers for an id it does not hold.
var ErrNoResource = errors.New("no such resource")

// Creds is a resource store of one credential set per resource id (the
// run-state side of resources; the encrypted store is tested with it).
type Creds map[string]map[string]any

// Credentials returns the resource's credentials, or ErrNoResource.
func (c Creds) Credentials(_ context.Context, id string) (map[string]any, error) {
	m, ok := c[id]
	if !ok {
		return nil, ErrNoResource
	}
	return m, nil
}

// Resource is the value of a resource field naming the resource id.
func Resource(id string) map[string]any { return map[string]any{"id": id, "name": id} }

// AllowLoopback lets plugins reach the test's servers, which listen on
// 127.0.0.1, until the test ends.
func AllowLoopback(t testing.TB) {
	t.Helper()
	prev := outbound.SetAllowLoopback(true)
	t.Cleanup(func() { outbound.SetAllowLoopback(prev) })
}

// RequireEnv names the variable that turns a missing test server from a
// skip into a failure (CI sets it).
const RequireEnv = "TRACFLOW_TEST_REQUIRE_SERVICES"

// ServerURL returns the address of the test server named by the
// environment variable env, or skips the test with a loud line saying the
// what tests did not run (fails instead when RequireEnv is set).
func ServerURL(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		msg := fmt.Sprintf("!!! SKIPPED: %s is not set, so the %s tests did not run (scripts/test.sh starts one) !!!", env, what)
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return v
}

// Request is one request a Server received.
type Request struct {
	Method, Path, Query, Auth, Type, Body string
	Header                                http.Header
}

// Server is a local HTTP stand-in for a service: it records every request
// and answers as its answer function says.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []Request
}

// Start starts a Server and lets plugins reach it; answer gets each
// request (its body already read) and returns the status and JSON body.
// The server closes when the test ends.
func Start(t testing.TB, answer func(r *http.Request, body string) (int, string)) *Server {
	t.Helper()
	AllowLoopback(t)
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b), r.Header.Clone()})
		s.mu.Unlock()
		status, out := answer(r, string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(out))
	}))
	t.Cleanup(s.Close)
	return s
}

// Last is the last request received; the test fails if there was none.
func (s *Server) Last(t testing.TB) Request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("the stand-in received nothing")
	}
	return s.reqs[len(s.reqs)-1]
}

// All is every request received, in order.
func (s *Server) All() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}
