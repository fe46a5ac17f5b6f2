package api

import (
	"runtime"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/buildinfo"
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

func TestBuildInfoMetric(t *testing.T) {
	m := newMetrics(nil)
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != metricBuildInfo {
			continue
		}
		if len(f.Metric) != 1 || f.Metric[0].GetGauge().GetValue() != 1 {
			t.Fatalf("%s: %v", metricBuildInfo, f)
		}
		labels := map[string]string{}
		for _, l := range f.Metric[0].Label {
			labels[l.GetName()] = l.GetValue()
		}
		bi := buildinfo.Get()
		if labels["version"] != bi.Version || labels["commit"] != bi.Commit || labels["goversion"] != runtime.Version() {
			t.Errorf("labels %v, want the build %+v", labels, bi)
		}
		return
	}
	t.Fatalf("no %s metric", metricBuildInfo)
}
