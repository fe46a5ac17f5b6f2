package workflow

import (
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Wait is a node that asked the flow to go on later (plugin.Delay): the
// nodes after it did not run; Resume runs them from Results once Until has
// passed.
type Wait struct {
	NodeID  string         `json:"node_id"`
	Until   time.Time      `json:"until"`
	Results plugin.Results `json:"results"`
}

// Resume makes a run start from a node's saved results instead of the
// start nodes: only the nodes downstream of that node run.
type Resume struct {
	NodeID  string
	Results plugin.Results
}

// ErrResumeNode is a resume whose node is no longer in the flow.
var ErrResumeNode = errors.New("the node the flow waited at is no longer in the flow")

// delayed handles a node's plugin.DelayError: with a caller that can resume
// (Input.Delays), the wait is recorded in the output and the node puts out
// nothing now; otherwise the results go on at once, with a log line.
func (r *run) delayed(n *cnode, de *plugin.DelayError) (plugin.Results, error) {
	if err := checkPorts(n, de.Results); err != nil {
		return nil, err
	}
	if !r.delays {
		r.st.Logs = append(r.st.Logs, plugin.Log{Level: "info", NodeID: n.id,
			Message: "the node asked the flow to wait; this run cannot be resumed later, so it went on at once"})
		return de.Results, nil
	}
	res := make(plugin.Results, len(de.Results))
	for i, x := range de.Results {
		res[i] = plugin.Result{Port: x.Port}
		if x.Value != nil {
			res[i].Value = notation.DeepCopy(map[string]any(x.Value)).(map[string]any)
		}
	}
	r.out.Waits = append(r.out.Waits, Wait{NodeID: n.id, Until: de.Until, Results: res})
	r.st.Logs = append(r.st.Logs, plugin.Log{Level: "info", NodeID: n.id,
		Message: "the flow goes on from here at " + de.Until.UTC().Format(time.RFC3339)})
	return nil, nil
}

// resumeFrom finds the resume node and marks the nodes downstream of it
// (which alone run).
func (r *run) resumeFrom(rs *Resume) (*cnode, []bool, error) {
	var from *cnode
	for _, n := range r.c.nodes {
		if n.id == rs.NodeID {
			from = n
		}
	}
	if from == nil {
		return nil, nil, fmt.Errorf("node %q: %w", rs.NodeID, ErrResumeNode)
	}
	if err := checkPorts(from, rs.Results); err != nil {
		return nil, nil, fmt.Errorf("node %q: %w", rs.NodeID, err)
	}
	after := make([]bool, len(r.c.nodes))
	stack := []*cnode{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range n.out {
			if !after[e.dst.idx] {
				after[e.dst.idx] = true
				stack = append(stack, e.dst)
			}
		}
	}
	return from, after, nil
}
