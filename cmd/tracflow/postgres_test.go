package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// TestTwoServersOnePostgresLoseNoUpdate runs two `tracflow serve` processes
// on one PostgreSQL database and sends 1,000 concurrent events for one
// profile, alternating between them, through a flow that increments a
// counter: the counter ends at exactly 1,000.
func TestTwoServersOnePostgresLoseNoUpdate(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // a fresh schema; skips without a server
	// Every process sharing the database needs the same secret key.
	t.Setenv("TRACFLOW_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	a := startServer(t, "--db", dsn, "--no-demo")
	tok := a.token()
	setupCounter(t, a.url, tok)
	b := startServer(t, "--db", dsn, "--no-demo")
	if code, _ := hit(b.url, "warmup", "warmup-1"); code != 200 {
		t.Fatalf("second server does not see the configuration: %d", code)
	}

	const n = 1000
	var wg sync.WaitGroup
	var failed atomic.Int64
	sem := make(chan struct{}, 64)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			base := a.url
			if i%2 == 1 {
				base = b.url
			}
			if code, r := hit(base, "shared-profile", fmt.Sprintf("pg-%d", i)); code != 200 {
				failed.Add(1)
				t.Logf("request %d: %d %v", i, code, r)
			}
		}(i)
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}
	for _, s := range []*server{a, b} {
		code, p := call(t, "GET", s.url+"/profile/shared-profile", tok, nil)
		if code != 200 {
			t.Fatalf("profile: %d %v", code, p)
		}
		if got := dotpath.At(p, "stats.counters.n"); got != float64(n) {
			t.Fatalf("counter = %v after %d concurrent events over two servers, want %d", got, n, n)
		}
	}
	code, evs := call(t, "GET", a.url+"/profile/shared-profile/events?limit=1", tok, nil)
	// and the profile's visit: profile-created, session-opened, visit-started
	if code != 200 || evs["total"] != float64(n+3) {
		t.Errorf("stored events: %d %v, want total %d", code, evs["total"], n+3)
	}
}
