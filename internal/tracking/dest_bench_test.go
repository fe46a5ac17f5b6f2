package tracking_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/tracking"
)

// BenchmarkTrackLatencyDestinations sends requests at a steady 400/s with
// no destination and with three webhook destinations matching every event
// (their receiver answers after 5 ms), and reports the p50 and p99 of
// Track: deliveries are queued in the background and must not show. The
// last run puts the queue in the store's own SQLite file, as the server
// does not.
func BenchmarkTrackLatencyDestinations(b *testing.B) {
	for _, c := range []struct {
		n      int
		shared bool
	}{{0, false}, {3, false}, {3, true}} {
		n := c.n
		name := fmt.Sprintf("destinations=%d", n)
		if c.shared {
			name += "/queue-in-store-file"
		}
		b.Run(name, func(b *testing.B) {
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(5 * time.Millisecond) }))
			defer rcv.Close()
			e := testenv.New(b, testenv.Options{Background: true, QueueInStoreFile: c.shared})
			e.Setup("bench", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
			for i := range n {
				e.Admin("POST", "/destination", map[string]any{"id": fmt.Sprintf("d%d", i), "name": "d", "event_type": map[string]any{"id": "page-view"},
					"destination": map[string]any{"package": destinations.PackageWebhook, "init": map[string]any{"url": rcv.URL}}}).MustOK(b)
			}
			// Open loop at a steady rate (as traffic comes), not as fast
			// as possible: on a saturated machine any background work
			// shows, and the question is what destinations add to a
			// request.
			const rate = 400 // requests per second
			var mu sync.Mutex
			var lat []time.Duration
			var wg sync.WaitGroup
			var cnt atomic.Int64
			tick := time.NewTicker(time.Second / rate)
			defer tick.Stop()
			b.ResetTimer()
			for range b.N {
				<-tick.C
				i := cnt.Add(1)
				wg.Go(func() {
					p := &tracking.Payload{SourceID: "bench", ProfileID: fmt.Sprintf("p-%d", i%10000), SessionID: fmt.Sprintf("s-%d", i%10000),
						Events: []tracking.EventIn{{Type: "page-view"}}}
					start := time.Now()
					if _, err := e.Tracker.Track(context.Background(), p, nil); err != nil {
						b.Error(err)
						return
					}
					d := time.Since(start)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				})
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}
