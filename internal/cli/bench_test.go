package cli

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/testenv"
)

func TestReadResponse(t *testing.T) {
	cases := []struct {
		raw, body string
		code      int
	}{
		{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}", `{"a":1}`, 200},
		{"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n4\r\n{\"de\r\n4;x=y\r\ntail\r\n0\r\n\r\n", `{"detail`, 401},
		{"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", "", 204},
	}
	for _, c := range cases {
		code, body, err := readResponse(bufio.NewReader(strings.NewReader(c.raw)))
		if err != nil || code != c.code || string(body) != c.body {
			t.Errorf("%q: %d %q %v", c.raw, code, body, err)
		}
	}
	if _, _, err := readResponse(bufio.NewReader(strings.NewReader("garbage\n"))); err == nil {
		t.Error("garbage accepted")
	}
}

func TestBenchAgainstAServer(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("bench", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	code, out, errs := run(t, "bench", "--url", e.URL, "--source", src, "--duration", "1s", "--warmup", "200ms", "--concurrency", "4", "--profiles", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"events/s", "p99", "0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	m := regexp.MustCompile(`events\s+(\d+) ok`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no event count in the output:\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n == 0 {
		t.Errorf("the run measured no event:\n%s", out)
	}
	code, _, errs = run(t, "bench", "--url", e.URL, "--source", "nope", "--duration", "1s")
	if code == 0 || !strings.Contains(errs, "401") {
		t.Errorf("unknown source: exit %d, %s", code, errs)
	}
}

// TestBenchFailsWhenNothingWasMeasured: a server that answers the first
// request and then nothing within the measured time gives a run of zero
// events, which is a failure, not a result.
func TestBenchFailsWhenNothingWasMeasured(t *testing.T) {
	var n atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/track" {
			http.NotFound(w, r) // /metrics: no CPU figures
			return
		}
		if n.Add(1) > 1 {
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	go func() { time.Sleep(time.Second); close(release) }()
	code, out, errs := run(t, "bench", "--url", srv.URL, "--source", "s", "--duration", "300ms", "--warmup", "0s", "--concurrency", "2")
	if code == 0 || !strings.Contains(errs, "nothing was measured") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
}

// TestBenchCountsEventsAndReadsTheServerProcess runs bench without session
// ids for a number of events, against a server in this process, so that
// --server-pid reads this process's CPU and memory.
func TestBenchCountsEventsAndReadsTheServerProcess(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("bench", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	pid := strconv.Itoa(os.Getpid())
	code, out, errs := run(t, "bench", "--url", e.URL, "--source", src, "--events", "300", "--warmup", "0s", "--concurrency", "4",
		"--profiles", "100", "--no-session", "--server-pid", pid, "--max-rss", "64GiB")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"no session ids", "server CPU", "µs per request", "server RSS   peak"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var ok int
	for _, line := range strings.Split(out, "\n") {
		if rest, found := strings.CutPrefix(line, "events       "); found {
			fmt.Sscanf(rest, "%d ok", &ok)
		}
	}
	if ok < 300 || ok > 300+4 {
		t.Errorf("--events 300 answered %d events", ok)
	}
	// 100 profiles without session ids: one session each, joined by every
	// later event of the profile.
	_, total, err := e.Store.ProfileSessions(t.Context(), "bench-profile-7", 0, 0)
	if err != nil || total != 1 {
		t.Errorf("bench-profile-7 has %d sessions (%v), want 1", total, err)
	}
	code, out, _ = run(t, "bench", "--url", e.URL, "--source", src, "--events", "20", "--warmup", "0s", "--concurrency", "2",
		"--server-pid", pid, "--max-rss", "1MB")
	if code == 0 || !strings.Contains(out, "server RSS") {
		t.Errorf("--max-rss 1MB did not fail: exit %d\n%s", code, out)
	}
}

// TestBenchAtAFixedRate: with --rate the run sends no more than the offered
// rate, however fast the server answers.
func TestBenchAtAFixedRate(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("rate", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	code, out, errs := run(t, "bench", "--url", e.URL, "--source", src, "--duration", "1s", "--warmup", "200ms",
		"--concurrency", "4", "--profiles", "50", "--rate", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if !strings.Contains(out, "100 requests/s offered") {
		t.Errorf("output does not name the offered rate:\n%s", out)
	}
	m := regexp.MustCompile(`events\s+(\d+) ok`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no event count in the output:\n%s", out)
	}
	// One second at 100/s: a closed loop on this server sends thousands.
	if n, _ := strconv.Atoi(m[1]); n == 0 || n > 130 {
		t.Errorf("%d events in one second at --rate 100:\n%s", n, out)
	}
	if code, _, errs := run(t, "bench", "--url", e.URL, "--source", src, "--rate", "-1"); code == 0 || !strings.Contains(errs, "--rate") {
		t.Errorf("negative rate: exit %d, %s", code, errs)
	}
}

// TestBenchPropertiesAndFlowErrors: the events carry --properties, and
// answers whose flow failed (here: the calculator reads a price the events
// lack) are counted and shown, without failing the run.
func TestBenchPropertiesAndFlowErrors(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	flow := testenv.FlowJSON("total", []testenv.Node{
		{ID: "start", Module: testenv.Start},
		{ID: "calc", Module: "tracardi.process_engine.action.v1.calculator_action",
			Init: map[string]any{"calc_dsl": "profile@stats.counters.total = event@properties.price * 2"}},
	}, "start.payload>calc")
	src := e.Setup("props", flow, "purchase")
	args := []string{"bench", "--url", e.URL, "--source", src, "--event-type", "purchase", "--events", "40", "--warmup", "0s",
		"--concurrency", "2", "--profiles", "10"}
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	m := regexp.MustCompile(`flow errors  (\d+) answers reported errors; the first: (.*)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(m[2], "price") {
		t.Fatalf("no flow errors about the price reported:\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 40 {
		t.Errorf("%s answers with errors reported, want every one of at least 40:\n%s", m[1], out)
	}

	code, out, errs = run(t, append(args, "--properties", ` {"price": 12.5, "sku": "A1"} `)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if strings.Contains(out, "flow errors") {
		t.Errorf("flow errors reported with the price sent:\n%s", out)
	}
	r := e.Admin("GET", "/profile/bench-profile-3", nil).MustOK(t)
	if got := r.At("stats.counters.total"); got != 25.0 {
		t.Errorf("bench-profile-3's total is %v, want 25 (the price sent, doubled)", got)
	}

	for _, bad := range []string{`[1]`, `null`, `{"price":`, `12`} {
		code, _, errs = run(t, append(args, "--properties", bad)...)
		if code == 0 || !strings.Contains(errs, "--properties must be a JSON object") {
			t.Errorf("--properties %s: exit %d, %s", bad, code, errs)
		}
	}
}
