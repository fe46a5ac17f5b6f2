package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
)

// CompileError is one reason a flow cannot run. NodeID or EdgeID say where;
// Field names the config field for configuration errors.
type CompileError struct {
	NodeID  string `json:"nodeId,omitempty"`
	EdgeID  string `json:"edgeId,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e CompileError) Error() string {
	var b strings.Builder
	if e.NodeID != "" {
		fmt.Fprintf(&b, "node %q: ", e.NodeID)
	}
	if e.EdgeID != "" {
		fmt.Fprintf(&b, "edge %q: ", e.EdgeID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Message)
	return b.String()
}

// CompileErrors lists everything wrong with a flow.
type CompileErrors []CompileError

func (es CompileErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Compiled is a flow ready to run many times, concurrently. Its plugin
// instances are set up once and pooled: each run borrows one instance per
// node, so an instance serves one run at a time. Call Close when the flow is
// no longer used.
type Compiled struct {
	ID          string
	Name        string
	Description string
	Response    map[string]any

	nodes []*cnode // in execution (topological) order
	edges []*cedge

	mu     sync.Mutex
	free   []*instanceSet
	all    []*instanceSet
	closed bool
}

type cnode struct {
	idx       int // position in execution order
	id        string
	name      string
	reg       *registry.Registered
	info      *plugin.Node
	config    plugin.Config
	start     bool
	debugOnly bool
	skip      bool
	block     bool
	appendIn  bool
	onErrCont bool
	errorPort bool
	join      bool
	once      *runOnce
	in        []*cedge
	out       []*cedge
}

type cedge struct {
	idx     int
	id      string
	key     string // join key: data.name or id
	src     *cnode
	dst     *cnode
	srcPort string
	dstPort string
	pe      *plugin.Edge
}

// instanceSet is one set-up action per node plus the scratch space of a run.
type instanceSet struct {
	acts    []plugin.Action
	runners []*plugin.ActionRunner
	edges   [][]delivery
	sent    []bool
}

// Compile checks a flow against the registry and prepares it to run: every
// node's plugin exists, every edge joins declared ports of existing nodes,
// the graph has no cycle, and every node's configuration passes its plugin's
// set-up. All problems are reported at once.
func Compile(ctx context.Context, f *Flow, reg *registry.Registry) (*Compiled, error) {
	g := f.FlowGraph
	if g == nil {
		return nil, CompileErrors{{Message: "flow has no flowGraph"}}
	}
	cp := &compiler{
		c:      &Compiled{ID: f.ID, Name: f.Name, Description: f.Description, Response: f.Response},
		reg:    reg,
		byID:   map[string]*cnode{},
		broken: map[string]bool{},
	}
	cp.nodes(g.Nodes)
	cp.edges(g.Edges)
	order, cycle := topoOrder(cp.fileOrder)
	if cycle != nil {
		cp.errs = append(cp.errs, CompileError{NodeID: cycle[0], Message: "the flow has a cycle: " + strings.Join(cycle, " → ") + "; flows must be acyclic"})
	}
	if len(cp.errs) > 0 {
		// Report configuration errors too, so that one lint shows everything.
		cp.checkConfigs(ctx)
		return nil, cp.errs
	}
	if err := cp.c.setUp(ctx, order); err != nil {
		return nil, err
	}
	return cp.c, nil
}

// compiler is the state of one Compile.
type compiler struct {
	c    *Compiled
	reg  *registry.Registry
	errs CompileErrors

	byID map[string]*cnode
	// broken holds the nodes already reported (unknown plugin, bad data):
	// edges that touch them add no second error.
	broken    map[string]bool
	fileOrder []*cnode
}

// nodes compiles the flow's nodes, in file order.
func (cp *compiler) nodes(nodes []Node) {
	for i, n := range nodes {
		if n.ID == "" {
			cp.errs = append(cp.errs, CompileError{Message: fmt.Sprintf("node #%d has no id", i+1)})
			continue
		}
		if _, dup := cp.byID[n.ID]; dup || cp.broken[n.ID] {
			cp.errs = append(cp.errs, CompileError{NodeID: n.ID, Message: "duplicate node id"})
			continue
		}
		cn, ce := cp.node(n)
		if ce != nil {
			cp.errs = append(cp.errs, *ce)
		}
		if cn == nil {
			cp.broken[n.ID] = true
			continue
		}
		cp.byID[n.ID] = cn
		cp.fileOrder = append(cp.fileOrder, cn)
	}
}

// node compiles one node. A nil node is a broken one (its data or plugin);
// a node may come with an error that does not break it (its run_once).
func (cp *compiler) node(n Node) (*cnode, *CompileError) {
	var d nodeData
	if len(n.Data) == 0 || string(n.Data) == "null" {
		return nil, &CompileError{NodeID: n.ID, Message: "node has no data (expected {\"spec\": {\"module\": ...}, ...})"}
	}
	if err := json.Unmarshal(n.Data, &d); err != nil {
		return nil, &CompileError{NodeID: n.ID, Message: "node data: " + JSONError("data", n.Data, err).Error()}
	}
	if d.Spec.Module == "" {
		return nil, &CompileError{NodeID: n.ID, Field: "data.spec.module", Message: "node names no plugin module"}
	}
	r, ok := cp.reg.Lookup(d.Spec.Module)
	if !ok {
		return nil, &CompileError{NodeID: n.ID, Field: "data.spec.module", Message: NotInstalledMessage(d.Spec.Module)}
	}
	p := &r.Plugin
	name := d.MetaData.Name
	if name == "" {
		name = p.MetaData.Name
	}
	inputs, outputs := d.Spec.Inputs, d.Spec.Outputs
	if len(inputs) == 0 {
		inputs = p.Spec.Inputs
	}
	if len(outputs) == 0 {
		outputs = p.Spec.Outputs
	}
	if p.Start || len(p.Spec.Inputs) == 0 {
		inputs = nil
	}
	config := d.Spec.Init
	if config == nil {
		config = cloneConfig(p.Spec.Init)
	}
	cn := &cnode{
		id: n.ID, name: name, reg: r, config: config,
		start:     p.Start,
		debugOnly: p.Start && p.Debug,
		skip:      d.Spec.Skip,
		block:     d.Spec.BlockFlow,
		appendIn:  d.Spec.AppendInputPayload,
		onErrCont: d.Spec.OnErrorContinue,
		join:      d.Spec.JoinInputPayload,
		errorPort: contains(outputs, "error"),
		info: &plugin.Node{ID: n.ID, Name: name, Module: p.Spec.Module, Init: config,
			Inputs: inputs, Outputs: outputs},
	}
	if ro := d.Spec.RunOnce; ro != nil && ro.Enabled {
		once, ce := compileRunOnce(ro)
		cn.once = once
		if ce != nil {
			ce.NodeID = n.ID
			return cn, ce
		}
	}
	return cn, nil
}

// edges checks the flow's edges and joins the nodes with them.
func (cp *compiler) edges(edges []Edge) {
	seen := map[string]bool{}
	for i, e := range edges {
		id := e.ID
		if id == "" {
			id = fmt.Sprintf("#%d", i+1)
		}
		if seen[id] {
			cp.errs = append(cp.errs, CompileError{EdgeID: id, Message: "duplicate edge id"})
			continue
		}
		seen[id] = true
		if cp.broken[e.Source] || cp.broken[e.Target] {
			continue
		}
		ce, errs := cp.edge(id, e)
		if len(errs) > 0 {
			cp.errs = append(cp.errs, errs...)
			continue
		}
		ce.idx = len(cp.c.edges)
		cp.c.edges = append(cp.c.edges, ce)
		ce.src.out = append(ce.src.out, ce)
		ce.dst.in = append(ce.dst.in, ce)
	}
}

// edge compiles one edge between existing nodes' declared ports.
func (cp *compiler) edge(id string, e Edge) (*cedge, CompileErrors) {
	var errs CompileErrors
	src, okS := cp.byID[e.Source]
	dst, okT := cp.byID[e.Target]
	if !okS {
		errs = append(errs, CompileError{EdgeID: id, Message: fmt.Sprintf("source node %q does not exist", e.Source)})
	}
	if !okT {
		errs = append(errs, CompileError{EdgeID: id, Message: fmt.Sprintf("target node %q does not exist", e.Target)})
	}
	if errs != nil {
		return nil, errs
	}
	if !contains(src.info.Outputs, e.SourceHandle) {
		return nil, CompileErrors{{NodeID: src.id, EdgeID: id, Message: fmt.Sprintf("node has no output port %q (ports: %s)", e.SourceHandle, portList(src.info.Outputs))}}
	}
	if !contains(dst.info.Inputs, e.TargetHandle) {
		return nil, CompileErrors{{NodeID: dst.id, EdgeID: id, Message: fmt.Sprintf("node has no input port %q (ports: %s)", e.TargetHandle, portList(dst.info.Inputs))}}
	}
	ce := &cedge{id: id, key: id, src: src, dst: dst, srcPort: e.SourceHandle, dstPort: e.TargetHandle}
	name := ""
	if e.Data != nil && e.Data.Name != "" {
		ce.key = e.Data.Name
		name = e.Data.Name
	}
	ce.pe = &plugin.Edge{ID: id, Name: name, Source: src.id, SourcePort: e.SourceHandle, Target: dst.id, TargetPort: e.TargetHandle}
	return ce, nil
}

// checkConfigs sets up every node's plugin once, to report configuration
// errors beside the flow's other problems.
func (cp *compiler) checkConfigs(ctx context.Context) {
	for _, n := range cp.fileOrder {
		a, err := newAction(ctx, n)
		if err != nil {
			cp.errs = append(cp.errs, configErrors(n, err)...)
			continue
		}
		closeActions(ctx, []plugin.Action{a})
	}
}

// setUp fixes the execution order and sets up the first instance set, so
// that configuration errors surface at compile time.
func (c *Compiled) setUp(ctx context.Context, order []*cnode) error {
	c.nodes = order
	for i, n := range order {
		n.idx = i
	}
	set, err := c.newSet(ctx)
	if err != nil {
		return err
	}
	for i, a := range set.acts {
		if _, ok := a.(plugin.Joiner); ok {
			c.nodes[i].join = true
		}
	}
	c.all = append(c.all, set)
	c.free = append(c.free, set)
	return nil
}

// NotInstalledMessage says that a flow's node names a plugin this build
// does not have, and what to do about it.
func NotInstalledMessage(module string) string {
	return fmt.Sprintf("plugin %q is not installed: press Reinstall Plugins if this build has it "+
		"(`tracflow plugins list` shows what it has), or add the plugin to the build", module)
}

func cloneConfig(c plugin.Config) plugin.Config {
	if c == nil {
		return plugin.Config{}
	}
	b, _ := json.Marshal(c)
	var out plugin.Config
	_ = json.Unmarshal(b, &out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func portList(ports []string) string {
	if len(ports) == 0 {
		return "none"
	}
	return strings.Join(ports, ", ")
}

// topoOrder orders nodes so that every edge goes forward; among nodes ready at
// the same time the one earlier in the flow file goes first, so the order is
// deterministic. When the graph has a cycle it returns one cycle's node ids.
func topoOrder(nodes []*cnode) ([]*cnode, []string) {
	pos := map[*cnode]int{}
	indeg := map[*cnode]int{}
	for i, n := range nodes {
		pos[n] = i
		indeg[n] = len(n.in)
	}
	var ready []*cnode
	for _, n := range nodes {
		if indeg[n] == 0 {
			ready = append(ready, n)
		}
	}
	order := make([]*cnode, 0, len(nodes))
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return pos[ready[i]] < pos[ready[j]] })
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, e := range n.out {
			indeg[e.dst]--
			if indeg[e.dst] == 0 {
				ready = append(ready, e.dst)
			}
		}
	}
	if len(order) == len(nodes) {
		return order, nil
	}
	return nil, findCycle(nodes, indeg, pos)
}

func findCycle(nodes []*cnode, indeg map[*cnode]int, pos map[*cnode]int) []string {
	// Nodes left with in-degree > 0 contain a cycle; walk backwards along
	// remaining in-edges until a node repeats.
	var startNode *cnode
	for _, n := range nodes {
		if indeg[n] > 0 {
			startNode = n
			break
		}
	}
	seen := map[*cnode]int{}
	var path []*cnode
	n := startNode
	for {
		if i, ok := seen[n]; ok {
			// path walks edges backwards: reverse it, then start the cycle
			// at the node that comes first in the flow file.
			cyc := path[i:]
			fwd := make([]*cnode, 0, len(cyc))
			for j := len(cyc) - 1; j >= 0; j-- {
				fwd = append(fwd, cyc[j])
			}
			first := 0
			for j, c := range fwd {
				if pos[c] < pos[fwd[first]] {
					first = j
				}
			}
			ids := make([]string, 0, len(fwd)+1)
			for j := range fwd {
				ids = append(ids, fwd[(first+j)%len(fwd)].id)
			}
			ids = append(ids, ids[0])
			return ids
		}
		seen[n] = len(path)
		path = append(path, n)
		var next *cnode
		for _, e := range n.in {
			if indeg[e.src] > 0 {
				next = e.src
				break
			}
		}
		if next == nil {
			return []string{startNode.id}
		}
		n = next
	}
}

// newSet constructs and sets up one action per node.
func (c *Compiled) newSet(ctx context.Context) (*instanceSet, error) {
	s := &instanceSet{
		acts:    make([]plugin.Action, len(c.nodes)),
		runners: make([]*plugin.ActionRunner, len(c.nodes)),
		edges:   make([][]delivery, len(c.edges)),
		sent:    make([]bool, len(c.edges)),
	}
	var errs CompileErrors
	for i, n := range c.nodes {
		a, err := newAction(ctx, n)
		if err != nil {
			errs = append(errs, configErrors(n, err)...)
			continue
		}
		s.acts[i] = a
		if r, ok := a.(plugin.Runnable); ok {
			s.runners[i] = r.Runner()
		}
	}
	if len(errs) > 0 {
		closeActions(ctx, s.acts)
		return nil, errs
	}
	return s, nil
}

func configErrors(n *cnode, err error) CompileErrors {
	var out CompileErrors
	for _, fe := range plugin.AsFieldErrors(err) {
		out = append(out, CompileError{NodeID: n.id, Field: fe.Field, Message: fe.Message})
	}
	return out
}

func newAction(ctx context.Context, n *cnode) (a plugin.Action, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("plugin %s panicked while being set up: %v", n.reg.Plugin.Spec.Module, v)
		}
	}()
	a = n.reg.Plugin.New()
	if a == nil {
		return nil, fmt.Errorf("plugin %s constructed no action", n.reg.Plugin.Spec.Module)
	}
	if su, ok := a.(plugin.SetUpper); ok {
		if err := su.SetUp(ctx, n.config); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func closeActions(ctx context.Context, acts []plugin.Action) {
	for _, a := range acts {
		if cl, ok := a.(plugin.Closer); ok {
			_ = cl.Close(ctx)
		}
	}
}

func (c *Compiled) acquire(ctx context.Context) (*instanceSet, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, fmt.Errorf("flow %q is closed", c.ID)
	}
	if n := len(c.free); n > 0 {
		s := c.free[n-1]
		c.free = c.free[:n-1]
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	s, err := c.newSet(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.all = append(c.all, s)
	c.mu.Unlock()
	return s, nil
}

func (c *Compiled) release(ctx context.Context, s *instanceSet) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		closeActions(ctx, s.acts)
		return
	}
	c.free = append(c.free, s)
	c.mu.Unlock()
}

// Close closes every idle plugin instance; instances still serving a run are
// closed when that run ends.
func (c *Compiled) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	free := c.free
	c.free = nil
	c.mu.Unlock()
	for _, s := range free {
		closeActions(ctx, s.acts)
	}
	return nil
}

// Instances reports how many instance sets the flow has set up (a measure of
// the run concurrency it has seen).
func (c *Compiled) Instances() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.all)
}

// NodeIDs returns the node ids in execution order.
func (c *Compiled) NodeIDs() []string {
	ids := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		ids[i] = n.id
	}
	return ids
}
