package keylock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestExclusive(t *testing.T) {
	tb := New()
	var counts [4]int // one counter per key: only the lock orders access
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := tb.Lock(context.Background(), fmt.Sprint(i%4))
			if err != nil {
				t.Error(err)
				return
			}
			n := counts[i%4] // the race detector flags any overlap
			counts[i%4] = n + 1
			release()
		}()
	}
	wg.Wait()
	for k, n := range counts {
		if n != 100 {
			t.Errorf("key %d: %d", k, n)
		}
	}
	if h := tb.Held(); h != 0 {
		t.Fatalf("%d keys left in the table", h)
	}
}

func TestCancel(t *testing.T) {
	tb := New()
	release, err := tb.Lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := tb.Lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if _, err := tb.Lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	release()
	release()
	if h := tb.Held(); h != 0 {
		t.Fatalf("%d keys left in the table", h)
	}
	r2, err := tb.Lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	r2()
}
