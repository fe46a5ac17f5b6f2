package saas

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/plugin/outbound"
)

// creds is a resource store of one credential set per resource id.
type creds map[string]map[string]any

func (c creds) Credentials(_ context.Context, id string) (map[string]any, error) {
	m, ok := c[id]
	if !ok {
		return nil, errors.New("no such resource")
	}
	return m, nil
}

func res(id string) map[string]any { return map[string]any{"id": id, "name": id} }

// seen is one request a stand-in received.
type seen struct {
	Method, Path, Query, Auth, Type, Body string
	Header                                http.Header
}

// standIn is a local stand-in for a service: it records every request and
// answers with the handler's status and body.
type standIn struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

// startStandIn starts a stand-in; answer gets the request (its body
// already read) and returns the status and JSON body.
func startStandIn(t *testing.T, answer func(r *http.Request, body string) (int, string)) *standIn {
	t.Helper()
	prev := outbound.SetAllowLoopback(true)
	s := &standIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b), r.Header.Clone()})
		s.mu.Unlock()
		status, out := answer(r, string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(out))
	}))
	t.Cleanup(func() { s.Close(); outbound.SetAllowLoopback(prev) })
	return s
}

// last is the last request received.
func (s *standIn) last(t *testing.T) seen {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("the stand-in received nothing")
	}
	return s.reqs[len(s.reqs)-1]
}

// all is every request received, in order.
func (s *standIn) all() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}
