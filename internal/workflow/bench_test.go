package workflow_test

import (
	"context"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// benchFlow is start → if → copy data → increment → end, in Tracardi's
// format with Tracardi's module names.
const benchFlow = `{"id": "bench", "name": "Bench", "flowGraph": {
 "nodes": [
  {"id": "start", "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action", "init": {"event_types": []}}}},
  {"id": "if", "data": {"spec": {"module": "tracardi.process_engine.action.v1.if_action", "init": {"condition": "event@type == \"purchase\""}}}},
  {"id": "copy", "data": {"spec": {"module": "tracardi.process_engine.action.v1.traits.copy_trait_action", "init": {"traits": {"set": {"profile@traits.last_product": "event@properties.product"}}}}}},
  {"id": "inc", "data": {"spec": {"module": "tracardi.process_engine.action.v1.increment_action", "init": {"field": "profile@stats.counters.purchases", "increment": 1}}}},
  {"id": "end", "data": {"spec": {"module": "tracardi.process_engine.action.v1.end_action"}}}
 ],
 "edges": [
  {"id": "e1", "source": "start", "sourceHandle": "payload", "target": "if", "targetHandle": "payload"},
  {"id": "e2", "source": "if", "sourceHandle": "true", "target": "copy", "targetHandle": "payload"},
  {"id": "e3", "source": "copy", "sourceHandle": "payload", "target": "inc", "targetHandle": "payload"},
  {"id": "e4", "source": "inc", "sourceHandle": "payload", "target": "end", "targetHandle": "payload"}
 ]}}`

func compileBench(b testing.TB) *workflow.Compiled {
	reg := registry.NewRegistry()
	if rep := reg.Install(actions.Installed()); len(rep.Error) > 0 {
		b.Fatal(rep.Error)
	}
	f, err := workflow.ParseFlow([]byte(benchFlow))
	if err != nil {
		b.Fatal(err)
	}
	c, err := workflow.Compile(context.Background(), f, reg)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchInput() workflow.Input {
	return workflow.Input{
		Event: plugin.Event{"id": "e1", "type": "purchase", "properties": map[string]any{"product": "book", "price": 12.5}},
		Profile: plugin.Profile{"id": "p1", "traits": map[string]any{}, "stats": map[string]any{"visits": 3.0, "views": 10.0,
			"counters": map[string]any{"purchases": 0.0}}},
	}
}

func TestBenchFlowRuns(t *testing.T) {
	c := compileBench(t)
	defer c.Close(context.Background())
	in := benchInput()
	out := c.Run(context.Background(), in)
	if len(out.Errors) > 0 {
		t.Fatal(out.Errors)
	}
	if got := dotpath.At(out.Profile, "stats.counters.purchases"); got != 1.0 {
		t.Errorf("purchases = %v", got)
	}
	if got := dotpath.At(out.Profile, "traits.last_product"); got != "book" {
		t.Errorf("last_product = %v", got)
	}
	if !out.ProfileUpdated {
		t.Error("profileUpdated = false")
	}
}

// maxRunAllocs is what one run of the 5-node flow may allocate: a change
// that allocates on every node call (an escaping errors.As target, say)
// fails here rather than only moving the benchmark.
const maxRunAllocs = 15

func TestExecutorAllocs(t *testing.T) {
	c := compileBench(t)
	defer c.Close(context.Background())
	in := benchInput()
	ctx := context.Background()
	c.Run(ctx, in) // pools warmed
	if n := testing.AllocsPerRun(200, func() { c.Run(ctx, in) }); n > maxRunAllocs {
		t.Fatalf("one run of the 5-node flow allocates %.0f times, more than %d", n, maxRunAllocs)
	}
}

// BenchmarkExecutor5Nodes measures one run of the 5-node flow, debug off.
func BenchmarkExecutor5Nodes(b *testing.B) {
	c := compileBench(b)
	defer c.Close(context.Background())
	in := benchInput()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := c.Run(ctx, in)
		if len(out.Errors) > 0 {
			b.Fatal(out.Errors)
		}
	}
}

// BenchmarkExecutor5NodesParallel runs the flow from all cores at once
// (pooled plugin instances).
func BenchmarkExecutor5NodesParallel(b *testing.B) {
	c := compileBench(b)
	defer c.Close(context.Background())
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := benchInput()
		for pb.Next() {
			c.Run(ctx, in)
		}
	})
}

// BenchmarkExecutor5NodesDebug is the same with debug info collected.
func BenchmarkExecutor5NodesDebug(b *testing.B) {
	c := compileBench(b)
	defer c.Close(context.Background())
	in := benchInput()
	in.Debug = true
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Run(ctx, in)
	}
}
