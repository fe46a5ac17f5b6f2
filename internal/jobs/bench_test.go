package jobs_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
)

// benchSQLite opens a store and a queue on one real SQLite file, as the
// server does.
func benchSQLite(b *testing.B, o jobs.Options) (store.Store, *jobs.Queue) {
	path := filepath.Join(b.TempDir(), "tracflow.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	q, err := jobs.OpenSQLite(context.Background(), jobs.QueueFile(path), o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { q.Close(context.Background()) })
	return st, q
}

var noop = jobs.Kind{Name: "noop", Handle: func(context.Context, *jobs.Job) error { return nil }}

// BenchmarkSQLiteEnqueue inserts one job per call (one transaction each).
func BenchmarkSQLiteEnqueue(b *testing.B) {
	_, q := benchSQLite(b, jobs.Options{Kinds: []jobs.Kind{noop}})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := q.Enqueue(ctx, jobs.Request{Kind: "noop", Args: map[string]any{"profile": "p", "i": i}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkSQLiteEnqueueMany inserts 100 jobs per transaction.
func BenchmarkSQLiteEnqueueMany(b *testing.B) {
	_, q := benchSQLite(b, jobs.Options{Kinds: []jobs.Kind{noop}})
	ctx := context.Background()
	reqs := make([]jobs.Request, 100)
	for i := range reqs {
		reqs[i] = jobs.Request{Kind: "noop", Args: map[string]any{"profile": "p", "i": i}}
	}
	for b.Loop() {
		if err := q.EnqueueMany(ctx, reqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkSQLiteInsertToWork measures the latency from Enqueue to the
// handler starting, one job at a time.
func BenchmarkSQLiteInsertToWork(b *testing.B) {
	done := make(chan struct{}, 1)
	_, q := benchSQLite(b, jobs.Options{PollInterval: 50 * time.Millisecond, Kinds: []jobs.Kind{{Name: "ping", Handle: func(context.Context, *jobs.Job) error {
		done <- struct{}{}
		return nil
	}}}})
	ctx := context.Background()
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := q.Enqueue(ctx, jobs.Request{Kind: "ping"}); err != nil {
			b.Fatal(err)
		}
		<-done
	}
}

// BenchmarkSQLiteStoreApplyBesideQueue runs the collector's writes
// (BenchmarkApply's shape: 32 goroutines, one profile, session and event per
// Apply) with and without a queue enqueuing and working jobs on the same
// file, to see what River's connection costs the group-commit writer.
func BenchmarkSQLiteStoreApplyBesideQueue(b *testing.B) {
	for _, withJobs := range []bool{false, true} {
		b.Run(fmt.Sprintf("jobs=%v", withJobs), func(b *testing.B) {
			st, q := benchSQLite(b, jobs.Options{PollInterval: 50 * time.Millisecond, Kinds: []jobs.Kind{noop}})
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			if withJobs {
				if err := q.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				wg.Go(func() {
					for ctx.Err() == nil {
						reqs := make([]jobs.Request, 20)
						for i := range reqs {
							reqs[i] = jobs.Request{Kind: "noop"}
						}
						q.EnqueueMany(ctx, reqs)
						time.Sleep(10 * time.Millisecond)
					}
				})
			}
			now := time.Now()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := domain.NewID()
					cs := &store.ChangeSet{
						Profiles: []store.Doc{domain.NewProfile(id, now)},
						Sessions: []store.Doc{domain.NewSession(id, id, now)},
						Events:   []store.Doc{{"id": id, "type": "page-view", "profile": map[string]any{"id": id}, "session": map[string]any{"id": id}, "source": map[string]any{"id": "s"}}},
					}
					if err := st.Apply(ctx, cs); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "applies/s")
			b.StopTimer()
			cancel()
			wg.Wait()
		})
	}
}
