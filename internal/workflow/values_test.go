package workflow

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// storedProfile is a profile as the collector keeps it after a few
// purchases: the document the engine fingerprints before and after each run.
func storedProfile(tb testing.TB) map[string]any {
	p := plugin.NewProfile("p-1", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	m["stats"].(map[string]any)["counters"] = map[string]any{"purchases": 7.0, "total": 87.5}
	return m
}

func BenchmarkFingerprintProfile(b *testing.B) {
	m := storedProfile(b)
	b.ReportAllocs()
	for b.Loop() {
		fingerprint(m)
	}
}
