package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// recorder commits by remembering the batches; items < 0 fail.
type recorder struct {
	mu      sync.Mutex
	batches [][]int
	gate    chan struct{} // when set, the first commit waits on it
}

func (r *recorder) commit(_ context.Context, batch []int) error {
	if r.gate != nil {
		<-r.gate
		r.gate = nil
	}
	for _, v := range batch {
		if v < 0 {
			return errors.New("bad item")
		}
	}
	r.mu.Lock()
	r.batches = append(r.batches, append([]int(nil), batch...))
	r.mu.Unlock()
	return nil
}

func TestGroups(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	q := New(r.commit, 100, 1000)
	defer q.Close()
	// The first write holds the writer; the others queue meanwhile.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); q.Do(context.Background(), 0) }()
	for q.Stats().Batches == 0 {
		time.Sleep(time.Millisecond)
	}
	errs := make([]error, 50)
	for i := 1; i <= 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := i
			if i == 25 {
				v = -1
			}
			errs[i-1] = q.Do(context.Background(), v)
		}()
	}
	for q.Stats().QueueLength < 50 {
		time.Sleep(time.Millisecond)
	}
	close(r.gate)
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 24) {
			t.Errorf("write %d: %v", i+1, err)
		}
	}
	st := q.Stats()
	// One commit for the first write, one failed group of 50 retried one by
	// one: 49 commits.
	if st.Batches != 2 || st.Retried != 1 || st.Commits != 50 || st.Writes != 51 || st.Failed != 1 || st.MaxBatch != 50 {
		t.Fatalf("stats %+v", st)
	}
}

func TestMaxBatch(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	q := New(r.commit, 4, 100)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); q.Do(context.Background(), i) }()
	}
	for q.Stats().QueueLength < 6 { // the writer holds at most 4
		time.Sleep(time.Millisecond)
	}
	close(r.gate)
	wg.Wait()
	q.Close()
	for _, b := range r.batches {
		if len(b) > 4 {
			t.Fatalf("batch of %d", len(b))
		}
	}
}

func TestCloseFlushes(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	q := New(r.commit, 10, 100)
	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range 30 {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = q.Do(context.Background(), i) }()
	}
	// Wait until all 30 are either held by the writer (at the gate) or queued.
	for st := q.Stats(); st.Batches != 1 || st.MaxBatch+st.QueueLength != 30; st = q.Stats() {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { q.Close(); close(closed) }()
	time.Sleep(10 * time.Millisecond)
	close(r.gate)
	<-closed
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if err := q.Do(context.Background(), 1); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Do after Close: %v", err)
	}
	q.Close()
}

func TestContext(t *testing.T) {
	r := &recorder{gate: make(chan struct{})}
	q := New(r.commit, 1, 1)
	defer func() { close(r.gate); q.Close() }()
	go q.Do(context.Background(), 1) // taken by the writer, which waits at the gate
	for q.Stats().Batches == 0 {
		time.Sleep(time.Millisecond)
	}
	go q.Do(context.Background(), 2) // fills the queue
	for q.Stats().QueueLength < 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Do(ctx, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do on a full queue: %v", err)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := q.Do(cancelled, 4); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with a cancelled context: %v", err)
	}
}
