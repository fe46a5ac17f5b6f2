package main

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
)

// queueDepth reads tracflow_track_queue_depth from /metrics (-1 when the
// server does not answer).
func queueDepth(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "tracflow_track_queue_depth "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("queue depth %q", v)
			}
			return int(n)
		}
	}
	t.Fatalf("no tracflow_track_queue_depth in /metrics (%d)", resp.StatusCode)
	return 0
}

// sendAsync sends events for profiles async-0..async-(profiles-1) with PUT
// /track from several goroutines at once, until stop closes or the server
// goes; it answers the ids acknowledged per profile.
func sendAsync(bases []string, profiles, workers int, stop <-chan struct{}, total *atomic.Int64) [][]string {
	var mu sync.Mutex
	acked := make([][]string, profiles)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := (w + i) % profiles
				id := fmt.Sprintf("a%d-%d", w, i)
				code, _ := call(nil, "PUT", bases[i%len(bases)]+"/track", "", map[string]any{
					"source":  map[string]any{"id": "load"},
					"profile": map[string]any{"id": fmt.Sprintf("async-%d", p)},
					"events":  []any{map[string]any{"id": id, "type": "hit"}},
				})
				switch code {
				case 200:
					mu.Lock()
					acked[p] = append(acked[p], id)
					mu.Unlock()
					total.Add(1)
				case 0:
					if len(bases) == 1 {
						return // the server is gone
					}
				}
			}
		}(w)
	}
	<-stop
	wg.Wait()
	return acked
}

// checkAsyncOutcome waits for the queue to drain, then checks that every
// acknowledged event is stored and each profile's counter equals its
// stored events.
func checkAsyncOutcome(t *testing.T, base, tok string, acked [][]string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		n := queueDepth(t, base, tok)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still queued", n)
		}
	}
	stored := 0
	for p, ids := range acked {
		pid := fmt.Sprintf("async-%d", p)
		code, evs := call(t, "GET", fmt.Sprintf("%s/profile/%s/events?limit=10000", base, pid), tok, nil)
		if code != 200 {
			t.Fatalf("events of %s: %d %v", pid, code, evs)
		}
		have := map[string]bool{}
		for _, e := range evs["result"].([]any) {
			if ev := e.(map[string]any); ev["type"] == "hit" { // not the visit's system events
				have[ev["id"].(string)] = true
			}
		}
		for _, id := range ids {
			if !have[id] {
				t.Errorf("event %s was acknowledged but is not stored", id)
			}
		}
		if len(have) == 0 {
			continue
		}
		_, prof := call(t, "GET", base+"/profile/"+pid, tok, nil)
		n := prof["stats"].(map[string]any)["counters"].(map[string]any)["n"].(float64)
		if int(n) != len(have) {
			t.Errorf("profile %s counts %v hits but has %d stored events", pid, n, len(have))
		}
		stored += len(have)
	}
	t.Logf("%d events stored after the queue drained", stored)
}

// TestKill9AsyncCollection queues events with PUT /track for ten profiles,
// kills the server with SIGKILL while requests and drains are under way,
// restarts it on the same data, and checks that the queue drains to
// nothing lost and nothing counted twice.
func TestKill9AsyncCollection(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test in -short mode")
	}
	data := t.TempDir()
	s := startServer(t, "--data", data, "--no-demo")
	setupCounter(t, s.url, s.token())

	var total atomic.Int64
	stop := make(chan struct{})
	done := make(chan [][]string)
	go func() { done <- sendAsync([]string{s.url}, 10, 16, stop, &total) }()
	for total.Load() < 1500 {
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	close(stop)
	acked := <-done

	s2 := startServer(t, "--data", data, "--no-demo")
	checkAsyncOutcome(t, s2.url, s2.token(), acked)
	t.Logf("%d requests acknowledged before kill -9", total.Load())
}

// TestKill9AsyncCollectionPostgres does the same with two servers on one
// PostgreSQL database: one is killed, the other keeps taking and running
// requests, and the killed one is started again.
func TestKill9AsyncCollectionPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test in -short mode")
	}
	dsn := storetest.PostgresDSN(t)
	t.Setenv("TRACFLOW_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	a := startServer(t, "--db", dsn, "--no-demo")
	tok := a.token()
	setupCounter(t, a.url, tok)
	b := startServer(t, "--db", dsn, "--no-demo")
	if code, r := hit(b.url, "warmup", "warmup-1"); code != 200 {
		t.Fatalf("second server does not see the configuration: %d %v", code, r)
	}

	var total atomic.Int64
	stop := make(chan struct{})
	done := make(chan [][]string)
	go func() { done <- sendAsync([]string{a.url, b.url}, 10, 16, stop, &total) }()
	for total.Load() < 1000 {
		time.Sleep(20 * time.Millisecond)
	}
	a.kill()
	for n := total.Load(); total.Load() < n+300; {
		time.Sleep(20 * time.Millisecond) // b goes on alone
	}
	close(stop)
	acked := <-done
	a2 := startServer(t, "--db", dsn, "--no-demo")
	checkAsyncOutcome(t, a2.url, a2.token(), acked)
	t.Logf("%d requests acknowledged by two servers, one killed", total.Load())
}
