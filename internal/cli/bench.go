package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func init() {
	extraCommands = append(extraCommands, command{name: "bench", run: (*env).bench})
}

// bench drives POST /track with single-event requests over many profiles
// and reports throughput and latency.
func (e *env) bench(args []string) error {
	fs := e.newFlagSet("bench")
	url := fs.String("url", "http://127.0.0.1:8686", "the server's base URL")
	source := fs.String("source", "", "event source id (required)")
	duration := fs.Duration("duration", 20*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", 2*time.Second, "how long to send before measuring")
	conc := fs.Int("concurrency", 32, "requests in flight")
	profiles := fs.Int("profiles", 10000, "number of distinct profiles the events spread over")
	eventType := fs.String("event-type", "page-view", "event type to send")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: tracflow bench --source ID [--url URL] [--duration 20s] [--concurrency 32] [--profiles 10000]")
		fs.PrintDefaults()
	}
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *source == "" {
		return usagef("bench: --source ID is required (the id of an enabled event source)")
	}
	if *conc < 1 || *profiles < 1 {
		return usagef("bench: --concurrency and --profiles must be at least 1")
	}
	target := strings.TrimRight(*url, "/") + "/track"
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: *conc * 2, MaxIdleConnsPerHost: *conc * 2, MaxConnsPerHost: *conc * 2},
	}
	// One request first, to fail fast on a wrong URL or source.
	if code, body, err := sendTrack(client, target, *source, *eventType, 0); err != nil {
		return fmt.Errorf("bench: %s: %w", target, err)
	} else if code != http.StatusOK {
		return fmt.Errorf("bench: %s answered %d: %s", target, code, strings.TrimSpace(string(body)))
	}

	var measuring atomic.Bool
	var okN, failN atomic.Int64
	lat := make([][]time.Duration, *conc)
	ctx, cancel := context.WithTimeout(context.Background(), *warmup+*duration)
	defer cancel()
	var wg sync.WaitGroup
	var start time.Time
	var startOnce sync.Once
	time.AfterFunc(*warmup, func() {
		startOnce.Do(func() { start = time.Now() })
		measuring.Store(true)
	})
	var lastErr atomic.Value
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for ctx.Err() == nil {
				p := r.IntN(*profiles)
				t0 := time.Now()
				code, body, err := sendTrack(client, target, *source, *eventType, p)
				d := time.Since(t0)
				if !measuring.Load() || ctx.Err() != nil {
					continue
				}
				if err != nil || code != http.StatusOK {
					failN.Add(1)
					if err != nil {
						lastErr.Store(err.Error())
					} else {
						lastErr.Store(fmt.Sprintf("HTTP %d: %s", code, strings.TrimSpace(string(body))))
					}
					continue
				}
				okN.Add(1)
				lat[w] = append(lat[w], d)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(q float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		i := int(q * float64(len(all)-1))
		return all[i]
	}
	fmt.Fprintf(e.stdout, "target       %s (source %s, %d profiles, concurrency %d)\n", target, *source, *profiles, *conc)
	fmt.Fprintf(e.stdout, "duration     %s (after %s warm-up)\n", elapsed.Round(time.Millisecond), *warmup)
	fmt.Fprintf(e.stdout, "events       %d ok, %d failed\n", okN.Load(), failN.Load())
	fmt.Fprintf(e.stdout, "events/s     %.0f\n", float64(okN.Load())/elapsed.Seconds())
	fmt.Fprintf(e.stdout, "latency      p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)))
	if v := lastErr.Load(); v != nil {
		fmt.Fprintf(e.stdout, "last error   %s\n", v)
	}
	if failN.Load() > 0 {
		return fmt.Errorf("bench: %d requests failed", failN.Load())
	}
	return nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}

func sendTrack(c *http.Client, url, source, eventType string, profile int) (int, []byte, error) {
	body := fmt.Appendf(nil, `{"source":{"id":%q},"profile":{"id":"bench-profile-%d"},"session":{"id":"bench-session-%d"},"events":[{"type":%q,"properties":{"url":"https://example.com/p/%d"}}]}`,
		source, profile, profile, eventType, profile%100)
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
