package testenv

import (
	"sync/atomic"
	"testing"
)

// PurchaseProfiles is the number of profiles the load kit spreads its
// purchase events over.
const PurchaseProfiles = 1000

// SetupPurchases readies e for the load kit's workload: the source
// "bench", and a rule sending its purchase events to a flow that counts
// them in stats.counters.purchases.
func (e *Env) SetupPurchases() {
	e.Setup("bench", CounterFlow("count", "stats.counters.purchases", "purchases"), "purchase")
}

// BenchPurchases benchmarks track, which sends the purchase event of
// profile i (building the request body in the buffer it is given, which
// it returns for reuse). Every profile is sent once before the timer
// starts, so that the figures are of the steady state rather than of
// profiles being created; then 16 goroutines per processor send over the
// same profiles, with allocations reported.
func BenchPurchases(b *testing.B, track func(body []byte, i int64) []byte) {
	var body []byte
	for i := range int64(PurchaseProfiles) {
		body = track(body, i)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var body []byte
		for pb.Next() {
			body = track(body, n.Add(1)%PurchaseProfiles)
		}
	})
}
