package tracking

import (
	"hash/maphash"
	"reflect"
	"sync"

	"github.com/tracflow/tracflow/internal/docsum"
	"github.com/tracflow/tracflow/plugin"
)

// DefaultCacheBytes bounds the document cache when Options.CacheBytes is 0;
// it is the server's --cache-size default too.
const DefaultCacheBytes = 64 << 20

// docCache keeps recently used profiles and sessions in memory, so that the
// collector reads them from the database once. It is only correct when no
// other process writes the database. Entries are replaced whole after every
// commit; the profile lock serialises the writers of one profile.
//
// The cache is bounded in bytes: each entry counts what its decoded document
// takes on the Go heap (see docsum.Measure) plus the entry's own bookkeeping, so
// that a million small anonymous profiles cost no more memory than a few
// thousand large ones. Profiles and sessions share the bound. The keys are
// spread over shards, each with its own lock, byte budget and second-chance
// (clock) eviction, so the hot path takes one uncontended mutex and never
// walks the whole cache.
type docCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
}

const cacheShards = 32

// entryOverhead is what one entry costs besides its document and id: the
// entry struct, its slot in the shard's map and in the clock ring.
const entryOverhead = 160

type docKind uint8

const (
	kindProfile docKind = iota
	kindSession
)

type cacheKey struct {
	kind docKind
	id   string
}

type cacheShard struct {
	mu    sync.Mutex
	m     map[cacheKey]*cacheEntry
	ring  []*cacheEntry // clock order; nil marks a free slot
	free  []int
	hand  int
	bytes int64
	limit int64
	_     [32]byte // keep neighbouring shards' locks off one cache line
}

type cacheEntry struct {
	key  cacheKey
	doc  map[string]any
	size int64
	fp   uint64 // the document's fingerprint as last stored
	slot int
	ref  bool
}

// newDocCache returns a cache holding at most maxBytes of documents.
func newDocCache(maxBytes int64) *docCache {
	c := &docCache{seed: maphash.MakeSeed()}
	per := max(maxBytes/cacheShards, 1)
	for i := range c.shards {
		c.shards[i].m = make(map[cacheKey]*cacheEntry)
		c.shards[i].limit = per
	}
	return c
}

func (c *docCache) profile(id string) plugin.Profile {
	if c == nil {
		return nil
	}
	return plugin.Profile(c.get(cacheKey{kindProfile, id}))
}

// putProfile caches p after a commit; changed says whether p may differ
// from the cached copy (its size is measured again).
func (c *docCache) putProfile(p plugin.Profile, changed bool) {
	if c == nil {
		return
	}
	c.put(cacheKey{kindProfile, p.ID()}, p, changed)
}

func (c *docCache) forgetProfile(id string) {
	if c == nil {
		return
	}
	c.del(cacheKey{kindProfile, id})
}

func (c *docCache) session(id string) plugin.Session {
	if c == nil {
		return nil
	}
	return plugin.Session(c.get(cacheKey{kindSession, id}))
}

func (c *docCache) putSession(s plugin.Session, changed bool) {
	if c == nil {
		return
	}
	c.put(cacheKey{kindSession, s.ID()}, s, changed)
}

func (c *docCache) forgetSession(id string) {
	if c == nil {
		return
	}
	c.del(cacheKey{kindSession, id})
}

// stored returns the fingerprint of doc as it was last stored, when doc is
// the cached document of its kind and id (a request changes the cached
// document in place until it stores it); nil otherwise. Flows compare their
// result with it to tell whether the document needs storing (see
// workflow.Input.StoredProfile), without hashing it before they run.
func (c *docCache) stored(kind docKind, doc map[string]any) *uint64 {
	if c == nil || doc == nil {
		return nil
	}
	id, _ := doc["id"].(string)
	k := cacheKey{kind, id}
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok || !sameMap(e.doc, doc) {
		return nil
	}
	fp := e.fp
	return &fp
}

// usage reports the entries cached and the bytes they are accounted for.
func (c *docCache) usage() (entries int, bytes int64) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		entries += len(s.m)
		bytes += s.bytes
		s.mu.Unlock()
	}
	return entries, bytes
}

func (c *docCache) shard(k cacheKey) *cacheShard {
	return &c.shards[maphash.String(c.seed, k.id)%cacheShards]
}

func (c *docCache) get(k cacheKey) map[string]any {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		return nil
	}
	e.ref = true
	return e.doc
}

func (c *docCache) put(k cacheKey, doc map[string]any, changed bool) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if ok && !changed && sameMap(e.doc, doc) {
		e.ref = true
		return
	}
	fp, n := docsum.Measure(doc)
	size := n + int64(len(k.id)) + entryOverhead
	if size > s.limit {
		// Larger than a shard's share of the bound: never cached.
		if ok {
			s.remove(e)
		}
		return
	}
	if ok {
		s.bytes += size - e.size
		e.doc, e.size, e.fp, e.ref = doc, size, fp, true
		s.evict(e)
		return
	}
	for s.bytes+size > s.limit {
		s.evictOne(nil)
	}
	e = &cacheEntry{key: k, doc: doc, size: size, fp: fp}
	if n := len(s.free); n > 0 {
		e.slot = s.free[n-1]
		s.free = s.free[:n-1]
		s.ring[e.slot] = e
	} else {
		e.slot = len(s.ring)
		s.ring = append(s.ring, e)
	}
	s.m[k] = e
	s.bytes += size
}

// sameMap reports whether a and b are the same map (not equal contents).
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// evict drops entries, oldest unused first, until the shard is within its
// limit; keep is not dropped.
func (s *cacheShard) evict(keep *cacheEntry) {
	for s.bytes > s.limit {
		s.evictOne(keep)
	}
}

// evictOne advances the clock hand to the next entry not used since the
// hand last passed it, and drops it.
func (s *cacheShard) evictOne(keep *cacheEntry) {
	for {
		if s.hand >= len(s.ring) {
			s.hand = 0
		}
		e := s.ring[s.hand]
		s.hand++
		switch {
		case e == nil, e == keep:
		case e.ref:
			e.ref = false
		default:
			s.remove(e)
			return
		}
	}
}

func (s *cacheShard) remove(e *cacheEntry) {
	delete(s.m, e.key)
	s.ring[e.slot] = nil
	s.free = append(s.free, e.slot)
	s.bytes -= e.size
}

func (c *docCache) del(k cacheKey) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[k]; ok {
		s.remove(e)
	}
}
