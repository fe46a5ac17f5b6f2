package main

import (
	"bytes"
	encbin "encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
)

// receiver is a webhook receiver counting deliveries by idempotency key.
// It counts only requests to its own URL, a path of its own: the delivery
// process of an earlier test's killed server may still be sending to that
// test's receiver, whose port this one may have been given.
type receiver struct {
	*httptest.Server
	URL  string // the server's URL and the receiver's path
	mu   sync.Mutex
	keys map[string]int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{keys: map[string]int{}}
	path := "/hook/" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		if req.URL.Path != path {
			http.NotFound(w, req)
			return
		}
		r.mu.Lock()
		r.keys[req.Header.Get("Idempotency-Key")]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	r.URL = r.Server.URL + path
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.keys)
}

func (r *receiver) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for r.distinct() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %d distinct deliveries; want %d", r.distinct(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// addHook creates a webhook destination for the "hit" events of setupCounter.
func addHook(t *testing.T, base, token, url string) {
	t.Helper()
	if code, r := call(t, "POST", base+"/destination", token, map[string]any{"id": "hook", "name": "Hook", "enabled": true,
		"destination": map[string]any{"package": "webhook", "init": map[string]any{"url": url}},
		"event_type":  map[string]any{"id": "hit"}}); code != 200 {
		t.Fatalf("destination: %d %v", code, r)
	}
}

// children answers the pids of a process's `tracflow deliver` children.
func children(t *testing.T, pid int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(filepath.Join("/proc", e.Name(), "stat")); len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue // not a child of pid
		}
		if cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); bytes.Contains(cmdline, []byte("deliver\x00")) {
			out = append(out, child)
		}
	}
	return out
}

// waitChild waits for the server's delivery process other than not.
func waitChild(t *testing.T, s *server, not int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, c := range children(t, s.cmd.Process.Pid) {
			if c != not {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery process started:\n%s", s.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// schedOf answers the nice values and scheduling policies of a process's
// threads, as "nice N policy P" (P 0: normal, 5: idle).
func schedOf(t *testing.T, pid int) map[string]bool {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, task := range tasks {
		f := statFields(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if len(f) < 39 {
			continue
		}
		out["nice "+f[16]+" policy "+f[38]] = true // fields 19 and 41 of stat
	}
	return out
}

// checkLowered waits until every thread of serve's delivery process child
// runs at nice 10, in the idle class or the normal one, and checks that
// serve's log says so with the processors the child takes: half the
// processors at most, one at least.
func checkLowered(t *testing.T, s *server, child int, idle bool) {
	t.Helper()
	want := "nice 10 policy 0"
	if idle {
		want = "nice 10 policy 5"
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got := schedOf(t, child)
		if len(got) == 1 && got[want] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the delivery process's threads have %v; want all %q", got, want)
		}
	}
	procs := max(1, runtime.GOMAXPROCS(0)/2)
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		procs, _ = strconv.Atoi(v)
	}
	line := fmt.Sprintf(`msg="the delivery process started" process=deliver nice=10 idle=%v processors=%d`, idle, procs)
	if !strings.Contains(s.output(), line) {
		t.Errorf("serve's log does not say %q:\n%s", line, s.output())
	}
}

func sendHits(t *testing.T, base string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if code, r := hit(base, fmt.Sprintf("p%d", i%7), fmt.Sprintf("hit-%d", i)); code != 200 {
			t.Fatalf("event %d: %d %v", i, code, r)
		}
	}
}

// serve starts its delivery process once there is a destination, at a
// lower priority; deliveries go out through it; when it is stopped and
// killed, serve starts another and nothing it was handed is lost; it ends
// with serve.
func TestDeliveryProcess(t *testing.T) {
	recv := newReceiver(t)
	s := startServer(t, "--data", t.TempDir(), "--no-demo")
	tok := s.token()
	setupCounter(t, s.url, tok)
	if c := children(t, s.cmd.Process.Pid); len(c) != 0 {
		t.Fatalf("a delivery process runs without destinations: %v", c)
	}
	addHook(t, s.url, tok, recv.URL)
	child := waitChild(t, s, 0)
	// It lowers its priority first thing after it starts (at nice 10
	// alone: TestMain turns the idle class off).
	checkLowered(t, s, child, false)
	sendHits(t, s.url, 0, 20)
	recv.waitFor(t, 20)

	// Stopped, it takes batches until its pipe is full; killed, serve
	// stores what it did not, and starts another.
	if err := syscall.Kill(child, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	sendHits(t, s.url, 20, 40)
	time.Sleep(300 * time.Millisecond) // batched and handed over
	if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	next := waitChild(t, s, child)
	sendHits(t, s.url, 40, 50)
	recv.waitFor(t, 50)
	if !strings.Contains(s.output(), "the delivery process ended; starting it again") {
		t.Errorf("serve did not say the delivery process ended:\n%s", s.output())
	}

	// The delivery process's attempts are counted in serve's metrics.
	req, _ := http.NewRequest("GET", s.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := metricValue(string(b), `tracflow_destination_deliveries_total{status="delivered"}`); m >= 10 {
			break // at least those of the second process
		} else if time.Now().After(deadline) {
			t.Fatalf("delivered deliveries in /metrics: %v; want 10 or more", m)
		}
		time.Sleep(100 * time.Millisecond)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop:\n%s", s.output())
	}
	if err := syscall.Kill(next, 0); err == nil {
		t.Errorf("the delivery process %d still runs after serve stopped", next)
	}
}

// metricValue answers the value of a metric line of a /metrics page (-1
// when missing).
func metricValue(page, name string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// TestDeliveryProcessIdleClass checks serve's default: every thread of the
// delivery process in the idle scheduling class, at nice 10, delivering.
func TestDeliveryProcessIdleClass(t *testing.T) {
	recv := newReceiver(t)
	s := startServer(t, "--data", t.TempDir(), "--no-demo", "--delivery-idle=true")
	tok := s.token()
	setupCounter(t, s.url, tok)
	addHook(t, s.url, tok, recv.URL)
	child := waitChild(t, s, 0)
	checkLowered(t, s, child, true)
	sendHits(t, s.url, 0, 3)
	recv.waitFor(t, 3)
}

// Over PostgreSQL each instance has its delivery process; what either
// instance matched is delivered once.
func TestDeliveryProcessesOfTwoInstances(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // a fresh schema; skips without a server
	t.Setenv("TRACFLOW_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	recv := newReceiver(t)
	a := startServer(t, "--db", dsn, "--no-demo")
	tok := a.token()
	setupCounter(t, a.url, tok)
	addHook(t, a.url, tok, recv.URL)
	b := startServer(t, "--db", dsn, "--no-demo")
	waitChild(t, a, 0)
	waitChild(t, b, 0)
	sendHits(t, a.url, 0, 30)
	sendHits(t, b.url, 30, 60)
	recv.waitFor(t, 60)
	time.Sleep(time.Second) // room for a second delivery of any
	recv.mu.Lock()
	defer recv.mu.Unlock()
	for k, n := range recv.keys {
		if n != 1 {
			t.Errorf("delivery %s received %d times", k, n)
		}
	}
}

// statFields answers the fields of a /proc stat file after the command's
// name (the first is the state, the second the parent's pid); none when it
// cannot be read.
func statFields(path string) []string {
	stat, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
}

// procState answers a process's state letter from /proc ("T": stopped),
// or "" when there is no such process.
func procState(pid int) string {
	if f := statFields(fmt.Sprintf("/proc/%d/stat", pid)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// backlogFiles answers the batches waiting in a data folder's backlog.
func backlogFiles(t *testing.T, data string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(data, "tracflow-deliveries", "*.rec"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// backlogDeliveries answers the deliveries in the batches of a data
// folder's backlog (each batch starts with their count, a varint).
func backlogDeliveries(t *testing.T, data string) int {
	t.Helper()
	n := 0
	for _, f := range backlogFiles(t, data) {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // removed meanwhile
		}
		c, k := encbin.Uvarint(b)
		if k <= 0 {
			t.Fatalf("%s: not a batch", f)
		}
		n += int(c)
	}
	return n
}

// Batches of deliveries wait in the backlog, on disk, until the delivery
// process says it stored them: when serve and its delivery process are
// both killed before that, the next start delivers them, once each, from
// its delivery process or, with --delivery-process=false, from serve.
func TestDeliveryBacklog(t *testing.T) {
	recv := newReceiver(t)
	data := t.TempDir()
	first := true
	// strand sends events while the delivery process is stopped, sees
	// their batches wait in the backlog, and kills both processes.
	strand := func(from, to int) (log string) {
		t.Helper()
		s := startServer(t, "--data", data, "--no-demo")
		tok := s.token()
		if first {
			setupCounter(t, s.url, tok)
			addHook(t, s.url, tok, recv.URL)
			first = false
		}
		child := waitChild(t, s, 0)
		if err := syscall.Kill(child, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		// The test counts on this one process being the delivery process
		// until the end: stopped, not ended and replaced.
		only := func(when string) {
			t.Helper()
			for deadline := time.Now().Add(5 * time.Second); procState(child) != "T"; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: the delivery process %d is in state %q, not stopped; the server's log:\n%s", when, child, procState(child), s.output())
				}
			}
			if c := children(t, s.cmd.Process.Pid); len(c) != 1 || c[0] != child {
				t.Fatalf("%s: the server's delivery processes are %v, not the stopped %d; the server's log:\n%s", when, c, child, s.output())
			}
		}
		only("before the events")
		sendHits(t, s.url, from, to)
		req, _ := http.NewRequest("GET", s.url+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			n := metricValue(string(b), "tracflow_destination_backlog_batches")
			if waiting := backlogDeliveries(t, data); n >= 1 && waiting == to-from {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("backlog: %v batches in /metrics, %d deliveries in its files; want %d", n, waiting, to-from)
			}
		}
		only("with the events in the backlog")
		// Both end at once, as in a crash. serve is stopped first, so that
		// it does not see its delivery process end (it would store what it
		// had handed over), and the delivery process is killed before
		// serve: when the parent of a stopped process group ends, the
		// kernel continues the group (SIGHUP, then SIGCONT), and a delivery
		// process that ignores SIGHUP (started under nohup) would store and
		// send its batches before its own kill arrived.
		if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for deadline, st := time.Now().Add(10*time.Second), procState(child); st != "Z" && st != ""; st = procState(child) {
			if time.Now().After(deadline) {
				t.Fatalf("the delivery process %d did not end", child)
			}
			time.Sleep(20 * time.Millisecond)
		}
		log = s.output()
		s.kill()
		return log
	}
	drained := func(s *server, n int) {
		t.Helper()
		recv.waitFor(t, n)
		for deadline := time.Now().Add(10 * time.Second); len(backlogFiles(t, data)) > 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the backlog still holds %v", backlogFiles(t, data))
			}
		}
		s.kill()
	}

	if log := strand(0, 20); recv.distinct() != 0 {
		recv.mu.Lock()
		defer recv.mu.Unlock()
		t.Fatalf("the receiver got %d deliveries before the restart (%v); the server's log:\n%s", len(recv.keys), recv.keys, log)
	}
	// A server that sends its deliveries itself stores the backlog at start.
	drained(startServer(t, "--data", data, "--no-demo", "--delivery-process=false"), 20)

	strand(20, 30)
	s := startServer(t, "--data", data, "--no-demo")
	waitChild(t, s, 0)
	drained(s, 30)
	time.Sleep(500 * time.Millisecond) // room for a second delivery of any
	recv.mu.Lock()
	defer recv.mu.Unlock()
	for k, n := range recv.keys {
		if n != 1 {
			t.Errorf("delivery %s received %d times", k, n)
		}
	}
}
