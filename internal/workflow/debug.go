package workflow

import (
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// DebugInfo is what a debug run records, in Tracardi's shape: per node its
// calls (input, output, error, timing) and per edge whether each payload it
// carried was real (true) or void (false). Nodes that never ran are absent.
type DebugInfo struct {
	Timestamp float64               `json:"timestamp"`
	Flow      DebugFlow             `json:"flow"`
	Event     EdgeRef               `json:"event"`
	Nodes     map[string]*NodeDebug `json:"nodes"`
	Edges     map[string]*EdgeDebug `json:"edges"`

	seq int
}

// DebugFlow identifies the flow and lists flow-level errors.
type DebugFlow struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Error []string `json:"error"`
}

// NodeDebug is one node's record.
type NodeDebug struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	SequenceNumber  int      `json:"sequenceNumber"`
	ExecutionNumber int      `json:"executionNumber"`
	Errors          int      `json:"errors"`
	Warnings        int      `json:"warnings"`
	Profiler        Profiler `json:"profiler"`
	Calls           []Call   `json:"calls"`
}

// Profiler holds times in seconds from the start of the flow run.
type Profiler struct {
	StartTime float64 `json:"startTime"`
	RunTime   float64 `json:"runTime"`
	EndTime   float64 `json:"endTime"`
}

// Call is one run of a node's action.
type Call struct {
	Profiler Profiler   `json:"profiler"`
	Input    CallInput  `json:"input"`
	Output   CallOutput `json:"output"`
	Error    string     `json:"error,omitempty"`
}

// CallInput is the payload a call received and the edge it came along.
type CallInput struct {
	Edge   *EdgeRef `json:"edge"`
	Params *Params  `json:"params"`
}

// CallOutput is what a call returned.
type CallOutput struct {
	Edge    *EdgeRef      `json:"edge"`
	Results []ResultDebug `json:"results"`
}

// ResultDebug is one result of a call.
type ResultDebug struct {
	Port  string         `json:"port"`
	Value plugin.Payload `json:"value"`
}

// Params is an input payload with its port.
type Params struct {
	Port  string         `json:"port"`
	Value plugin.Payload `json:"value"`
}

// EdgeRef names an edge (or an event).
type EdgeRef struct {
	ID string `json:"id"`
}

// EdgeDebug lists, per payload an edge carried, whether it was real.
type EdgeDebug struct {
	Active []bool `json:"active"`
}

func newDebugInfo(c *Compiled, ev plugin.Event, t0 time.Time) *DebugInfo {
	return &DebugInfo{
		Timestamp: float64(t0.UnixNano()) / 1e9,
		Flow:      DebugFlow{ID: c.ID, Name: c.Name, Error: []string{}},
		Event:     EdgeRef{ID: ev.ID()},
		Nodes:     map[string]*NodeDebug{},
		Edges:     map[string]*EdgeDebug{},
	}
}

func (d *DebugInfo) node(n *cnode) *NodeDebug {
	d.seq++
	return &NodeDebug{ID: n.id, Name: n.name, SequenceNumber: d.seq, Calls: []Call{}}
}

func (d *DebugInfo) edge(id string, active bool) {
	e := d.Edges[id]
	if e == nil {
		e = &EdgeDebug{}
		d.Edges[id] = e
	}
	e.Active = append(e.Active, active)
}

func (r *run) profiler(start time.Time) Profiler {
	now := time.Now()
	return Profiler{
		StartTime: start.Sub(r.t0).Seconds(),
		RunTime:   now.Sub(start).Seconds(),
		EndTime:   now.Sub(r.t0).Seconds(),
	}
}

func (r *run) finishNodeDebug(n *cnode, nd *NodeDebug, start time.Time, logsBefore, runs int) {
	if runs == 0 && nd.Errors == 0 {
		return
	}
	for _, l := range r.st.Logs[logsBefore:] {
		if l.NodeID != n.id {
			continue
		}
		switch l.Level {
		case "warning":
			nd.Warnings++
		}
	}
	nd.Profiler = r.profiler(start)
	r.execN++
	nd.ExecutionNumber = r.execN
	r.dbg.Nodes[n.id] = nd
}

func debugResults(results plugin.Results) []ResultDebug {
	out := make([]ResultDebug, 0, len(results))
	for _, res := range results {
		out = append(out, ResultDebug{Port: res.Port, Value: deepCopyMap(res.Value)})
	}
	return out
}
