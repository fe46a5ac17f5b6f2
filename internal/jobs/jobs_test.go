package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}

// backends runs f on a queue opened on a real SQLite file (beside an open
// store, as the server does) and on PostgreSQL.
func backends(t *testing.T, f func(t *testing.T, open func(o jobs.Options) *jobs.Queue)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tracflow.db")
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, func(o jobs.Options) *jobs.Queue {
			q, err := jobs.OpenSQLite(context.Background(), jobs.QueueFile(path), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close(context.Background()) })
			return q
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		f(t, func(o jobs.Options) *jobs.Queue {
			q, err := jobs.OpenPostgres(context.Background(), dsn, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close(context.Background()) })
			return q
		})
	})
}

func fast(o jobs.Options) jobs.Options {
	o.PollInterval = 20 * time.Millisecond
	o.Backoff = func(int) time.Duration { return 50 * time.Millisecond }
	return o
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEnqueueRunsJobWithArgs(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		got := make(chan string, 1)
		q := open(fast(jobs.Options{Kinds: []jobs.Kind{{Name: "echo", Handle: func(_ context.Context, j *jobs.Job) error {
			var a struct{ Msg string }
			if err := json.Unmarshal(j.Args, &a); err != nil {
				return err
			}
			got <- a.Msg
			return nil
		}}}}))
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := q.Enqueue(context.Background(), jobs.Request{Kind: "echo", Args: map[string]string{"msg": "hello"}}); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-got:
			if m != "hello" {
				t.Fatalf("worked args %q, want hello", m)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("job never ran")
		}
		if _, _, err := q.Enqueue(context.Background(), jobs.Request{Kind: "nope"}); !errors.Is(err, jobs.ErrUnknownKind) {
			t.Fatalf("unknown kind: %v, want ErrUnknownKind", err)
		}
	})
}

func TestFailingJobIsDiscardedThenRetried(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		var runs atomic.Int32
		var fail atomic.Bool
		fail.Store(true)
		q := open(fast(jobs.Options{Kinds: []jobs.Kind{{Name: "flaky", MaxAttempts: 3, Handle: func(context.Context, *jobs.Job) error {
			runs.Add(1)
			if fail.Load() {
				return errors.New("receiver said 500")
			}
			return nil
		}}}}))
		ctx := context.Background()
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		id, _, err := q.Enqueue(ctx, jobs.Request{Kind: "flaky", Args: map[string]int{"n": 1}})
		if err != nil {
			t.Fatal(err)
		}
		var j *jobs.Job
		waitFor(t, "the job to be discarded", func() bool {
			j, err = q.Get(ctx, id)
			return err == nil && j.State == jobs.StateDiscarded
		})
		if runs.Load() != 3 || j.Attempt != 3 || len(j.Errors) != 3 || j.Errors[2].Error != "receiver said 500" {
			t.Fatalf("runs %d, job %+v: want 3 attempts, each with its error", runs.Load(), j)
		}
		list, _, err := q.List(ctx, jobs.ListParams{States: []string{jobs.StateDiscarded}, Kinds: []string{"flaky"}})
		if err != nil || len(list) != 1 || list[0].ID != id {
			t.Fatalf("list of dead jobs: %v %v", list, err)
		}
		counts, err := q.Counts(ctx)
		if err != nil || len(counts) != 1 || counts[0] != (jobs.Count{Kind: "flaky", State: jobs.StateDiscarded, N: 1}) {
			t.Fatalf("counts %v %v", counts, err)
		}
		fail.Store(false)
		if _, err := q.Retry(ctx, id); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the retried job to complete", func() bool {
			j, err = q.Get(ctx, id)
			return err == nil && j.State == jobs.StateCompleted
		})
		if _, err := q.Retry(ctx, 999999); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("retry of a missing job: %v", err)
		}
	})
}

func TestUniqueKeyAndCancel(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		q := open(fast(jobs.Options{Kinds: []jobs.Kind{{Name: "later", Handle: func(context.Context, *jobs.Job) error { return nil }}}}))
		ctx := context.Background()
		at := time.Now().Add(time.Hour)
		id1, dup1, err := q.Enqueue(ctx, jobs.Request{Kind: "later", Key: "k1", Args: map[string]int{"a": 1}, RunAt: at})
		if err != nil || dup1 {
			t.Fatal(err, dup1)
		}
		id2, dup2, err := q.Enqueue(ctx, jobs.Request{Kind: "later", Key: "k1", Args: map[string]int{"a": 2}, RunAt: at})
		if err != nil || !dup2 || id2 != id1 {
			t.Fatalf("second enqueue with the same key: id %d dup %v err %v; want the first job %d", id2, dup2, err, id1)
		}
		id3, dup3, err := q.Enqueue(ctx, jobs.Request{Kind: "later", Key: "k2", RunAt: at})
		if err != nil || dup3 || id3 == id1 {
			t.Fatal("another key must make another job", err)
		}
		j, err := q.Get(ctx, id1)
		if err != nil || j.State != jobs.StateScheduled || j.Key != "k1" {
			t.Fatalf("scheduled job: %+v %v", j, err)
		}
		j, err = q.CancelJob(ctx, id1)
		if err != nil || j.State != jobs.StateCancelled {
			t.Fatalf("cancel: %+v %v", j, err)
		}
	})
}

// Two processes over one PostgreSQL database: every job is worked once in
// all, and both take part.
func TestPostgresTwoProcessesWorkEachJobOnce(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	var mu sync.Mutex
	seen := map[string]int{}
	by := map[string]int{}
	mk := func(name string) *jobs.Queue {
		q, err := jobs.OpenPostgres(context.Background(), dsn, fast(jobs.Options{Workers: 4, Kinds: []jobs.Kind{{Name: "once", Handle: func(_ context.Context, j *jobs.Job) error {
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			seen[string(j.Args)]++
			by[name]++
			mu.Unlock()
			return nil
		}}}}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Close(context.Background()) })
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return q
	}
	a, _ := mk("a"), mk("b")
	const n = 200
	var reqs []jobs.Request
	for i := range n {
		reqs = append(reqs, jobs.Request{Kind: "once", Args: map[string]int{"i": i}})
	}
	if err := a.EnqueueMany(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all jobs", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == n })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show
	mu.Lock()
	defer mu.Unlock()
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("job %s worked %d times", k, c)
		}
	}
	if by["a"]+by["b"] != n {
		t.Fatalf("worked %v, want %d in all", by, n)
	}
}

// Retry right after a job finished: River records completions in batches,
// so the job may still read as running; Retry must still run it again.
func TestRetryJustCompletedJob(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		runs := make(chan struct{}, 10)
		q := open(fast(jobs.Options{Kinds: []jobs.Kind{{Name: "again", Handle: func(context.Context, *jobs.Job) error { runs <- struct{}{}; return nil }}}}))
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		id, _, err := q.Enqueue(context.Background(), jobs.Request{Kind: "again", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		<-runs
		j, err := q.Retry(context.Background(), id)
		if err != nil || j.State != jobs.StateAvailable {
			t.Fatalf("retry: %+v %v", j, err)
		}
		select {
		case <-runs:
		case <-time.After(10 * time.Second):
			t.Fatal("not run again")
		}
	})
}

// Submissions made at the same time are all stored and worked, each once;
// a bad one among them fails alone.
func TestSubmitGroupsAndIsolatesFailures(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		var mu sync.Mutex
		seen := map[int]int{}
		q := open(fast(jobs.Options{Kinds: []jobs.Kind{{Name: "num", Handle: func(_ context.Context, j *jobs.Job) error {
			var a struct{ I int }
			if err := json.Unmarshal(j.Args, &a); err != nil {
				return err
			}
			mu.Lock()
			seen[a.I]++
			mu.Unlock()
			return nil
		}}}}))
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		const n = 200
		var wg sync.WaitGroup
		errs := make([]error, n+1)
		for i := range n + 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := jobs.Request{Kind: "num", Args: map[string]int{"i": i}}
				if i == n {
					r.Kind = "nope"
				}
				errs[i] = q.Submit(context.Background(), r)
			}()
		}
		wg.Wait()
		for i, err := range errs[:n] {
			if err != nil {
				t.Fatalf("submission %d: %v", i, err)
			}
		}
		if !errors.Is(errs[n], jobs.ErrUnknownKind) {
			t.Fatalf("bad submission: %v, want ErrUnknownKind", errs[n])
		}
		waitFor(t, "every submitted job worked", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(seen) == n
		})
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("job %d worked %d times", i, c)
			}
		}
	})
}

// A kind with a queue of its own is worked by the process that works that
// queue (a follower, here), not by the one that enqueued it; its retries
// come due by the leader's maintenance.
func TestQueuesSplitWorkBetweenProcesses(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		var mu sync.Mutex
		worked := map[string]int{} // process/kind: attempts
		failedOnce := map[string]bool{}
		handler := func(who string) jobs.Handler {
			return func(_ context.Context, j *jobs.Job) error {
				mu.Lock()
				defer mu.Unlock()
				worked[who+"/"+j.Kind]++
				if j.Kind == "there" && !failedOnce[string(j.Args)] {
					failedOnce[string(j.Args)] = true
					return errors.New("first attempt fails")
				}
				return nil
			}
		}
		server := open(fast(jobs.Options{Queues: []string{jobs.DefaultQueue}, Kinds: []jobs.Kind{
			{Name: "here", Handle: handler("server")},
			{Name: "there", Queue: "elsewhere", Handle: handler("server")},
		}}))
		follower := open(fast(jobs.Options{Queues: []string{"elsewhere"}, Follower: true, Kinds: []jobs.Kind{
			{Name: "there", Queue: "elsewhere", Handle: handler("follower")},
		}}))
		var reported atomic.Int64
		server.Observe(func(kind string, _ time.Duration, err error) {
			if kind == "there" && err != nil {
				reported.Add(1)
			}
		})
		ctx := context.Background()
		for _, q := range []*jobs.Queue{server, follower} {
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			for _, kind := range []string{"here", "there"} {
				if _, _, err := server.Enqueue(ctx, jobs.Request{Kind: kind, Args: map[string]int{"n": i}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		waitFor(t, "every job worked", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return worked["server/here"] == 5 && worked["follower/there"] == 10
		})
		mu.Lock()
		if worked["server/there"] != 0 {
			t.Errorf("the server worked %d jobs of the follower's queue", worked["server/there"])
		}
		mu.Unlock()
		// The follower's attempts reach the server's metrics by Report.
		server.Report("there", time.Millisecond, errors.New("failed"))
		if reported.Load() != 1 {
			t.Errorf("reported failures: %d; want 1", reported.Load())
		}
	})
}

func TestFollowerCannotEnqueuePeriodicJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracflow-jobs.db")
	_, err := jobs.OpenSQLite(context.Background(), path, jobs.Options{Follower: true,
		Kinds:    []jobs.Kind{{Name: "tick", Handle: func(context.Context, *jobs.Job) error { return nil }}},
		Periodic: []jobs.Periodic{{Kind: "tick", Every: time.Minute}}})
	if err == nil || !strings.Contains(err.Error(), "follower") {
		t.Fatalf("a follower with periodic jobs: %v; want an error saying so", err)
	}
}

// Waiting tells whether a queue holds jobs still to be worked: a scheduled
// one counts, a cancelled one does not, and other queues' jobs never do.
func TestWaiting(t *testing.T) {
	backends(t, func(t *testing.T, open func(jobs.Options) *jobs.Queue) {
		nop := func(context.Context, *jobs.Job) error { return nil }
		q := open(fast(jobs.Options{Kinds: []jobs.Kind{{Name: "later", Handle: nop, Queue: "side"}, {Name: "other", Handle: nop}}}))
		ctx := context.Background()
		waiting := func(queue string) bool {
			t.Helper()
			w, err := q.Waiting(ctx, queue)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		if waiting("side") {
			t.Fatal("an empty queue waits")
		}
		at := time.Now().Add(time.Hour)
		if _, _, err := q.Enqueue(ctx, jobs.Request{Kind: "other", RunAt: at}); err != nil {
			t.Fatal(err)
		}
		if waiting("side") {
			t.Fatal("a job of the default queue counted in another queue")
		}
		id, _, err := q.Enqueue(ctx, jobs.Request{Kind: "later", RunAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if !waiting("side") || !waiting(jobs.DefaultQueue) {
			t.Fatal("scheduled jobs do not count as waiting")
		}
		if _, err := q.CancelJob(ctx, id); err != nil {
			t.Fatal(err)
		}
		if waiting("side") {
			t.Fatal("a cancelled job still counts as waiting")
		}
	})
}
