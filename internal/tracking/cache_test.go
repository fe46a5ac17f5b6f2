package tracking

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/docsum"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/plugin"
)

// storedProfile is a profile as the cache holds it after a read from the
// database: decoded from JSON.
func storedProfile(t testing.TB, id string, i int) plugin.Profile {
	p := domain.NewProfile(id, time.Unix(1_700_000_000, 0))
	p["traits"] = map[string]any{"name": fmt.Sprintf("Customer %d", i), "plan": "pro", "score": float64(i)}
	p["stats"].(map[string]any)["views"] = float64(i % 50)
	p["segments"] = []any{"buyers", "newsletter"}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// docSize is what the cache counts for a document besides its id and
// entry.
func docSize(v any) int64 {
	_, n := docsum.Measure(v)
	return n
}

// TestDocSizeMatchesTheHeap checks docsum.Measure's size against what the runtime
// reports for many decoded profiles and sessions: the cache's byte bound is
// only as good as this estimate.
func TestDocSizeMatchesTheHeap(t *testing.T) {
	const n = 3000
	keep := make([]map[string]any, 0, 2*n)
	before := heapInUse()
	for i := range n {
		keep = append(keep, storedProfile(t, fmt.Sprintf("profile-%06d", i), i))
		s := domain.NewSession(fmt.Sprintf("session-%06d", i), "p", time.Unix(1_700_000_000, 0))
		b, _ := json.Marshal(s)
		var d map[string]any
		json.Unmarshal(b, &d)
		keep = append(keep, d)
	}
	real := float64(heapInUse()-before) - float64(cap(keep)*8)
	var est float64
	for _, d := range keep {
		est += float64(docSize(d))
	}
	runtime.KeepAlive(keep)
	ratio := est / real
	t.Logf("estimated %.0f bytes, heap grew %.0f bytes (ratio %.2f, %.0f bytes a document)", est, real, ratio, real/float64(len(keep)))
	if ratio < 0.8 || ratio > 1.25 {
		t.Errorf("docSize is off: estimated %.0f bytes for documents that take %.0f (ratio %.2f, want 0.8-1.25)", est, real, ratio)
	}
}

// TestCacheStaysWithinItsByteBound fills a small cache with far more
// documents than fit: the accounted bytes stay under the bound, and so does
// the heap the cache holds on to.
func TestCacheStaysWithinItsByteBound(t *testing.T) {
	const bound = 4 << 20
	base := heapInUse()
	c := newDocCache(bound)
	var accounted int64
	for i := range 10_000 {
		c.putProfile(storedProfile(t, fmt.Sprintf("profile-%06d", i), i), true)
		if i%1000 == 999 {
			entries, bytes := c.usage()
			if bytes > bound {
				t.Fatalf("after %d profiles the cache accounts %d bytes, over its bound %d", i+1, bytes, bound)
			}
			if entries == 0 || entries > i+1 {
				t.Fatalf("after %d profiles: %d entries", i+1, entries)
			}
			accounted = bytes
		}
	}
	entries, _ := c.usage()
	if accounted < bound*3/4 {
		t.Errorf("the cache holds %d bytes of a %d bound: it evicts too eagerly", accounted, bound)
	}
	held := int64(heapInUse()) - int64(base)
	runtime.KeepAlive(c)
	t.Logf("%d profiles cached, %d bytes accounted, heap held %d", entries, accounted, held)
	if held > bound*13/10 || held < bound/2 {
		t.Errorf("the cache holds %d bytes of heap for a bound of %d, want within -50%%..+30%%", held, bound)
	}
}

// TestCacheEvictsWhatWasNotUsed checks the clock: an entry read between
// insertions survives while the cache churns through others.
func TestCacheEvictsWhatWasNotUsed(t *testing.T) {
	hot := storedProfile(t, "hot", 0)
	size := docSize(map[string]any(hot)) + int64(len("hot")) + entryOverhead
	c := newDocCache(cacheShards * size * 4) // about four profiles a shard
	c.putProfile(hot, true)
	for i := range 2000 {
		if c.profile("hot") == nil {
			t.Fatalf("the profile read after every insertion was evicted after %d insertions", i)
		}
		c.putProfile(storedProfile(t, fmt.Sprintf("cold-%d", i), i), true)
	}
	if c.profile("cold-0") != nil {
		t.Error("the first cold profile is still cached after 2000 others")
	}
	if c.profile("cold-1999") == nil {
		t.Error("the latest profile is not cached")
	}
}

func TestCacheAccountsUpdatesAndRemovals(t *testing.T) {
	c := newDocCache(64 << 20)
	p := storedProfile(t, "p", 1)
	c.putProfile(p, true)
	_, b1 := c.usage()
	p["traits"].(map[string]any)["bio"] = string(make([]byte, 10_000))
	c.putProfile(p, false) // the same map, said unchanged: not measured again
	if _, b := c.usage(); b != b1 {
		t.Fatalf("an unchanged put changed the accounting: %d, was %d", b, b1)
	}
	c.putProfile(p, true)
	_, b2 := c.usage()
	if b2 < b1+10_000 {
		t.Fatalf("a grown profile is accounted %d bytes, was %d", b2, b1)
	}
	s := domain.NewSession("p", "p", time.Now())
	c.putSession(s, true) // the same id as the profile: a separate entry
	if c.profile("p") == nil || c.session("p") == nil {
		t.Fatal("a session and a profile of the same id do not coexist")
	}
	c.forgetProfile("p")
	c.forgetSession("p")
	if n, b := c.usage(); n != 0 || b != 0 {
		t.Fatalf("after removing everything: %d entries, %d bytes", n, b)
	}
	// A document larger than a shard's share of the bound is not cached.
	small := newDocCache(cacheShards * 1024)
	small.putProfile(p, true)
	if small.profile("p") != nil {
		t.Error("a profile larger than the cache's shard was cached")
	}
	if n, b := small.usage(); n != 0 || b != 0 {
		t.Errorf("after refusing a large profile: %d entries, %d bytes", n, b)
	}
}
