package tracking

import (
	"errors"
	"testing"
)

// TestEmitSystemIsBounded checks that chains of system events stop at
// MaxSystemDepth and a request at MaxSystemEvents, so flows reacting to
// system events cannot loop.
func TestEmitSystemIsBounded(t *testing.T) {
	p := &Payload{Events: []EventIn{{Type: "page-view"}}}
	cause := 0
	for depth := 1; depth <= MaxSystemDepth; depth++ {
		if err := p.EmitSystem(cause, EventSegmentEntered, nil); err != nil {
			t.Fatalf("depth %d refused: %v", depth, err)
		}
		cause = len(p.Events) - 1
		if d := p.Events[cause].depth; d != depth {
			t.Fatalf("event depth %d, want %d", d, depth)
		}
	}
	if err := p.EmitSystem(cause, EventSegmentLeft, nil); !errors.Is(err, ErrSystemLoop) {
		t.Fatalf("depth %d: got %v, want ErrSystemLoop", MaxSystemDepth+1, err)
	}
	n := len(p.Events)
	for i := 0; ; i++ {
		err := p.EmitSystem(-1, EventProfileMerged, nil)
		if errors.Is(err, ErrSystemLoop) {
			break
		}
		if i > 2*MaxSystemEvents {
			t.Fatal("no bound on the number of system events")
		}
	}
	if got := len(p.Events) - 1; got != MaxSystemEvents {
		t.Errorf("%d system events in the request, want at most %d (had %d)", got, MaxSystemEvents, n)
	}
	for _, e := range p.Events[1:] {
		if e.Options["source_id"] != InternalSource {
			t.Fatalf("system event without the internal source: %+v", e)
		}
	}
}
