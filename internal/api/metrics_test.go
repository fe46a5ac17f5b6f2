package api

import (
	"testing"
	"time"
)

// BenchmarkNodeRun is what metrics add to every plugin call of a flow run
// (besides reading the clock twice).
func BenchmarkNodeRun(b *testing.B) {
	m := newMetrics(nil)
	ids := []string{"start", "if", "copy", "increment", "end"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.NodeRun(ids[i%len(ids)], 3*time.Microsecond, false)
	}
}
