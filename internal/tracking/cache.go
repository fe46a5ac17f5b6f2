package tracking

import (
	"sync"

	"github.com/tracflow/tracflow/plugin"
)

// docCache keeps recently used profiles and sessions in memory, so that the
// collector reads them from the database once. It is only correct when no
// other process writes the database. Entries are replaced whole after every
// commit; the profile lock serialises the writers of one profile.
type docCache struct {
	profiles *lru[plugin.Profile]
	sessions *lru[plugin.Session]
}

func newDocCache(size int) *docCache {
	return &docCache{profiles: newLRU[plugin.Profile](size), sessions: newLRU[plugin.Session](size)}
}

func (c *docCache) profile(id string) plugin.Profile {
	if c == nil {
		return nil
	}
	p, _ := c.profiles.get(id)
	return p
}

func (c *docCache) putProfile(p plugin.Profile) {
	if c == nil {
		return
	}
	c.profiles.put(p.ID(), p)
}

func (c *docCache) forgetProfile(id string) {
	if c == nil {
		return
	}
	c.profiles.del(id)
}

func (c *docCache) session(id string) plugin.Session {
	if c == nil {
		return nil
	}
	s, _ := c.sessions.get(id)
	return s
}

func (c *docCache) putSession(s plugin.Session) {
	if c == nil {
		return
	}
	c.sessions.put(s.ID(), s)
}

func (c *docCache) forgetSession(id string) {
	if c == nil {
		return
	}
	c.sessions.del(id)
}

// lru is a sharded map with second-chance (clock) eviction: cheap, bounded,
// good enough to keep the active profiles in memory.
type lru[V any] struct {
	shards [32]lruShard[V]
}

type lruShard[V any] struct {
	mu    sync.Mutex
	m     map[string]*lruEntry[V]
	ring  []string // keys by slot; "" marks a free slot
	free  []int
	hand  int
	limit int
}

type lruEntry[V any] struct {
	v    V
	ref  bool
	slot int
}

func newLRU[V any](size int) *lru[V] {
	l := &lru[V]{}
	per := size/len(l.shards) + 1
	for i := range l.shards {
		l.shards[i].m = make(map[string]*lruEntry[V])
		l.shards[i].limit = per
	}
	return l
}

func (l *lru[V]) shard(k string) *lruShard[V] {
	h := uint32(2166136261)
	for i := 0; i < len(k); i++ {
		h ^= uint32(k[i])
		h *= 16777619
	}
	return &l.shards[h%uint32(len(l.shards))]
}

func (l *lru[V]) get(k string) (V, bool) {
	s := l.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	e.ref = true
	return e.v, true
}

func (l *lru[V]) put(k string, v V) {
	s := l.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[k]; ok {
		e.v, e.ref = v, true
		return
	}
	var slot int
	switch {
	case len(s.free) > 0:
		slot = s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
	case len(s.ring) < s.limit:
		slot = len(s.ring)
		s.ring = append(s.ring, "")
	default:
		for {
			e := s.m[s.ring[s.hand]]
			if e.ref {
				e.ref = false
				s.hand = (s.hand + 1) % len(s.ring)
				continue
			}
			delete(s.m, s.ring[s.hand])
			slot = s.hand
			s.hand = (s.hand + 1) % len(s.ring)
			break
		}
	}
	s.ring[slot] = k
	s.m[k] = &lruEntry[V]{v: v, slot: slot}
}

func (l *lru[V]) del(k string) {
	s := l.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		return
	}
	delete(s.m, k)
	s.ring[e.slot] = ""
	s.free = append(s.free, e.slot)
}
