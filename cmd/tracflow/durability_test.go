package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin/dotpath"
)

// setupCounter creates a source, a counter flow and a rule through the API.
func setupCounter(t *testing.T, base, token string) {
	t.Helper()
	if code, r := call(t, "POST", base+"/event-source", token, map[string]any{"id": "load", "name": "Load", "enabled": true}); code != 200 {
		t.Fatalf("source: %d %v", code, r)
	}
	flow := map[string]any{"id": "counter", "name": "Counter", "flowGraph": map[string]any{
		"nodes": []any{
			map[string]any{"id": "start", "data": map[string]any{"spec": map[string]any{"module": "tracardi.process_engine.action.v1.flow.start.start_action"}}},
			map[string]any{"id": "inc", "data": map[string]any{"spec": map[string]any{"module": "tracardi.process_engine.action.v1.increment_action",
				"init": map[string]any{"field": "profile@stats.counters.n", "increment": 1}}}},
		},
		"edges": []any{map[string]any{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "inc", "targetHandle": "payload"}},
	}}
	if code, r := call(t, "POST", base+"/flow/production", token, flow); code != 200 {
		t.Fatalf("flow: %d %v", code, r)
	}
	if code, r := call(t, "POST", base+"/rule", token, map[string]any{"name": "count", "event_type": map[string]any{"id": "hit"},
		"source": map[string]any{"id": "load"}, "flow": map[string]any{"id": "counter"}}); code != 200 {
		t.Fatalf("rule: %d %v", code, r)
	}
}

func hit(base, profile, eventID string) (int, map[string]any) {
	return call(nil, "POST", base+"/track", "", map[string]any{
		"source":  map[string]any{"id": "load"},
		"profile": map[string]any{"id": profile},
		"session": map[string]any{"id": profile + "-session"},
		"events":  []any{map[string]any{"id": eventID, "type": "hit"}},
	})
}

// TestKill9LosesNoAcknowledgedEvent sends events under load, kills the
// server with SIGKILL, restarts it on the same data, and checks that every
// event that was answered 200 is stored, with the profile's counter equal
// to the number of stored events.
func TestKill9LosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test in -short mode")
	}
	data := t.TempDir()
	s := startServer(t, "--data", data, "--no-demo")
	setupCounter(t, s.url, s.token())

	const workers = 16
	acked := make([][]string, workers)
	var total atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
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
				id := fmt.Sprintf("w%d-e%d", w, i)
				code, _ := hit(s.url, fmt.Sprintf("durable-%d", w), id)
				if code == 200 {
					acked[w] = append(acked[w], id)
					total.Add(1)
				} else if code == 0 {
					return // the server is gone
				}
			}
		}(w)
	}
	for total.Load() < 2000 {
		time.Sleep(20 * time.Millisecond)
	}
	s.kill() // SIGKILL while requests are in flight
	close(stop)
	wg.Wait()

	s2 := startServer(t, "--data", data, "--no-demo")
	tok := s2.token()
	for w := 0; w < workers; w++ {
		pid := fmt.Sprintf("durable-%d", w)
		code, evs := call(t, "GET", fmt.Sprintf("%s/profile/%s/events?limit=10000", s2.url, pid), tok, nil)
		if code != 200 {
			t.Fatalf("events of %s: %d %v", pid, code, evs)
		}
		stored := map[string]bool{}
		for _, e := range evs["result"].([]any) {
			if md, _ := e.(map[string]any)["metadata"].(map[string]any); md["system"] == true {
				continue // the visit's profile-created, session-opened, visit-started
			}
			stored[e.(map[string]any)["id"].(string)] = true
		}
		for _, id := range acked[w] {
			if !stored[id] {
				t.Errorf("event %s was acknowledged but is not stored", id)
			}
		}
		_, p := call(t, "GET", s2.url+"/profile/"+pid, tok, nil)
		if n, ok := dotpath.At(p, "stats.counters.n").(float64); !ok || int(n) != len(stored) {
			t.Errorf("profile %s counts %v hits but has %d stored events", pid, dotpath.At(p, "stats.counters.n"), len(stored))
		}
	}
	t.Logf("%d events acknowledged before kill -9, all stored", total.Load())
}

// TestSIGTERMFinishesInFlightRequests stops the server with SIGTERM under
// load: it exits cleanly, and every acknowledged event is stored.
func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("shutdown test in -short mode")
	}
	data := t.TempDir()
	s := startServer(t, "--data", data, "--no-demo")
	setupCounter(t, s.url, s.token())
	var acked atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, _ := hit(s.url, "term", fmt.Sprintf("t%d-%d", w, i))
				if code == 200 {
					acked.Add(1)
				} else if code == 0 {
					return
				}
			}
		}(w)
	}
	for acked.Load() < 300 {
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop within 30 s of SIGTERM")
	}
	close(stop)
	wg.Wait()
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM:\n%s", code, s.output())
	}
	s2 := startServer(t, "--data", data, "--no-demo")
	code, evs := call(t, "GET", s2.url+"/profile/term/events?limit=1", s2.token(), nil)
	if code != 200 || evs["total"].(float64) < float64(acked.Load()) {
		t.Errorf("after SIGTERM: %v events stored, %d acknowledged", evs["total"], acked.Load())
	}
}
