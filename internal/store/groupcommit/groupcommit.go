// Package groupcommit runs a single writer that commits whatever writes have
// queued up as one transaction and then answers every caller, so that the
// cost of a durable commit (an fsync) is shared by many writes.
//
// When a group fails as a whole, the writer retries its writes one per
// transaction, so one bad write fails only its own caller.
package groupcommit

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tracflow/tracflow/internal/store"
)

// CommitFunc writes batch in one transaction and commits it; an error means
// nothing of the batch was committed.
type CommitFunc[T any] func(ctx context.Context, batch []T) error

// Queue is a group-committing writer for writes of type T.
type Queue[T any] struct {
	commit   CommitFunc[T]
	maxBatch int
	ch       chan *request[T]

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	done   chan struct{}

	writes, failed, commits, batches, retried, maxSeen atomic.Int64
}

type request[T any] struct {
	item T
	done chan error
}

var donePool = sync.Pool{New: func() any { return make(chan error, 1) }}

// New starts the writer goroutine. maxBatch bounds one transaction (at least
// 1); queue is how many writes may wait before callers block.
func New[T any](commit CommitFunc[T], maxBatch, queue int) *Queue[T] {
	if maxBatch < 1 {
		maxBatch = 1
	}
	q := &Queue[T]{
		commit:   commit,
		maxBatch: maxBatch,
		ch:       make(chan *request[T], queue),
		done:     make(chan struct{}),
	}
	go q.run()
	return q
}

// Do queues item and waits until it is committed or has failed. ctx can only
// cancel the wait for room in the queue: once queued, the write's outcome is
// waited for, because it will be committed all the same.
func (q *Queue[T]) Do(ctx context.Context, item T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request[T]{item: item, done: donePool.Get().(chan error)}
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return store.ErrClosed
	}
	select {
	case q.ch <- r:
	default:
		select {
		case q.ch <- r:
		case <-ctx.Done():
			q.mu.RUnlock()
			return ctx.Err()
		}
	}
	q.mu.RUnlock()
	err := <-r.done
	donePool.Put(r.done)
	return err
}

// Close stops taking writes, commits those already queued and waits for the
// writer to finish. It is safe to call more than once.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	q.mu.Unlock()
	<-q.done
}

// Stats reports the writer's counters.
func (q *Queue[T]) Stats() store.Stats {
	return store.Stats{
		Writes:      q.writes.Load(),
		Failed:      q.failed.Load(),
		Commits:     q.commits.Load(),
		Batches:     q.batches.Load(),
		Retried:     q.retried.Load(),
		MaxBatch:    q.maxSeen.Load(),
		QueueLength: int64(len(q.ch)),
	}
}

func (q *Queue[T]) run() {
	defer close(q.done)
	batch := make([]*request[T], 0, q.maxBatch)
	items := make([]T, 0, q.maxBatch)
	for {
		r, ok := <-q.ch
		if !ok {
			return
		}
		batch = append(batch[:0], r)
		// Let the handlers that are runnable right now queue their writes
		// before the group is taken: the scheduler runs a goroutine the
		// writer has just woken first, which would otherwise shrink every
		// group to one write. One yield, no waiting beyond it: under load
		// the writes that arrive during a commit make the next group (the
		// fsync is shared by them all). A writer that kept yielding until
		// the queue stopped growing spun in the scheduler between commits:
		// about 15% of the server's CPU at 500 requests/s, with no more
		// throughput at saturation.
		runtime.Gosched()
	drain:
		for len(batch) < q.maxBatch {
			select {
			case r, ok := <-q.ch:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		items = items[:0]
		for _, r := range batch {
			items = append(items, r.item)
		}
		q.process(batch, items)
		clear(items)
		clear(batch)
	}
}

func (q *Queue[T]) process(batch []*request[T], items []T) {
	q.batches.Add(1)
	if n := int64(len(batch)); n > q.maxSeen.Load() {
		q.maxSeen.Store(n)
	}
	ctx := context.Background()
	err := q.commit(ctx, items)
	if err == nil || len(batch) == 1 {
		if err == nil {
			q.commits.Add(1)
		}
		for _, r := range batch {
			q.answer(r, err)
		}
		return
	}
	// The group failed whole: find out which writes fail on their own.
	q.retried.Add(1)
	for i, r := range batch {
		err := q.commit(ctx, items[i:i+1])
		if err == nil {
			q.commits.Add(1)
		}
		q.answer(r, err)
	}
}

func (q *Queue[T]) answer(r *request[T], err error) {
	q.writes.Add(1)
	if err != nil {
		q.failed.Add(1)
	}
	r.done <- err
}
