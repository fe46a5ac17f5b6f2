package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tracflow/tracflow/internal/docsum"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Test plugins: small actions that exercise the engine's routing.

type startAction struct{ plugin.ActionRunner }

func (a *startAction) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	return plugin.Port("payload", plugin.Payload{}), nil
}

// router fires the port named by payload["go"], or nothing when absent; with
// "fail" set it returns an error.
type router struct{ plugin.ActionRunner }

func (a *router) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	if msg, ok := p["fail"].(string); ok {
		return nil, errors.New(msg)
	}
	port, _ := p["go"].(string)
	if port == "" {
		return nil, nil
	}
	return plugin.Port(port, p), nil
}

// setter writes its config "value" under payload["go"] and into the profile.
type setter struct {
	plugin.ActionRunner
	key            string
	value          any
	setups, closes *atomic.Int64
}

func (a *setter) SetUp(ctx context.Context, c plugin.Config) error {
	var cfg struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	if err := plugin.Decode(c, &cfg); err != nil {
		return err
	}
	if cfg.Key == "" {
		return plugin.FieldErr("key", "must not be empty")
	}
	a.key, a.value = cfg.Key, cfg.Value
	if a.setups != nil {
		a.setups.Add(1)
	}
	return nil
}

func (a *setter) Close(ctx context.Context) error {
	if a.closes != nil {
		a.closes.Add(1)
	}
	return nil
}

func (a *setter) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	p[a.key] = a.value
	if a.Profile != nil {
		a.Profile.Traits()[a.key] = a.value
	}
	return plugin.Port("out", p), nil
}

type counter struct{ plugin.ActionRunner }

func (a *counter) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	n, _ := a.Memory["count"].(int)
	a.Memory["count"] = n + 1
	return plugin.Port("out", p), nil
}

type joiner struct{ plugin.ActionRunner }

func (a *joiner) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	return plugin.Port("payload", p), nil
}
func (a *joiner) JoinOutput(port string, joined plugin.Payload) (plugin.Payload, error) {
	return joined, nil
}

type panicker struct{}

func (panicker) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	panic("boom")
}

type discarder struct{ plugin.ActionRunner }

func (a *discarder) Run(ctx context.Context, p plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	a.DiscardProfileUpdate()
	return plugin.Port("out", p), nil
}

func testPlugin(module string, start bool, inputs, outputs []string, newf func() plugin.Action) plugin.Plugin {
	docs := plugin.Ports{}
	for _, o := range outputs {
		docs[o] = "port " + o
	}
	return plugin.Plugin{
		Start: start,
		Spec:  plugin.Spec{Module: module, Inputs: inputs, Outputs: outputs, License: "MIT", Version: "1"},
		MetaData: plugin.MetaData{Name: module, Desc: module, Group: []string{"Test"},
			Documentation: plugin.Documented(plugin.Ports{"payload": "in"}, docs)},
		New: newf,
	}
}

// setups and closes count the set-ups and closes of setter instances; runs
// on several goroutines create instances concurrently.
var setups, closes atomic.Int64

func testRegistry(t testing.TB) *registry.Registry {
	reg := registry.NewRegistry()
	in := []string{"payload"}
	list := []plugin.Plugin{
		testPlugin("start", true, nil, []string{"payload"}, func() plugin.Action { return &startAction{} }),
		testPlugin("router", false, in, []string{"a", "b"}, func() plugin.Action { return &router{} }),
		testPlugin("router-err", false, in, []string{"a", "b", "error"}, func() plugin.Action { return &router{} }),
		testPlugin("set", false, in, []string{"out"}, func() plugin.Action { return &setter{setups: &setups, closes: &closes} }),
		testPlugin("count", false, in, []string{"out"}, func() plugin.Action { return &counter{} }),
		testPlugin("join", false, in, []string{"payload"}, func() plugin.Action { return &joiner{} }),
		testPlugin("panic", false, in, []string{"out"}, func() plugin.Action { return panicker{} }),
		testPlugin("discard", false, in, []string{"out"}, func() plugin.Action { return &discarder{} }),
	}
	inject := testPlugin("inject", true, nil, []string{"payload"}, func() plugin.Action { return &startAction{} })
	inject.Debug = true
	list = append(list, inject)
	for _, p := range list {
		if err := reg.Add(p, plugin.TestData{}); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// graph builds a flow: nodes "id:module[:json-config]" and edges
// "src.port>dst[:name]".
func graph(nodes []string, edges []string) *Flow {
	f := &Flow{ID: "f1", Name: "Test", FlowGraph: &Graph{}}
	for _, n := range nodes {
		parts := strings.SplitN(n, ":", 3)
		data := map[string]any{"spec": map[string]any{"module": parts[1]}, "metadata": map[string]any{"name": parts[0]}}
		if len(parts) == 3 {
			var init map[string]any
			if err := json.Unmarshal([]byte(parts[2]), &init); err != nil {
				panic(err)
			}
			dotpath.At(data, "spec").(map[string]any)["init"] = init
		}
		b, _ := json.Marshal(data)
		f.FlowGraph.Nodes = append(f.FlowGraph.Nodes, Node{ID: parts[0], Data: b})
	}
	for i, e := range edges {
		var name string
		if k := strings.Index(e, ":"); k >= 0 {
			name, e = e[k+1:], e[:k]
		}
		src, rest, _ := strings.Cut(e, ".")
		port, dst, _ := strings.Cut(rest, ">")
		ed := Edge{ID: fmt.Sprintf("e%d", i+1), Source: src, SourceHandle: port, Target: dst, TargetHandle: "payload"}
		if name != "" {
			ed.Data = &EdgeData{Name: name}
		}
		f.FlowGraph.Edges = append(f.FlowGraph.Edges, ed)
	}
	return f
}

func mustCompile(t testing.TB, f *Flow) *Compiled {
	t.Helper()
	c, err := Compile(context.Background(), f, testRegistry(t))
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func calls(out *Output, id string) int {
	if n := out.Debug.Nodes[id]; n != nil {
		return len(n.Calls)
	}
	return 0
}

func TestRoutingVoidAndDead(t *testing.T) {
	// start → setA (go=a) → router → a: countA, b: countB → countB2 ; router2 without "go" → dead
	f := graph(
		[]string{"s:start", "set:set:{\"key\":\"go\",\"value\":\"a\"}", "r:router", "ca:count", "cb:count", "cb2:count"},
		[]string{"s.payload>set", "set.out>r", "r.a>ca", "r.b>cb", "cb.out>cb2"},
	)
	c := mustCompile(t, f)
	out := c.Run(context.Background(), Input{Event: plugin.Event{"id": "ev", "type": "t"}, Debug: true})
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %v", out.Errors)
	}
	if got := out.Memory["count"]; got != 1 {
		t.Errorf("count = %v, want 1 (only branch a runs)", got)
	}
	for id, want := range map[string]int{"s": 1, "set": 1, "r": 1, "ca": 1, "cb": 0, "cb2": 0} {
		if got := calls(out, id); got != want {
			t.Errorf("node %s: %d calls, want %d", id, got, want)
		}
	}
	// r.b edge (e4) is void; cb's out edge (e5) carries the void on.
	if a := out.Debug.Edges["e4"]; a == nil || len(a.Active) != 1 || a.Active[0] {
		t.Errorf("edge e4 active = %v, want [false]", a)
	}
	if a := out.Debug.Edges["e5"]; a == nil || len(a.Active) != 1 || a.Active[0] {
		t.Errorf("edge e5 active = %v, want [false] (void propagates)", a)
	}
	if a := out.Debug.Edges["e3"]; a == nil || !a.Active[0] {
		t.Errorf("edge e3 active = %v, want [true]", a)
	}
}

func TestDeadEdgesWhenNothingReturned(t *testing.T) {
	// router with no "go" returns nothing: downstream edges are dead, not void.
	f := graph([]string{"s:start", "r:router", "c:count"}, []string{"s.payload>r", "r.a>c"})
	out := mustCompile(t, f).Run(context.Background(), Input{Debug: true})
	if _, ok := out.Debug.Edges["e2"]; ok {
		t.Errorf("edge e2 recorded %v; a node that returned nothing leaves its edges dead", out.Debug.Edges["e2"])
	}
	if calls(out, "r") != 1 || calls(out, "c") != 0 {
		t.Errorf("calls r=%d c=%d", calls(out, "r"), calls(out, "c"))
	}
}

func TestFanInRunsOncePerResult(t *testing.T) {
	// two branches meet in one counter: it runs twice, and so does its child.
	f := graph(
		[]string{"s:start", "x:set:{\"key\":\"go\",\"value\":\"a\"}", "y:set:{\"key\":\"go\",\"value\":\"a\"}", "c:count", "d:count"},
		[]string{"s.payload>x", "s.payload>y", "x.out>c", "y.out>c", "c.out>d"},
	)
	out := mustCompile(t, f).Run(context.Background(), Input{Debug: true})
	if calls(out, "c") != 2 || calls(out, "d") != 2 {
		t.Errorf("calls c=%d d=%d, want 2 and 2", calls(out, "c"), calls(out, "d"))
	}
	if out.Memory["count"] != 4 {
		t.Errorf("count = %v, want 4", out.Memory["count"])
	}
}

func TestEdgesGetTheirOwnCopies(t *testing.T) {
	// s fans out to two setters writing different values under the same key;
	// each must see its own payload.
	f := graph(
		[]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}", "y:set:{\"key\":\"k\",\"value\":2}", "j:join"},
		[]string{"s.payload>x", "s.payload>y", "x.out>j:left", "y.out>j:right"},
	)
	out := mustCompile(t, f).Run(context.Background(), Input{Debug: true})
	res := out.Debug.Nodes["j"].Calls[1].Output.Results
	if len(res) != 1 {
		t.Fatalf("join results %v", res)
	}
	got, _ := json.Marshal(res[0].Value)
	if string(got) != `{"left":{"k":1},"right":{"k":2}}` {
		t.Errorf("joined = %s", got)
	}
}

func TestJoinVoidAndDead(t *testing.T) {
	// router fires a → x; its b edge is void → join gets key "viaB": null;
	// a dead edge (from a router that returned nothing) is left out.
	f := graph(
		[]string{"s:start", "g:set:{\"key\":\"go\",\"value\":\"a\"}", "r:router", "dead:router", "j:join", "c:count"},
		[]string{"s.payload>g", "g.out>r", "s.payload>dead", "r.a>j:viaA", "r.b>j:viaB", "dead.a>j:viaDead", "j.payload>c"},
	)
	out := mustCompile(t, f).Run(context.Background(), Input{Debug: true})
	if calls(out, "c") != 1 {
		t.Fatalf("after join: %d calls, want 1", calls(out, "c"))
	}
	v := out.Debug.Nodes["c"].Calls[0].Input.Params.Value
	got, _ := json.Marshal(v)
	if string(got) != `{"viaA":{"go":"a"},"viaB":null}` {
		t.Errorf("joined = %s", got)
	}
}

func TestErrorStopsFlow(t *testing.T) {
	f := graph(
		[]string{"s:start", "f:set:{\"key\":\"fail\",\"value\":\"bad thing\"}", "r:router", "c:count"},
		[]string{"s.payload>f", "f.out>r", "r.a>c", "s.payload>c"},
	)
	out := mustCompile(t, f).Run(context.Background(), Input{Debug: true})
	if len(out.Errors) != 1 || out.Errors[0].NodeID != "r" || out.Errors[0].Message != "bad thing" {
		t.Fatalf("errors = %v", out.Errors)
	}
	if !out.Stopped {
		t.Error("Stopped = false")
	}
	if calls(out, "c") != 0 {
		t.Error("a node after the failure ran")
	}
	if out.Debug.Nodes["r"].Calls[0].Error != "bad thing" {
		t.Errorf("debug call error = %q", out.Debug.Nodes["r"].Calls[0].Error)
	}
}

func TestErrorPortRoutesFailure(t *testing.T) {
	f := graph(
		[]string{"s:start", "f:set:{\"key\":\"fail\",\"value\":\"bad thing\"}", "r:router-err", "c:count", "d:count"},
		[]string{"s.payload>f", "f.out>r", "r.error>c", "s.payload>d"},
	)
	out := mustCompile(t, f).Run(context.Background(), Input{Debug: true})
	if out.Stopped {
		t.Fatal("flow stopped although the node has an error port")
	}
	if calls(out, "c") != 1 || calls(out, "d") != 1 {
		t.Fatalf("calls c=%d d=%d", calls(out, "c"), calls(out, "d"))
	}
	if msg := out.Debug.Nodes["c"].Calls[0].Input.Params.Value["message"]; msg != "bad thing" {
		t.Errorf("error port payload message = %v", msg)
	}
	if len(out.Errors) != 1 {
		t.Errorf("the failure is still listed in errors: %v", out.Errors)
	}
}

func TestPanicIsAnError(t *testing.T) {
	f := graph([]string{"s:start", "p:panic"}, []string{"s.payload>p"})
	out := mustCompile(t, f).Run(context.Background(), Input{})
	if len(out.Errors) != 1 || !strings.Contains(out.Errors[0].Message, "panicked: boom") {
		t.Fatalf("errors = %v", out.Errors)
	}
}

func TestDebugOnlyStart(t *testing.T) {
	f := graph([]string{"i:inject", "c:count"}, []string{"i.payload>c"})
	c := mustCompile(t, f)
	if out := c.Run(context.Background(), Input{}); out.Memory["count"] != nil {
		t.Error("inject ran outside debug")
	}
	if out := c.Run(context.Background(), Input{Debug: true}); out.Memory["count"] != 1 {
		t.Error("inject did not run in debug")
	}
}

func TestFlags(t *testing.T) {
	setFlag := func(flag string) *Flow {
		g := graph([]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}", "c:count"}, []string{"s.payload>x", "x.out>c"})
		var d map[string]any
		json.Unmarshal(g.FlowGraph.Nodes[1].Data, &d)
		d["spec"].(map[string]any)[flag] = true
		g.FlowGraph.Nodes[1].Data, _ = json.Marshal(d)
		return g
	}
	// skip: input passes through untouched, plugin not called.
	out := mustCompile(t, setFlag("skip")).Run(context.Background(), Input{Debug: true, Profile: plugin.Profile{"id": "p"}})
	if v := out.Debug.Nodes["c"].Calls[0].Input.Params.Value; len(v) != 0 {
		t.Errorf("skip: downstream got %v, want {}", v)
	}
	if out.ProfileUpdated {
		t.Error("skip: the plugin ran (profile changed)")
	}
	// block_flow: node and its subtree do not run.
	out = mustCompile(t, setFlag("block_flow")).Run(context.Background(), Input{Debug: true})
	if calls(out, "x") != 0 || calls(out, "c") != 0 {
		t.Error("block_flow: blocked subtree ran")
	}
	// append_input_payload: output = input merged with result.
	g := graph([]string{"s:start", "a:set:{\"key\":\"a\",\"value\":1}", "x:set:{\"key\":\"k\",\"value\":2}", "c:count"}, []string{"s.payload>a", "a.out>x", "x.out>c"})
	var d map[string]any
	json.Unmarshal(g.FlowGraph.Nodes[2].Data, &d)
	dotpath.At(d, "spec").(map[string]any)["append_input_payload"] = true
	g.FlowGraph.Nodes[2].Data, _ = json.Marshal(d)
	out = mustCompile(t, g).Run(context.Background(), Input{Debug: true})
	got, _ := json.Marshal(out.Debug.Nodes["c"].Calls[0].Input.Params.Value)
	if string(got) != `{"a":1,"k":2}` {
		t.Errorf("append_input_payload: %s", got)
	}
}

func TestProfileUpdatedDetection(t *testing.T) {
	f := graph([]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}"}, []string{"s.payload>x"})
	c := mustCompile(t, f)
	out := c.Run(context.Background(), Input{Profile: plugin.Profile{"id": "p", "traits": map[string]any{"k": 0.0}}})
	if !out.ProfileUpdated {
		t.Error("a changed profile is not marked updated")
	}
	out = c.Run(context.Background(), Input{Profile: plugin.Profile{"id": "p", "traits": map[string]any{"k": 1}}})
	if out.ProfileUpdated {
		t.Error("an unchanged profile is marked updated")
	}
	g := graph([]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}", "d:discard"}, []string{"s.payload>x", "x.out>d"})
	out = mustCompile(t, g).Run(context.Background(), Input{Profile: plugin.Profile{"id": "p"}})
	if out.ProfileUpdated {
		t.Error("discard did not cancel the update")
	}
}

// TestStoredFingerprints checks the runs given the fingerprints of the
// profile and the session as stored: an update is what differs from them,
// whoever changed the document.
func TestStoredFingerprints(t *testing.T) {
	c := mustCompile(t, graph([]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}"}, []string{"s.payload>x"}))
	session := plugin.Session{"id": "s"}
	sfp := docsum.Fingerprint(session)
	doc := func(k float64, more ...string) plugin.Profile {
		p := plugin.Profile{"id": "p", "traits": map[string]any{"k": k}}
		for _, m := range more {
			p[m] = true
		}
		return p
	}
	for _, tc := range []struct {
		name           string
		stored, before plugin.Profile
		want           bool
	}{
		{"the flow sets what is stored", doc(1), doc(1), false},
		{"the flow changes it", doc(0), doc(0), true},
		{"changed before the flow, which leaves it", doc(1), doc(1, "x"), true},
		{"changed before the flow, which restores it", doc(1), doc(2), false},
	} {
		fp := docsum.Fingerprint(tc.stored)
		out := c.Run(context.Background(), Input{Profile: tc.before, Session: session, StoredProfile: &fp, StoredSession: &sfp})
		if out.ProfileUpdated != tc.want || out.SessionUpdated {
			t.Errorf("%s: profile updated %v (want %v), session updated %v", tc.name, out.ProfileUpdated, tc.want, out.SessionUpdated)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name  string
		flow  *Flow
		wants []string
	}{
		{"unknown module", graph([]string{"s:start", "x:nope"}, []string{"s.payload>x"}), []string{`node "x": field "data.spec.module": plugin "nope" is not installed`, "Reinstall Plugins"}},
		{"missing node", graph([]string{"s:start"}, []string{"s.payload>ghost"}), []string{`edge "e1": target node "ghost" does not exist`}},
		{"undeclared port", graph([]string{"s:start", "r:router"}, []string{"s.payload>r", "r.c>s"}), []string{`node "r": edge "e2": node has no output port "c"`}},
		{"cycle", graph([]string{"s:start", "a:count", "b:count"}, []string{"s.payload>a", "a.out>b", "b.out>a"}), []string{`the flow has a cycle: a → b → a`}},
		{"bad config", graph([]string{"s:start", "x:set:{\"key\":\"\"}"}, []string{"s.payload>x"}), []string{`node "x": field "key": must not be empty`}},
		{"config type", graph([]string{"s:start", "x:set:{\"key\":5}"}, []string{"s.payload>x"}), []string{`node "x": field "key": expected a string, got number`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(context.Background(), tc.flow, testRegistry(t))
			if err == nil {
				t.Fatal("compiled")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestUnknownPluginOneError: a node whose plugin is not installed is
// reported once, as not installed; the edges into and out of it add nothing.
func TestUnknownPluginOneError(t *testing.T) {
	g := graph([]string{"s:start", "x:nope", "c:count"}, []string{"s.payload>x", "x.out>c", "x.other>c"})
	_, err := Compile(context.Background(), g, testRegistry(t))
	var errs CompileErrors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	if len(errs) != 1 || errs[0].NodeID != "x" || errs[0].EdgeID != "" || !strings.Contains(errs[0].Message, "not installed") {
		t.Errorf("errors = %v, want one: x is not installed", errs)
	}
}

func TestInstancesSetUpOnceAndClosed(t *testing.T) {
	setups.Store(0)
	closes.Store(0)
	f := graph([]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}"}, []string{"s.payload>x"})
	c, err := Compile(context.Background(), f, testRegistry(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		c.Run(context.Background(), Input{})
	}
	if n := setups.Load(); n != 1 {
		t.Errorf("set up %d times for 100 sequential runs, want 1", n)
	}
	c.Close(context.Background())
	if n := closes.Load(); n != 1 {
		t.Errorf("closed %d times, want 1", n)
	}
}

func TestDeterministicOrder(t *testing.T) {
	f := graph([]string{"s:start", "b:count", "a:count", "c:count"}, []string{"s.payload>a", "s.payload>b", "s.payload>c"})
	c := mustCompile(t, f)
	want := "s,b,a,c"
	for i := 0; i < 20; i++ {
		if got := strings.Join(c.NodeIDs(), ","); got != want {
			t.Fatalf("order %s, want %s", got, want)
		}
	}
}

func TestConcurrentRuns(t *testing.T) {
	f := graph([]string{"s:start", "x:set:{\"key\":\"k\",\"value\":1}", "c:count"}, []string{"s.payload>x", "x.out>c"})
	c := mustCompile(t, f)
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				out := c.Run(context.Background(), Input{Profile: plugin.Profile{"id": "p"}})
				if out.Memory["count"] != 1 || !out.ProfileUpdated {
					t.Errorf("run: %v", out.Memory)
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

func withRunOnce(f *Flow, nodeID string, ro map[string]any) *Flow {
	for i, n := range f.FlowGraph.Nodes {
		if n.ID != nodeID {
			continue
		}
		var d map[string]any
		json.Unmarshal(n.Data, &d)
		dotpath.At(d, "spec").(map[string]any)["run_once"] = ro
		f.FlowGraph.Nodes[i].Data, _ = json.Marshal(d)
	}
	return f
}

func TestRunOnce(t *testing.T) {
	f := withRunOnce(graph([]string{"s:start", "c:count", "d:count"}, []string{"s.payload>c", "c.out>d"}),
		"c", map[string]any{"enabled": true, "type": "value", "value": "event@properties.v", "ttl": 0})
	c := mustCompile(t, f)
	profile := plugin.Profile{"id": "p"}
	// Per profile, c runs only when event@properties.v changed; when it does
	// not run, the edge to d is void.
	for i, step := range []struct {
		v    float64
		runs bool
	}{{1, true}, {1, false}, {2, true}, {2, false}, {1, true}} {
		out := c.Run(context.Background(), Input{Event: plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"v": step.v}}, Profile: profile, Debug: true})
		if got := calls(out, "c") == 1 && calls(out, "d") == 1; got != step.runs {
			t.Errorf("event %d (v=%v): ran=%v, want %v", i, step.v, got, step.runs)
		}
		if !step.runs {
			if a := out.Debug.Edges["e2"]; a == nil || a.Active[0] {
				t.Errorf("event %d: edge after a node that did not run: %v, want void", i, a)
			}
		}
		if !out.ProfileUpdated && step.runs {
			t.Errorf("event %d: the remembered value is not saved with the profile", i)
		}
	}
	// A condition is watched by its result.
	g := withRunOnce(graph([]string{"s:start", "c:count"}, []string{"s.payload>c"}),
		"c", map[string]any{"enabled": true, "type": "condition", "value": "event@properties.v > 10"})
	cc := mustCompile(t, g)
	p2 := plugin.Profile{"id": "q"}
	var ran []bool
	for _, v := range []float64{20, 30, 5, 50} {
		out := cc.Run(context.Background(), Input{Event: plugin.Event{"properties": map[string]any{"v": v}}, Profile: p2, Debug: true})
		ran = append(ran, calls(out, "c") == 1)
	}
	if fmt.Sprint(ran) != "[true false true true]" {
		t.Errorf("condition run_once ran %v, want [true false true true]", ran)
	}
}

func TestRunOnceCompileErrors(t *testing.T) {
	for _, c := range []struct {
		ro   map[string]any
		want string
	}{
		{map[string]any{"enabled": true, "type": "value", "value": ""}, `field "data.spec.run_once.value": is empty`},
		{map[string]any{"enabled": true, "type": "value", "value": "just text"}, `field "data.spec.run_once.value": expected a reference`},
		{map[string]any{"enabled": true, "type": "condition", "value": "event@type =="}, `field "data.spec.run_once.value": tql`},
		{map[string]any{"enabled": true, "type": "sometimes", "value": "event@type"}, `field "data.spec.run_once.type"`},
		{map[string]any{"enabled": true, "value": "event@type", "ttl": -1}, `field "data.spec.run_once.ttl"`},
	} {
		f := withRunOnce(graph([]string{"s:start", "c:count"}, []string{"s.payload>c"}), "c", c.ro)
		_, err := Compile(context.Background(), f, testRegistry(t))
		if err == nil || !strings.Contains(err.Error(), `node "c": `+c.want) {
			t.Errorf("%v: error %v, want %q", c.ro, err, c.want)
		}
	}
	// Disabled run_once is ignored whatever it holds (Tracardi's default).
	f := withRunOnce(graph([]string{"s:start", "c:count"}, []string{"s.payload>c"}), "c", map[string]any{"enabled": false, "type": "value", "value": "", "ttl": 0})
	mustCompile(t, f)
}
