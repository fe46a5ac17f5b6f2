// Package keylock serialises work per key (a profile id) within a process.
// Keys are spread over shards, each with its own mutex that guards only the
// table of keys currently held, so unrelated keys never wait for each other.
package keylock

import (
	"context"
	"hash/maphash"
	"sync"
)

const shards = 256

// Table locks keys. The zero value is not usable; use New.
type Table struct {
	seed   maphash.Seed
	shards [shards]shard
}

type shard struct {
	mu   sync.Mutex
	held map[string]*entry
}

// entry is a held key: sem has room for one token, which the holder owns;
// refs counts the holder and the waiters, and the entry leaves the table
// when it drops to zero.
type entry struct {
	sem  chan struct{}
	refs int
}

// New returns an empty table.
func New() *Table {
	t := &Table{seed: maphash.MakeSeed()}
	for i := range t.shards {
		t.shards[i].held = make(map[string]*entry)
	}
	return t
}

// Lock waits until key is free or ctx is done. The returned release frees it;
// call it exactly once.
func (t *Table) Lock(ctx context.Context, key string) (release func(), err error) {
	sh := &t.shards[maphash.String(t.seed, key)%shards]
	sh.mu.Lock()
	e := sh.held[key]
	if e == nil {
		e = &entry{sem: make(chan struct{}, 1)}
		sh.held[key] = e
	}
	e.refs++
	sh.mu.Unlock()

	select {
	case e.sem <- struct{}{}:
	default:
		select {
		case e.sem <- struct{}{}:
		case <-ctx.Done():
			t.unref(sh, key, e)
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-e.sem
			t.unref(sh, key, e)
		})
	}, nil
}

func (t *Table) unref(sh *shard, key string, e *entry) {
	sh.mu.Lock()
	e.refs--
	if e.refs == 0 {
		delete(sh.held, key)
	}
	sh.mu.Unlock()
}

// Held reports how many keys are held or waited for (for tests).
func (t *Table) Held() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		n += len(sh.held)
		sh.mu.Unlock()
	}
	return n
}
