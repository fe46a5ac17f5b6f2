package workflow

import (
	"encoding/json"
	"fmt"
)

// Defaults of Limits.
const (
	// DefaultMaxNodeRuns is the most plugin calls the flows of one event
	// may make. A node runs once per payload reaching it, so branches that
	// split and rejoin multiply the runs of the nodes after them.
	DefaultMaxNodeRuns = 10_000
	// DefaultMaxPayloadBytes is the most payload data one flow run may
	// create, estimated as JSON.
	DefaultMaxPayloadBytes = 16 << 20
	// WarnNodeRuns is the worst-case run count per event above which
	// Compiled.Warnings names a node.
	WarnNodeRuns = 100
)

// Settings that change the limits, named in the errors of runs that reach
// them.
const (
	NodeRunsSetting     = "--max-node-runs (TRACFLOW_MAX_NODE_RUNS)"
	PayloadBytesSetting = "--max-flow-bytes (TRACFLOW_MAX_FLOW_BYTES)"
)

// Limits bound the work of a flow run. Zero fields take the defaults.
type Limits struct {
	// MaxNodeRuns is the most plugin calls the run may make.
	MaxNodeRuns int
	// MaxPayloadBytes is the most payload data the run may create: the
	// results of nodes that are new objects rather than their input, and
	// the copies the engine makes for each further edge a result leaves on.
	MaxPayloadBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxNodeRuns <= 0 {
		l.MaxNodeRuns = DefaultMaxNodeRuns
	}
	if l.MaxPayloadBytes <= 0 {
		l.MaxPayloadBytes = DefaultMaxPayloadBytes
	}
	return l
}

// LimitError is a flow run stopped because it reached one of its Limits.
type LimitError struct {
	Bound   string // "node runs" or "payload bytes"
	Limit   int64
	Setting string // the serve flag and environment variable that set it
}

func (e *LimitError) Error() string {
	switch e.Bound {
	case "node runs":
		return fmt.Sprintf("the flow run stopped: nodes ran %d times for this event, the most allowed; "+
			"branches that split and rejoin multiply the runs of the nodes after them (join them with a Join node), "+
			"or raise the bound with %s", e.Limit, e.Setting)
	default:
		return fmt.Sprintf("the flow run stopped: its nodes created more than %d bytes of payload, the most allowed; "+
			"raise the bound with %s", e.Limit, e.Setting)
	}
}

// payloadSize estimates the size of v as JSON, giving up (and answering
// more than budget) as soon as it exceeds budget: values shared by
// reference can make a small structure huge to copy or encode.
func payloadSize(v any, budget int64) int64 {
	switch x := v.(type) {
	case nil, bool, float64, int, int64, json.Number:
		return 8
	case string:
		return int64(len(x)) + 2
	case map[string]any:
		n := int64(2)
		for k, e := range x {
			n += int64(len(k)) + 4
			if n > budget {
				return n
			}
			n += payloadSize(e, budget-n)
			if n > budget {
				return n
			}
		}
		return n
	case []any:
		n := int64(2)
		for _, e := range x {
			n += payloadSize(e, budget-n) + 1
			if n > budget {
				return n
			}
		}
		return n
	case []string:
		n := int64(2)
		for _, e := range x {
			n += int64(len(e)) + 3
		}
		return n
	default:
		return 16
	}
}

// worstRuns computes, per node in execution order, the most times it can
// run for one event: a start node once, any other node once per payload
// its incoming edges can carry, which is one per run of the node upstream
// (one per flow run for a join, which emits once). Counts saturate.
func (c *Compiled) worstRuns() []uint64 {
	const ceiling = uint64(1) << 62
	runs := make([]uint64, len(c.nodes))
	out := make([]uint64, len(c.nodes))
	for i, n := range c.nodes {
		var r uint64
		if n.start {
			r = 1
		}
		for _, e := range n.in {
			r += out[e.src.idx]
			if r > ceiling {
				r = ceiling
			}
		}
		runs[i] = r
		out[i] = r
		if n.join && r > 1 {
			out[i] = 1
		}
	}
	return runs
}

// Warnings lists what may make the flow costly without being wrong: nodes
// that can run more than WarnNodeRuns times for one event. Only the first
// such node of each path is named; the nodes after it run as often.
func (c *Compiled) Warnings() []CompileError {
	runs := c.worstRuns()
	var out []CompileError
	for i, n := range c.nodes {
		if runs[i] <= WarnNodeRuns {
			continue
		}
		frontier := true
		for _, e := range n.in {
			if runs[e.src.idx] > WarnNodeRuns {
				frontier = false
				break
			}
		}
		if !frontier {
			continue
		}
		count := fmt.Sprintf("%d", runs[i])
		if runs[i] >= 1<<62 {
			count = "more than 4.6e18"
		}
		out = append(out, CompileError{NodeID: n.id, Message: fmt.Sprintf(
			"may run up to %s times for one event: branches that split and rejoin before it multiply its runs "+
				"(a node runs once per payload reaching it); join them with a Join node. "+
				"The flows of one event stop after %d node runs by default (%s)", count, DefaultMaxNodeRuns, NodeRunsSetting)})
	}
	return out
}
