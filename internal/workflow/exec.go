package workflow

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/tracflow/tracflow/internal/docsum"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Input is what one flow run starts from.
type Input struct {
	Event   plugin.Event
	Profile plugin.Profile // nil for profile-less events
	Session plugin.Session // may be nil
	// Payload is what start nodes emit downstream is built from; nil means {}.
	Payload plugin.Payload
	// Memory is shared by all nodes of the run; nil means a new empty object.
	Memory map[string]any
	// UX carries front-end snippets already collected by earlier flows.
	UX []plugin.UX
	// Debug collects debug info and lets debug-only start nodes (Inject) run.
	Debug     bool
	Resources plugin.Resources
	// Data reads stored records for plugins; nil where no storage is attached.
	Data plugin.Data
	// Observe, when set, is told how long each node's plugin ran (for
	// metrics); when nil, the observer of the context is used, if any (see
	// WithNodeObserver). No observer costs nothing.
	Observe NodeObserver
	// Limits bound the run's work; zero fields take the defaults.
	Limits Limits
	// NodeRunsBefore is how many node runs earlier flows made for the same
	// event: Limits.MaxNodeRuns bounds them all together.
	NodeRunsBefore int
	// Delays says the caller resumes flows that wait (plugin.Delay): waits
	// are answered in Output.Waits. Without it a wait goes on at once.
	Delays bool
	// Resume, when set, runs only the rest of the flow after a wait: from
	// the node's saved results on, instead of from the start nodes.
	Resume *Resume
	// StoredProfile and StoredSession, when set, are the fingerprints
	// (docsum.Fingerprint) of the profile and the session as they are
	// stored. The run then reports an update when the document differs
	// from the stored one, and need not hash it before it runs. Without
	// them the run compares the document after the run with the one given.
	StoredProfile, StoredSession *uint64
}

// NodeObserver receives the run time of every plugin call of a flow run.
// It is called from the goroutine running the flow and must be quick.
type NodeObserver interface {
	NodeRun(pluginID string, d time.Duration, failed bool)
}

type nodeObserverKey struct{}

// WithNodeObserver returns a context whose flow runs report their plugin
// calls to o (unless their Input names another observer).
func WithNodeObserver(ctx context.Context, o NodeObserver) context.Context {
	return context.WithValue(ctx, nodeObserverKey{}, o)
}

// NodeError is a node that failed.
type NodeError struct {
	NodeID  string `json:"nodeId"`
	Message string `json:"message"`
}

// Output is what a flow run produced.
type Output struct {
	Event   plugin.Event
	Profile plugin.Profile
	Session plugin.Session
	// ProfileUpdated says the profile must be saved: the flow changed it or an
	// Update profile node ran, and no later Discard profile update cancelled it.
	ProfileUpdated bool
	SessionUpdated bool
	Response       map[string]any
	UX             []plugin.UX
	Memory         map[string]any
	Logs           []plugin.Log
	Errors         []NodeError
	// Stopped says a node failed and the flow stopped there.
	Stopped bool
	Debug   *DebugInfo
	// NodeRuns counts the node runs of the event so far: Input.NodeRunsBefore
	// plus this run's.
	NodeRuns int
	// Waits are the nodes that asked the flow to go on later (only with
	// Input.Delays): the caller saves them and resumes the flow from each.
	Waits []Wait
}

type delivery struct {
	v    plugin.Payload
	void bool
}

type run struct {
	c     *Compiled
	set   *instanceSet
	st    *plugin.State
	out   *Output
	dbg   *DebugInfo
	obs   NodeObserver
	t0    time.Time
	execN int

	runs, maxRuns   int
	bytes, maxBytes int64
	limited         *LimitError

	delays bool    // waits are recorded (Input.Delays)
	resume *Resume // run the rest of the flow after a wait
}

// Run runs the flow once. It never panics because of a plugin: failures are
// reported in Output.Errors (and the logs).
func (c *Compiled) Run(ctx context.Context, in Input) *Output {
	out := &Output{Event: in.Event, Profile: in.Profile, Session: in.Session}
	set, err := c.acquire(ctx)
	if err != nil {
		out.Errors = append(out.Errors, NodeError{Message: err.Error()})
		out.Stopped = true
		return out
	}
	defer c.release(ctx, set)

	resp := map[string]any{}
	for k, v := range c.Response {
		resp[k] = notation.DeepCopy(v)
	}
	mem := in.Memory
	if mem == nil {
		mem = map[string]any{}
	}
	st := &plugin.State{
		Event: in.Event, Profile: in.Profile, Session: in.Session,
		Flow:   &plugin.Flow{ID: c.ID, Name: c.Name, Description: c.Description, Response: resp},
		Memory: mem, UX: in.UX, Debug: in.Debug, Resources: in.Resources, Data: in.Data,
	}
	profBefore, sessBefore := before(in.StoredProfile, in.Profile), before(in.StoredSession, in.Session)
	lim := in.Limits.withDefaults()
	r := &run{c: c, set: set, st: st, out: out, obs: in.Observe,
		runs: in.NodeRunsBefore, maxRuns: lim.MaxNodeRuns, maxBytes: lim.MaxPayloadBytes, delays: in.Delays, resume: in.Resume}
	if r.obs == nil {
		r.obs, _ = ctx.Value(nodeObserverKey{}).(NodeObserver)
	}
	if in.Debug {
		r.t0 = time.Now()
		r.dbg = newDebugInfo(c, in.Event, r.t0)
	}
	payload := in.Payload
	if payload == nil {
		payload = plugin.Payload{}
	}
	r.exec(ctx, payload)

	// Reset the scratch space for the next run.
	for i := range set.edges {
		clear(set.edges[i])
		set.edges[i] = set.edges[i][:0]
		set.sent[i] = false
	}
	for _, rn := range set.runners {
		if rn != nil {
			// Drop the run's state, so that idle instances hold no profile.
			rn.State, rn.Console = nil, plugin.Console{}
		}
	}

	out.Event, out.Profile, out.Session = st.Event, st.Profile, st.Session
	out.Response = st.Flow.Response
	out.UX = st.UX
	out.Memory = st.Memory
	out.Logs = st.Logs
	if st.Profile != nil {
		out.ProfileUpdated = saved(st.ProfileFlag(), in.Profile == nil, map[string]any(st.Profile), profBefore)
	}
	if st.Session != nil {
		out.SessionUpdated = saved(st.SessionFlag(), in.Session == nil, map[string]any(st.Session), sessBefore)
	}
	out.Debug = r.dbg
	out.NodeRuns = min(r.runs, r.maxRuns)
	return out
}

// saved decides whether a run's profile (or session) must be stored: what
// the plugins asked (flag) or, when they asked nothing, whether the run
// created the document or changed it (its fingerprint moved from before).
func saved(flag plugin.SaveFlag, created bool, doc map[string]any, before uint64) bool {
	switch flag {
	case plugin.SaveForced:
		return true
	case plugin.SaveDiscarded:
		return false
	}
	return created || docsum.Fingerprint(doc) != before
}

// before is what saved compares a run's document with: its stored
// fingerprint when the caller knows it, else the document's own before the
// run.
func before(stored *uint64, doc map[string]any) uint64 {
	if stored != nil {
		return *stored
	}
	if doc == nil {
		return 0
	}
	return docsum.Fingerprint(doc)
}

func (r *run) exec(ctx context.Context, payload plugin.Payload) {
	var from *cnode
	var after []bool
	if r.resume != nil {
		var err error
		if from, after, err = r.resumeFrom(r.resume); err != nil {
			r.out.Errors = append(r.out.Errors, NodeError{NodeID: r.resume.NodeID, Message: err.Error()})
			r.out.Stopped = true
			return
		}
	}
	for _, n := range r.c.nodes {
		if from != nil {
			if n == from {
				// The waiting node's saved results go on.
				if !r.emit(n, nil, r.resume.Results) {
					r.out.Stopped = true
					return
				}
				r.sendVoid(n)
				continue
			}
			if !after[n.idx] {
				continue // ran before the wait
			}
		}
		if err := ctx.Err(); err != nil {
			r.fail(n, nil, fmt.Errorf("flow run cancelled before this node: %w", err))
			r.out.Stopped = true
			return
		}
		if n.debugOnly && !r.st.Debug {
			continue
		}
		if n.block {
			continue
		}
		if stop := r.runNode(ctx, n, payload); stop {
			r.out.Stopped = true
			return
		}
	}
}

// nodeRun is the state of one node while it runs once per payload waiting
// on its incoming edges.
type nodeRun struct {
	n  *cnode
	nd *NodeDebug // nil unless debugging

	produced bool // a call produced results (or run_once passed it over)
	realRuns int  // calls made
	sawVoid  bool // an incoming edge delivered a void

	// joined collects, for a join node, what its calls put out per port
	// and incoming edge, emitted together once all edges were read.
	joined map[string]plugin.Payload
}

// runNode runs node n once per payload waiting on its incoming edges (once
// with the flow's payload for a start node) and delivers its results. It
// reports whether the flow must stop.
func (r *run) runNode(ctx context.Context, n *cnode, payload plugin.Payload) (stop bool) {
	nr := &nodeRun{n: n}
	if r.dbg != nil {
		nr.nd = r.dbg.node(n)
	}
	var nodeStart time.Time
	if nr.nd != nil {
		nodeStart = time.Now()
	}
	logsBefore := len(r.st.Logs)
	if n.join {
		nr.joined = map[string]plugin.Payload{}
	}
	if n.start {
		stop = r.handle(ctx, nr, payload, nil)
	} else {
		stop = r.readEdges(ctx, nr)
	}
	if !stop && n.join && nr.realRuns > 0 {
		stop = r.emitJoined(ctx, n, nr.joined, nr.nd)
		nr.produced = !stop
	}
	if !stop && (nr.produced || (nr.realRuns == 0 && nr.sawVoid)) {
		r.sendVoid(n)
	}
	if nr.nd != nil {
		r.finishNodeDebug(n, nr.nd, nodeStart, logsBefore, nr.realRuns)
	}
	return stop
}

// readEdges runs the node once per payload delivered on its incoming edges,
// in edge order. It reports whether the flow must stop.
func (r *run) readEdges(ctx context.Context, nr *nodeRun) bool {
	for _, e := range nr.n.in {
		if !r.set.sent[e.idx] {
			continue // dead edge: upstream never ran
		}
		for _, d := range r.set.edges[e.idx] {
			if r.dbg != nil {
				r.dbg.edge(e.id, !d.void)
			}
			if d.void {
				nr.sawVoid = true
				if nr.n.join {
					for _, p := range nr.n.info.Outputs {
						nr.joinedPort(p)[e.key] = nil
					}
				}
				continue
			}
			if r.handle(ctx, nr, d.v, e) {
				return true
			}
		}
	}
	return false
}

// handle runs the node once with in, arrived on e (nil for a start node),
// and passes on what it produced. It reports whether the flow must stop.
func (r *run) handle(ctx context.Context, nr *nodeRun, in plugin.Payload, e *cedge) bool {
	n := nr.n
	if n.once != nil {
		pass, err := n.once.pass(r.st, r.c.ID+"/"+n.id+"/run_once", in)
		if err != nil {
			r.fail(n, nr.nd, fmt.Errorf("run_once: %w", err))
			return !n.onErrCont && !n.errorPort
		}
		if !pass {
			// The watched value did not change: the node does not run and
			// its edges are void.
			r.st.Logs = append(r.st.Logs, plugin.Log{Level: "info", NodeID: n.id,
				Message: "not run: the value run_once watches has not changed"})
			nr.produced = true
			return false
		}
	}
	r.runs++
	if r.runs > r.maxRuns {
		r.stopAtLimit(n, nr.nd, &LimitError{Bound: "node runs", Limit: int64(r.maxRuns), Setting: NodeRunsSetting})
		return true
	}
	nr.realRuns++
	results, err := r.call(ctx, n, in, e, nr.nd)
	if r.limited != nil {
		return true
	}
	if err != nil {
		switch {
		case n.errorPort:
			results = plugin.Port("error", plugin.Payload{"message": err.Error()})
		case n.onErrCont:
			return false
		default:
			return true
		}
	}
	if len(results) > 0 {
		nr.produced = true
	}
	if n.join {
		nr.collect(e, results)
		return false
	}
	return !r.emit(n, nr.nd, results)
}

// collect keeps a join node's results, by port and incoming edge, for
// emitJoined.
func (nr *nodeRun) collect(e *cedge, results plugin.Results) {
	key := ""
	if e != nil {
		key = e.key
	}
	for _, res := range results {
		if res.Value == nil {
			nr.joinedPort(res.Port)[key] = nil
		} else {
			nr.joinedPort(res.Port)[key] = res.Value
		}
	}
}

// joinedPort is what the join node collected for port, made on first use.
func (nr *nodeRun) joinedPort(port string) plugin.Payload {
	m := nr.joined[port]
	if m == nil {
		m = plugin.Payload{}
		nr.joined[port] = m
	}
	return m
}

// sendVoid marks the node's outgoing edges that got nothing as void, so
// that downstream nodes know the branch ended here.
func (r *run) sendVoid(n *cnode) {
	for _, e := range n.out {
		if !r.set.sent[e.idx] {
			r.set.sent[e.idx] = true
			r.set.edges[e.idx] = append(r.set.edges[e.idx], delivery{void: true})
		}
	}
}

func (r *run) emitJoined(ctx context.Context, n *cnode, joined map[string]plugin.Payload, nd *NodeDebug) bool {
	act := r.set.acts[n.idx]
	j, isJoiner := act.(plugin.Joiner)
	var results plugin.Results
	for _, port := range n.info.Outputs {
		v, ok := joined[port]
		if !ok {
			continue
		}
		if isJoiner {
			out, err := j.JoinOutput(port, v)
			if err != nil {
				r.fail(n, nd, err)
				if n.errorPort {
					results = append(results, plugin.Result{Port: "error", Value: plugin.Payload{"message": err.Error()}})
					continue
				}
				return !n.onErrCont
			}
			v = out
		}
		if !r.addBytes(n, nd, payloadSize(map[string]any(v), r.left())) {
			return true
		}
		results = append(results, plugin.Result{Port: port, Value: v})
	}
	if nd != nil && len(nd.Calls) > 0 {
		// The joined output belongs to the node's last call.
		nd.Calls[len(nd.Calls)-1].Output.Results = debugResults(results)
	}
	return !r.emit(n, nd, results)
}

// emit delivers results to the edges leaving their ports. The first delivery
// of a value gets the value itself; further deliveries get deep copies, so no
// two downstream nodes share mutable data. It answers false when a copy
// would pass the run's payload bound (the run stops).
func (r *run) emit(n *cnode, nd *NodeDebug, results plugin.Results) bool {
	for i, res := range results {
		if res.Value == nil {
			continue
		}
		used := false
		for j := 0; j < i; j++ {
			if sameMap(results[j].Value, res.Value) {
				used = true
			}
		}
		for _, e := range n.out {
			if e.srcPort != res.Port {
				continue
			}
			v := res.Value
			if used {
				if !r.addBytes(n, nd, payloadSize(map[string]any(v), r.left())) {
					return false
				}
				v = deepCopyMap(v)
			}
			used = true
			r.set.sent[e.idx] = true
			r.set.edges[e.idx] = append(r.set.edges[e.idx], delivery{v: v})
		}
	}
	return true
}

// left is how many payload bytes the run may still create.
func (r *run) left() int64 { return r.maxBytes - r.bytes }

// addBytes counts size more payload bytes created at node n. Past the
// bound it stops the run and answers false.
func (r *run) addBytes(n *cnode, nd *NodeDebug, size int64) bool {
	r.bytes += size
	if r.bytes <= r.maxBytes {
		return true
	}
	r.stopAtLimit(n, nd, &LimitError{Bound: "payload bytes", Limit: r.maxBytes, Setting: PayloadBytesSetting})
	return false
}

// countResults counts the payload bytes of results that are new objects
// rather than the node's input passed on.
func (r *run) countResults(n *cnode, nd *NodeDebug, in plugin.Payload, results plugin.Results) bool {
	for _, res := range results {
		if res.Value == nil || sameMap(res.Value, in) {
			continue
		}
		if !r.addBytes(n, nd, payloadSize(map[string]any(res.Value), r.left())) {
			return false
		}
	}
	return true
}

// stopAtLimit records the first limit the run reached.
func (r *run) stopAtLimit(n *cnode, nd *NodeDebug, err *LimitError) {
	if r.limited != nil {
		return
	}
	r.limited = err
	r.fail(n, nd, err)
}

// call runs the node's action once, with panics turned into errors, and
// records the call in the debug info.
func (r *run) call(ctx context.Context, n *cnode, in plugin.Payload, e *cedge, nd *NodeDebug) (results plugin.Results, err error) {
	var callStart time.Time
	var inCopy plugin.Payload
	if nd != nil {
		callStart = time.Now()
		// The debug info keeps a copy of every input.
		if !r.addBytes(n, nd, payloadSize(map[string]any(in), r.left())) {
			return nil, r.limited
		}
		inCopy = deepCopyMap(in)
	}
	if n.skip {
		results = make(plugin.Results, 0, len(n.info.Outputs))
		for _, p := range n.info.Outputs {
			results = append(results, plugin.Result{Port: p, Value: in})
		}
	} else {
		act := r.set.acts[n.idx]
		if rn := r.set.runners[n.idx]; rn != nil {
			if rn.State != r.st {
				rn.State, rn.Node, rn.Console = r.st, n.info, r.st.NodeConsole(n.info.ID)
			}
		}
		var pe *plugin.Edge
		if e != nil {
			pe = e.pe
		}
		var t0 time.Time
		if r.obs != nil {
			t0 = time.Now()
		}
		results, err = safeRun(ctx, act, in, pe)
		if err != nil { // errors.As's target escapes: only on the error path
			if de := (*plugin.DelayError)(nil); errors.As(err, &de) {
				results, err = r.delayed(n, de)
			}
		}
		if err == nil {
			err = checkPorts(n, results)
		}
		if r.obs != nil {
			r.obs.NodeRun(n.reg.ID(), time.Since(t0), err != nil)
		}
		if err != nil {
			if h, ok := act.(plugin.ErrorHandler); ok {
				h.OnError(ctx, err)
			}
			r.fail(n, nil, err)
		} else if n.appendIn {
			// Each result gets a copy of the input.
			if !r.addBytes(n, nd, int64(len(results))*payloadSize(map[string]any(in), r.left())) {
				return nil, r.limited
			}
			results = appendInput(in, results)
		}
		if err == nil && !r.countResults(n, nd, in, results) {
			return nil, r.limited
		}
	}
	if nd != nil {
		c := Call{
			Profiler: r.profiler(callStart),
			Input:    CallInput{Params: &Params{Port: n.inPort(e), Value: inCopy}},
		}
		if e != nil {
			c.Input.Edge = &EdgeRef{ID: e.id}
		}
		if err != nil {
			c.Error = err.Error()
			nd.Errors++
		} else {
			c.Output.Results = debugResults(results)
		}
		nd.Calls = append(nd.Calls, c)
	}
	return results, err
}

func (n *cnode) inPort(e *cedge) string {
	if e != nil {
		return e.dstPort
	}
	if len(n.info.Inputs) > 0 {
		return n.info.Inputs[0]
	}
	return "payload"
}

func safeRun(ctx context.Context, act plugin.Action, in plugin.Payload, e *plugin.Edge) (res plugin.Results, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("plugin panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return act.Run(ctx, in, e)
}

func checkPorts(n *cnode, results plugin.Results) error {
	for _, res := range results {
		if !contains(n.info.Outputs, res.Port) {
			return fmt.Errorf("plugin returned a result on port %q, which the node does not declare (ports: %s)", res.Port, portList(n.info.Outputs))
		}
	}
	return nil
}

// appendInput implements the append_input_payload flag: each result becomes
// the input merged with the result.
func appendInput(in plugin.Payload, results plugin.Results) plugin.Results {
	out := make(plugin.Results, len(results))
	for i, res := range results {
		out[i] = res
		if res.Value == nil {
			continue
		}
		m := deepCopyMap(in)
		for k, v := range res.Value {
			m[k] = v
		}
		out[i].Value = m
	}
	return out
}

// fail records a node failure in the errors and the log.
func (r *run) fail(n *cnode, nd *NodeDebug, err error) {
	r.out.Errors = append(r.out.Errors, NodeError{NodeID: n.id, Message: err.Error()})
	r.st.Logs = append(r.st.Logs, plugin.Log{Level: "error", NodeID: n.id, Message: err.Error()})
	if nd != nil {
		nd.Errors++
	}
	if r.dbg != nil {
		r.dbg.Flow.Error = append(r.dbg.Flow.Error, fmt.Sprintf("node %s (%s): %v", n.id, n.name, err))
	}
}

func sameMap(a, b plugin.Payload) bool {
	if a == nil || b == nil || len(a) != len(b) {
		return false
	}
	// Maps cannot be compared; writing to one and reading the other would
	// tell, but a pointer comparison through the runtime is cheaper.
	return mapPtr(a) == mapPtr(b)
}
