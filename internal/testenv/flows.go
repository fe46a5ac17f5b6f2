package testenv

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/internal/jsonx"
)

// Node is a node of a test flow: its id, its plugin module and its config.
type Node struct {
	ID     string
	Module string
	Init   map[string]any
}

// Tracardi module names of the built-in plugins tests use.
const (
	Start       = "tracardi.process_engine.action.v1.flow.start.start_action"
	Increment   = "tracardi.process_engine.action.v1.increment_action"
	AddResponse = "tracardi.process_engine.action.v1.internal.add_response.plugin"
	RaiseErr    = "tracardi.process_engine.action.v1.raise_error_action"
	CopyData    = "tracardi.process_engine.action.v1.traits.copy_trait_action"
	If          = "tracardi.process_engine.action.v1.if_action"
)

// FlowJSON builds a flow in Tracardi's format. Edges are "src.port>dst"
// (into the target's "payload" port).
func FlowJSON(id string, nodes []Node, edges ...string) string {
	f := map[string]any{"id": id, "name": "Flow " + id, "flowGraph": map[string]any{}}
	var ns, es []any
	for i, n := range nodes {
		spec := map[string]any{"module": n.Module}
		if n.Init != nil {
			spec["init"] = n.Init
		}
		ns = append(ns, map[string]any{"id": n.ID, "type": "flowNode", "position": map[string]any{"x": 0, "y": i * 100},
			"data": map[string]any{"spec": spec, "metadata": map[string]any{"name": n.ID}}})
	}
	for i, e := range edges {
		src, rest, _ := strings.Cut(e, ".")
		port, dst, _ := strings.Cut(rest, ">")
		es = append(es, map[string]any{"id": fmt.Sprintf("%s-e%d", id, i+1), "source": src, "sourceHandle": port, "target": dst, "targetHandle": "payload"})
	}
	f["flowGraph"] = map[string]any{"nodes": ns, "edges": es}
	b, _ := json.Marshal(f)
	return string(b)
}

// CounterFlow increments profile@<field> by 1 and answers the new value
// under response key.
func CounterFlow(id, field, key string) string {
	return FlowJSON(id, []Node{
		{ID: "start", Module: Start},
		{ID: "inc", Module: Increment, Init: map[string]any{"field": "profile@" + field, "increment": 1}},
		{ID: "answer", Module: AddResponse, Init: map[string]any{"key": key, "body": map[string]any{"value": "profile@" + field}}},
	}, "start.payload>inc", "inc.payload>answer")
}

// DiamondFlow is start → d0, then k "diamonds": d(i) splits into a(i) and
// b(i), which both lead to d(i+1). Every node increments the profile's
// stats.counters.<node id>, so d(k) runs, and counts, 2^k times.
func DiamondFlow(id string, k int) string {
	inc := func(n string) Node {
		return Node{ID: n, Module: Increment, Init: map[string]any{"field": "profile@stats.counters." + n, "increment": 1}}
	}
	nodes := []Node{{ID: "start", Module: Start}, inc("d0")}
	edges := []string{"start.payload>d0"}
	for i := 0; i < k; i++ {
		a, b, d, next := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i), fmt.Sprintf("d%d", i), fmt.Sprintf("d%d", i+1)
		nodes = append(nodes, inc(a), inc(b), inc(next))
		edges = append(edges, d+".payload>"+a, d+".payload>"+b, a+".payload>"+next, b+".payload>"+next)
	}
	return FlowJSON(id, nodes, edges...)
}

// PurchaseBody appends to dst the load kit's /track body from source: one
// purchase event (price 12.5, sku A1) of profile p-i, with session s-i when
// session is true.
func PurchaseBody(dst []byte, source string, i int64, session bool) []byte {
	dst = append(dst, `{"source":{"id":`...)
	dst = jsonx.AppendString(dst, source)
	dst = fmt.Appendf(dst, `},"profile":{"id":"p-%d"},`, i)
	if session {
		dst = fmt.Appendf(dst, `"session":{"id":"s-%d"},`, i)
	}
	return append(dst, `"events":[{"type":"purchase","properties":{"price":12.5,"sku":"A1"}}]}`...)
}
