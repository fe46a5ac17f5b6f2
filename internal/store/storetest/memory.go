package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// testMemory checks the shared memory: values, replacement, expiry,
// pruning, limits and concurrent writers.
func testMemory(t *testing.T, st store.Store) {
	m, ok := st.(store.Memory)
	if !ok {
		t.Fatal("the store does not implement store.Memory")
	}
	ctx := context.Background()
	now := time.Date(2024, 3, 14, 12, 0, 0, 0, time.UTC)
	if _, err := m.GetMemory(ctx, "nothing", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	if err := m.PutMemory(ctx, "k", []byte(`{"a":1}`), now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if v, err := m.GetMemory(ctx, "k", now.Add(59*time.Second)); err != nil || string(v) != `{"a":1}` {
		t.Fatalf("get: %s %v", v, err)
	}
	if _, err := m.GetMemory(ctx, "k", now.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired: %v", err)
	}
	// Replacing: the new value and expiry (none).
	if err := m.PutMemory(ctx, "k", []byte(`"b"`), now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if v, err := m.GetMemory(ctx, "k", now.Add(24*365*time.Hour)); err != nil || string(v) != `"b"` {
		t.Fatalf("replaced: %s %v", v, err)
	}
	// A write prunes expired entries, a batch at a time.
	for i := 0; i < store.MemoryPruneBatch+5; i++ {
		if err := m.PutMemory(ctx, fmt.Sprintf("old-%d", i), []byte("1"), now, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	later := now.Add(time.Hour)
	if err := m.PutMemory(ctx, "new", []byte("2"), later, later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	left := 0
	for i := 0; i < store.MemoryPruneBatch+5; i++ {
		// Read as if before the expiry: only a deleted entry is gone.
		if _, err := m.GetMemory(ctx, fmt.Sprintf("old-%d", i), now); err == nil {
			left++
		}
	}
	if left != 5 {
		t.Fatalf("%d expired entries left after one write, want 5", left)
	}
	if _, err := m.GetMemory(ctx, "k", later); err != nil {
		t.Fatalf("an entry without expiry was pruned: %v", err)
	}
	// Limits.
	if err := m.PutMemory(ctx, "", []byte("1"), now, time.Time{}); err == nil {
		t.Error("an empty key was stored")
	}
	if err := m.PutMemory(ctx, strings.Repeat("k", store.MaxMemoryKey+1), []byte("1"), now, time.Time{}); err == nil {
		t.Error("a too long key was stored")
	}
	if err := m.PutMemory(ctx, "big", make([]byte, store.MaxMemoryValue+1), now, time.Time{}); err == nil {
		t.Error("a too large value was stored")
	}
	// Concurrent writers of one key: one of their values wins, whole.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := m.PutMemory(ctx, "race", []byte(fmt.Sprintf(`{"writer":%d}`, i)), now, time.Time{}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if v, err := m.GetMemory(ctx, "race", now); err != nil || !strings.HasPrefix(string(v), `{"writer":`) {
		t.Fatalf("race: %s %v", v, err)
	}
}
