package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// BenchOpenFunc opens a fresh, empty store for a benchmark.
type BenchOpenFunc func(b *testing.B) store.Store

// BenchmarkApply measures Apply from many goroutines (16 per core), each
// writing one small profile, session and event, as one tracked request does.
// It reports applies/s and writes/commit (how well group commit batches).
func BenchmarkApply(b *testing.B, open BenchOpenFunc) {
	st := open(b)
	defer st.Close()
	ctx := context.Background()
	var n atomic.Int64
	now := time.Now().UTC().Format(time.RFC3339Nano)
	before := st.Stats()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			pid, sid, eid := benchID("p", i), benchID("s", i), benchID("e", i)
			cs := &store.ChangeSet{
				Profiles: []store.Doc{{
					"id": pid, "metadata": map[string]any{"time": map[string]any{"insert": now, "update": now}},
					"stats": map[string]any{"visits": 1, "views": 1}, "traits": map[string]any{}, "active": true,
				}},
				Sessions: []store.Doc{{
					"id": sid, "profile": map[string]any{"id": pid},
					"metadata": map[string]any{"time": map[string]any{"insert": now}, "channel": "web"},
				}},
				Events: []store.Doc{{
					"id": eid, "type": "purchase", "profile": map[string]any{"id": pid}, "session": map[string]any{"id": sid},
					"source": map[string]any{"id": "bench"}, "properties": map[string]any{"price": 19.99, "sku": "sku-1"},
					"metadata": map[string]any{"status": "processed", "time": map[string]any{"insert": now}},
				}},
			}
			if err := st.Apply(ctx, cs); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	report(b, before, st.Stats())
}

// BenchmarkLockedUpdate measures what the collector does per request: lock a
// profile (one of 1,000), load it, add to a counter, apply the profile, its
// session and a new event, release.
func BenchmarkLockedUpdate(b *testing.B, open BenchOpenFunc) {
	st := open(b)
	defer st.Close()
	ctx := context.Background()
	var n atomic.Int64
	now := time.Now().UTC().Format(time.RFC3339Nano)
	before := st.Stats()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			pid := benchID("p", i%1000)
			if err := lockedUpdate(ctx, st, pid, benchID("e", i), now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	report(b, before, st.Stats())
}

func lockedUpdate(ctx context.Context, st store.Store, pid, eid, now string) error {
	release, err := st.LockProfile(ctx, pid)
	if err != nil {
		return err
	}
	defer release()
	p, err := st.Profile(ctx, pid)
	if errors.Is(err, store.ErrNotFound) {
		p = store.Doc{"id": pid, "metadata": map[string]any{"time": map[string]any{"insert": now}},
			"stats": map[string]any{"views": 0.0}}
	} else if err != nil {
		return err
	}
	stats := p["stats"].(map[string]any)
	stats["views"] = stats["views"].(float64) + 1
	sid := "s-" + pid
	return st.Apply(ctx, &store.ChangeSet{
		Profiles: []store.Doc{p},
		Sessions: []store.Doc{{"id": sid, "profile": map[string]any{"id": pid},
			"metadata": map[string]any{"time": map[string]any{"insert": now}, "status": "active"}}},
		Events: []store.Doc{{"id": eid, "type": "page-view", "profile": map[string]any{"id": pid},
			"session": map[string]any{"id": sid}, "source": map[string]any{"id": "bench"},
			"metadata": map[string]any{"status": "processed", "time": map[string]any{"insert": now}}}},
	})
}

// benchID is a unique id spread like the random UUIDs real ids are, so
// that index writes land on random pages as they do in production.
func benchID(prefix string, i int64) string {
	h := uint64(i) * 0x9E3779B97F4A7C15 // odd multiplier: distinct i, distinct ids
	return fmt.Sprintf("%s%016x", prefix, h)
}

func report(b *testing.B, before, after store.Stats) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "applies/s")
	if c := after.Commits - before.Commits; c > 0 {
		b.ReportMetric(float64(after.Writes-before.Writes)/float64(c), "writes/commit")
	}
}
