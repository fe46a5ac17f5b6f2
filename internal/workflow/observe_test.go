package workflow_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/workflow"
)

type nodeTimes struct {
	mu    sync.Mutex
	calls map[string]int
	fails map[string]int
}

func (o *nodeTimes) NodeRun(pluginID string, d time.Duration, failed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[pluginID]++
	if failed {
		o.fails[pluginID]++
	}
}

func TestNodeObserverSeesEveryPluginCall(t *testing.T) {
	c := compileBench(t)
	defer c.Close(context.Background())
	obs := &nodeTimes{calls: map[string]int{}, fails: map[string]int{}}
	in := benchInput()
	in.Observe = obs
	if out := c.Run(context.Background(), in); len(out.Errors) > 0 {
		t.Fatal(out.Errors)
	}
	total := 0
	for id, n := range obs.calls {
		if id == "" {
			t.Errorf("a call reported without a plugin id")
		}
		total += n
	}
	if total != 5 {
		t.Errorf("observed %d calls (%v), want 5 (one per node)", total, obs.calls)
	}
	if len(obs.fails) != 0 {
		t.Errorf("failures reported: %v", obs.fails)
	}
}

func TestNodeObserverFromContext(t *testing.T) {
	c := compileBench(t)
	defer c.Close(context.Background())
	obs := &nodeTimes{calls: map[string]int{}, fails: map[string]int{}}
	ctx := workflow.WithNodeObserver(context.Background(), obs)
	c.Run(ctx, benchInput())
	c.Run(ctx, benchInput())
	total := 0
	for _, n := range obs.calls {
		total += n
	}
	if total != 10 {
		t.Errorf("observed %d calls in two runs, want 10", total)
	}
}

// BenchmarkExecutor5NodesObserved is BenchmarkExecutor5Nodes with a node
// observer (what the metrics cost).
func BenchmarkExecutor5NodesObserved(b *testing.B) {
	c := compileBench(b)
	defer c.Close(context.Background())
	in := benchInput()
	in.Observe = &nodeTimes{calls: map[string]int{}, fails: map[string]int{}}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Run(ctx, in)
	}
}
