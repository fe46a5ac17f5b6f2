package tracking

import (
	"errors"
	"testing"
)

// TestSystemEventsAreBounded checks that nested system events stop at
// MaxSystemDepth and a request's at MaxSystemEvents, so flows reacting to
// system events cannot loop.
func TestSystemEventsAreBounded(t *testing.T) {
	var b systemBudget
	for depth := 1; depth <= MaxSystemDepth; depth++ {
		if err := b.enter("segment-entered"); err != nil {
			t.Fatalf("depth %d refused: %v", depth, err)
		}
	}
	if err := b.enter("segment-left"); !errors.Is(err, ErrSystemLoop) {
		t.Fatalf("depth %d: got %v, want ErrSystemLoop", MaxSystemDepth+1, err)
	}
	for range MaxSystemDepth {
		b.leave()
	}
	n := MaxSystemDepth
	for {
		if err := b.enter("profile-merged"); err != nil {
			if !errors.Is(err, ErrSystemLoop) {
				t.Fatal(err)
			}
			break
		}
		b.leave()
		if n++; n > 2*MaxSystemEvents {
			t.Fatal("no bound on the number of system events")
		}
	}
	if n != MaxSystemEvents {
		t.Errorf("%d system events admitted, want %d", n, MaxSystemEvents)
	}
}
