package tracking_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/tracking"
)

// BenchmarkTrack measures the collector pipeline without HTTP: one
// page-view event per request, spread over 10,000 profiles, through the
// demo-like counter flow, committed to SQLite.
func BenchmarkTrack(b *testing.B) {
	e := testenv.New(b, testenv.Options{})
	e.Setup("bench", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			i := n.Add(1)
			p := &tracking.Payload{
				SourceID:  "bench",
				ProfileID: fmt.Sprintf("p-%d", i%10000),
				SessionID: fmt.Sprintf("s-%d", i%10000),
				Events:    []tracking.EventIn{{Type: "page-view", Properties: map[string]any{"url": "https://example.com/"}}},
			}
			if _, err := e.Tracker.Track(ctx, p, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkTrackStats(b *testing.B) {
	e := testenv.New(b, testenv.Options{})
	e.Setup("bench", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	before := e.Store.Stats()
	var n atomic.Int64
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			i := n.Add(1)
			p := &tracking.Payload{SourceID: "bench", ProfileID: fmt.Sprintf("p-%d", i%10000), SessionID: fmt.Sprintf("s-%d", i%10000),
				Events: []tracking.EventIn{{Type: "page-view"}}}
			if _, err := e.Tracker.Track(ctx, p, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	st := e.Store.Stats()
	b.Logf("writes %d commits %d batches %d maxbatch %d", st.Writes-before.Writes, st.Commits-before.Commits, st.Batches-before.Batches, st.MaxBatch)
}
