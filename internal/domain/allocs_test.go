//go:build !race

package domain

import "testing"

// NewID makes one allocation, the string: it runs for every event. (The
// race detector's instrumentation allocates more, so not under -race.)
func TestNewIDAllocatesOnce(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = NewID() }); n > 1 {
		t.Errorf("NewID allocates %v times, want 1", n)
	}
}
