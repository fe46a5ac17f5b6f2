package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func benchCommand() *command {
	return &command{
		name:  "bench",
		usage: "--source ID [--url URL] [--duration 20s | --events N] [--concurrency 32] [--rate N] [--profiles 10000] [--no-session] [--event-type page-view] [--properties JSON] [--server-pid PID [--max-rss 256MB]]",
		short: "load /track and print events/s, latency and the server's CPU per request",
		long: `Drives POST /track of a running server with single-event requests spread over
many profiles, and prints events/s, latency percentiles and, with --server-pid
(or from /metrics), the server's CPU per request and peak memory. Each worker
keeps one HTTP/1.1 connection, so the load generator takes little of the CPU
of the machine it measures. It fails when a request fails, when nothing was
measured, or when the server's memory passes --max-rss. Answers whose flows
reported errors are counted and shown (the events the workload sends may not
be what its flows expect: --event-type and --properties set them).

Without --rate the workers send as fast as the server answers (a closed
loop: the figures are the server's capacity, and the latency there is mostly
queueing). With --rate N the requests are sent at N per second whatever the
answers (an open loop), and each latency counts from the time its request
was due, so a server that falls behind shows it: this measures the latency
at a given load, e.g. with and without a feature switched on.`,
		flags: func(fs *flag.FlagSet) runFunc {
			var o benchOptions
			fs.StringVar(&o.base, "url", "http://127.0.0.1:8686", "the server's base URL (http)")
			fs.StringVar(&o.source, "source", "", "event source id (required)")
			fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure (unless --events is given)")
			fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "how long to send before measuring")
			fs.IntVar(&o.events, "events", 0, "send this many events (after the warm-up), then stop; 0: run for --duration")
			fs.IntVar(&o.conc, "concurrency", 32, "requests in flight (one connection each)")
			fs.IntVar(&o.rate, "rate", 0, "send this many requests per second (an open loop; latency counted from each request's due time); 0: as fast as the server answers")
			fs.IntVar(&o.profiles, "profiles", 10000, "number of distinct profiles the events spread over (in turn)")
			fs.BoolVar(&o.noSession, "no-session", false, "send no session id, as server-side senders often do")
			fs.StringVar(&o.eventType, "event-type", "page-view", "event type to send")
			fs.StringVar(&o.properties, "properties", "", `the events' properties, a JSON object, e.g. '{"price":12.5}'; default: {"url": "https://example.com/p/N"}, N from 0 to 99 by profile`)
			fs.IntVar(&o.serverPID, "server-pid", 0, "the server's process id (on this machine): report its CPU per request (with its child processes', such as the delivery process) and sample its memory (VmRSS)")
			fs.StringVar(&o.maxRSS, "max-rss", "", "with --server-pid: fail when the server's resident memory exceeds this, e.g. 256MB")
			fs.StringVar(&o.metricsToken, "metrics-token", "", "without --server-pid, the CPU per request is read from /metrics (process_cpu_seconds_total) with this token when it needs one")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("bench: unexpected argument %q", args[0])
				}
				return e.bench(&o)
			}
		},
	}
}

// benchOptions are the flags of bench.
type benchOptions struct {
	base, source, eventType string
	properties              string
	duration, warmup        time.Duration
	events, conc, profiles  int
	rate                    int
	noSession               bool
	serverPID               int
	maxRSS, metricsToken    string
}

// bench drives POST /track with single-event requests over many profiles
// and reports throughput and latency. Each worker keeps one HTTP/1.1
// connection and writes and reads requests itself, so that the load
// generator spends little CPU of the machine it measures.
func (e *env) bench(o *benchOptions) error {
	if o.source == "" {
		return usagef("bench: --source ID is required (the id of an enabled event source)")
	}
	if o.conc < 1 || o.profiles < 1 || o.events < 0 || o.rate < 0 {
		return usagef("bench: --concurrency and --profiles must be at least 1, --events and --rate at least 0")
	}
	var rssLimit int64
	if o.maxRSS != "" {
		if o.serverPID == 0 {
			return usagef("bench: --max-rss needs --server-pid")
		}
		var err error
		if rssLimit, err = parseSize(o.maxRSS); err != nil {
			return usagef("bench: --max-rss: %v", err)
		}
	}
	u, err := url.Parse(strings.TrimRight(o.base, "/") + "/track")
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return usagef("bench: --url must be an http:// URL, e.g. http://127.0.0.1:8686")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	target := u.String()
	var props []byte
	if o.properties != "" {
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(o.properties)); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("{")) {
			return usagef("bench: --properties must be a JSON object, e.g. '{\"price\":12.5}'")
		}
		props = buf.Bytes()
	}
	var proc *procStat
	if o.serverPID != 0 {
		if proc, err = readProc(o.serverPID); err != nil {
			return fmt.Errorf("bench: --server-pid: %w", err)
		}
	}
	metricsURL := strings.TrimRight(o.base, "/") + "/metrics"

	// One request first, to fail fast on a wrong URL or source.
	c, err := dialTracker(addr, u.Host, u.RequestURI())
	if err != nil {
		return fmt.Errorf("bench: %s: %w", target, err)
	}
	code, body, err := c.send(o.source, o.eventType, props, 0, !o.noSession)
	c.close()
	if err != nil {
		return fmt.Errorf("bench: %s: %w", target, err)
	}
	if code != 200 {
		return fmt.Errorf("bench: %s answered %d: %s", target, code, strings.TrimSpace(string(body)))
	}

	var measuring, stop atomic.Bool
	var okN, failN, flowErrN, seq atomic.Int64
	var lastErr, firstFlowErr atomic.Value
	done := make(chan struct{})
	var doneOnce sync.Once
	lat := make([][]time.Duration, o.conc)
	// With --rate, a pacer hands out the due times of the requests; a
	// worker's latency counts from its request's due time.
	var due chan time.Time
	var missed atomic.Int64
	if o.rate > 0 {
		due = make(chan time.Time, 1<<16)
		go func() {
			defer close(due)
			interval := time.Duration(float64(time.Second) / float64(o.rate))
			next := time.Now()
			for !stop.Load() {
				now := time.Now()
				for !next.After(now) {
					select {
					case due <- next:
					default:
						if measuring.Load() {
							missed.Add(1) // a backlog of 65,536: the server is far behind
						}
					}
					next = next.Add(interval)
				}
				time.Sleep(next.Sub(now))
			}
		}()
	}
	var wg sync.WaitGroup
	for w := 0; w < o.conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var c *trackConn
			for !stop.Load() {
				if c == nil {
					var err error
					if c, err = dialTracker(addr, u.Host, u.RequestURI()); err != nil {
						lastErr.Store(err.Error())
						if measuring.Load() {
							failN.Add(1)
						}
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				t0 := time.Now()
				if due != nil {
					var ok bool
					if t0, ok = <-due; !ok {
						break
					}
				}
				code, body, err := c.send(o.source, o.eventType, props, int((seq.Add(1)-1)%int64(o.profiles)), !o.noSession)
				d := time.Since(t0)
				if err != nil {
					c.close()
					c = nil
				}
				if !measuring.Load() || stop.Load() {
					continue
				}
				if err != nil || code != 200 {
					failN.Add(1)
					if err != nil {
						lastErr.Store(err.Error())
					} else {
						lastErr.Store(fmt.Sprintf("HTTP %d: %s", code, strings.TrimSpace(string(body))))
					}
					continue
				}
				if msg := flowError(body); msg != "" {
					flowErrN.Add(1)
					firstFlowErr.CompareAndSwap(nil, msg)
				}
				if n := okN.Add(1); o.events > 0 && n >= int64(o.events) {
					doneOnce.Do(func() { close(done) })
				}
				lat[w] = append(lat[w], d)
			}
			if c != nil {
				c.close()
			}
		}(w)
	}
	time.Sleep(o.warmup)

	var peakRSS atomic.Int64
	var cpu0 time.Duration
	var cpuOK bool
	sampleDone := make(chan struct{})
	if proc != nil {
		p, err := readProc(o.serverPID)
		if err != nil {
			return fmt.Errorf("bench: --server-pid: %w", err)
		}
		cpu0, cpuOK = p.cpu+childrenCPU(o.serverPID), true
		peakRSS.Store(p.rss)
		go func() {
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-sampleDone:
					return
				case <-t.C:
					if p, err := readProc(o.serverPID); err == nil && p.rss > peakRSS.Load() {
						peakRSS.Store(p.rss)
					}
				}
			}
		}()
	} else {
		cpu0, cpuOK = scrapeCPU(metricsURL, o.metricsToken)
	}
	okN.Store(0)
	measuring.Store(true)
	start := time.Now()
	if o.events > 0 {
		<-done
	} else {
		time.Sleep(o.duration)
	}
	stop.Store(true)
	elapsed := time.Since(start)
	var cpu1 time.Duration
	if proc != nil {
		if p, err := readProc(o.serverPID); err == nil {
			cpu1 = p.cpu + childrenCPU(o.serverPID)
			// The kernel's high-water mark catches what sampling missed.
			if m := max(p.rss, p.hwm); m > peakRSS.Load() {
				peakRSS.Store(m)
			}
		} else {
			cpuOK = false
		}
	} else if cpuOK {
		cpu1, cpuOK = scrapeCPU(metricsURL, o.metricsToken)
	}
	close(sampleDone)
	wg.Wait()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(q float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[int(q*float64(len(all)-1))]
	}
	sessions := "a session id per profile"
	if o.noSession {
		sessions = "no session ids"
	}
	ok := okN.Load()
	load := fmt.Sprintf("concurrency %d", o.conc)
	if o.rate > 0 {
		load += fmt.Sprintf(", %d requests/s offered", o.rate)
	}
	fmt.Fprintf(e.stdout, "target       %s (source %s, %d profiles, %s, %s)\n", target, o.source, o.profiles, sessions, load)
	fmt.Fprintf(e.stdout, "duration     %s (after %s warm-up)\n", elapsed.Round(time.Millisecond), o.warmup)
	fmt.Fprintf(e.stdout, "events       %d ok, %d failed (one event per request)\n", ok, failN.Load())
	fmt.Fprintf(e.stdout, "events/s     %.0f (as many requests/s)\n", float64(ok)/elapsed.Seconds())
	fmt.Fprintf(e.stdout, "latency      p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)))
	if cpuOK && ok > 0 {
		used := cpu1 - cpu0
		fmt.Fprintf(e.stdout, "server CPU   %.0f%% of a core, %.0f µs per request\n", 100*used.Seconds()/elapsed.Seconds(), float64(used.Microseconds())/float64(ok))
	}
	if proc != nil {
		fmt.Fprintf(e.stdout, "server RSS   peak %.1f MB (VmRSS sampled every 250ms, and VmHWM)\n", float64(peakRSS.Load())/1e6)
	}
	if n := missed.Load(); n > 0 {
		fmt.Fprintf(e.stdout, "not sent     %d requests: the server fell too far behind the offered rate\n", n)
	}
	if n := flowErrN.Load(); n > 0 {
		fmt.Fprintf(e.stdout, "flow errors  %d answers reported errors; the first: %s\n", n, firstFlowErr.Load())
	}
	if v := lastErr.Load(); v != nil {
		fmt.Fprintf(e.stdout, "last error   %s\n", v)
	}
	if failN.Load() > 0 {
		return fmt.Errorf("bench: %d requests failed", failN.Load())
	}
	if ok == 0 {
		return fmt.Errorf("bench: no request completed in %s: nothing was measured (try a longer --duration)", elapsed.Round(time.Millisecond))
	}
	if rssLimit > 0 && peakRSS.Load() > rssLimit {
		return fmt.Errorf("bench: the server's resident memory reached %.1f MB, over --max-rss %s", float64(peakRSS.Load())/1e6, o.maxRSS)
	}
	return nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}

// trackConn is one keep-alive HTTP/1.1 connection to the collector.
type trackConn struct {
	conn       net.Conn
	r          *bufio.Reader
	host, path string
	body, req  []byte
}

func dialTracker(addr, host, path string) (*trackConn, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return &trackConn{conn: conn, r: bufio.NewReaderSize(conn, 8192), host: host, path: path}, nil
}

func (c *trackConn) close() { c.conn.Close() }

// send posts one event for profile, with a session id of its own or none,
// and returns the status and the body.
func (c *trackConn) send(source, eventType string, props []byte, profile int, session bool) (int, []byte, error) {
	c.body = fmt.Appendf(c.body[:0], `{"source":{"id":%q},"profile":{"id":"bench-profile-%d"},`, source, profile)
	if session {
		c.body = fmt.Appendf(c.body, `"session":{"id":"bench-session-%d"},`, profile)
	}
	if props != nil {
		c.body = fmt.Appendf(c.body, `"events":[{"type":%q,"properties":`, eventType)
		c.body = append(append(c.body, props...), "}]}"...)
	} else {
		c.body = fmt.Appendf(c.body, `"events":[{"type":%q,"properties":{"url":"https://example.com/p/%d"}}]}`, eventType, profile%100)
	}
	c.req = fmt.Appendf(c.req[:0], "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tracflow-bench\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", c.path, c.host, len(c.body))
	c.req = append(c.req, c.body...)
	if err := c.conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return 0, nil, err
	}
	if _, err := c.conn.Write(c.req); err != nil {
		return 0, nil, err
	}
	return readResponse(c.r)
}

// flowError answers the first error a /track answer reports, or "" when it
// reports none (or is not a /track answer).
func flowError(body []byte) string {
	if bytes.Contains(body, []byte(`"errors":[]`)) {
		return ""
	}
	var a struct {
		Errors []string `json:"errors"`
	}
	if json.Unmarshal(body, &a) != nil || len(a.Errors) == 0 {
		return ""
	}
	return a.Errors[0]
}

// readResponse reads one HTTP/1.1 response: status, headers, and a body
// framed by Content-Length or chunked encoding.
func readResponse(r *bufio.Reader) (int, []byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, fmt.Errorf("not an HTTP response: %q", line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	length, chunked := -1, false
	for {
		h, err := r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		k, v, _ := bytes.Cut(h, []byte(":"))
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil {
				return 0, nil, fmt.Errorf("bad Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")) && bytes.EqualFold(v, []byte("chunked")):
			chunked = true
		}
	}
	switch {
	case chunked:
		var body []byte
		for {
			sz, err := r.ReadSlice('\n')
			if err != nil {
				return 0, nil, err
			}
			n, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.SplitN(sz, []byte(";"), 2)[0])), 16, 64)
			if err != nil {
				return 0, nil, fmt.Errorf("bad chunk size %q", sz)
			}
			if n == 0 {
				// Trailers end with an empty line.
				for {
					t, err := r.ReadSlice('\n')
					if err != nil {
						return 0, nil, err
					}
					if len(bytes.TrimRight(t, "\r\n")) == 0 {
						return code, body, nil
					}
				}
			}
			chunk := make([]byte, n+2)
			if _, err := io.ReadFull(r, chunk); err != nil {
				return 0, nil, err
			}
			body = append(body, chunk[:n]...)
		}
	case length >= 0:
		body := make([]byte, length)
		_, err := io.ReadFull(r, body)
		return code, body, err
	}
	return 0, nil, errors.New("response without Content-Length or chunked encoding")
}
