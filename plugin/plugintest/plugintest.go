// Package plugintest helps test a plugin: set it up with a config, run it on
// a payload with a given event, profile and session, and look at the ports
// it fired, the console and the state it changed.
//
//	out := plugintest.Run(t, myplugin.Register(), plugintest.Case{
//		Event:   plugin.Event{"type": "my-event"},
//		Payload: plugin.Payload{"a": 1},
//	})
//	got := out.MustPort(t, "MyEvent")
package plugintest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
)

// Case is one run of a plugin.
type Case struct {
	// Config is the node's configuration; nil means the plugin's Spec.Init.
	Config  plugin.Config
	Payload plugin.Payload
	Event   plugin.Event
	Profile plugin.Profile
	Session plugin.Session
	Memory  map[string]any
	// Edge is the edge the payload arrives along; nil means a default edge
	// into the plugin's input port.
	Edge  *plugin.Edge
	Debug bool
	// Resources answers credentials lookups, when the plugin needs them.
	Resources plugin.Resources
	// Data reads stored records, when the plugin needs them (nil: no
	// storage attached).
	Data plugin.Data
}

// Outcome is what a run produced.
type Outcome struct {
	Results plugin.Results
	Err     error
	State   *plugin.State
}

// Port returns the value fired on port and whether the port fired.
func (o *Outcome) Port(port string) (plugin.Payload, bool) {
	for _, r := range o.Results {
		if r.Port == port {
			return r.Value, true
		}
	}
	return nil, false
}

// MustPort returns the value fired on port, failing the test when the port
// did not fire.
func (o *Outcome) MustPort(t testing.TB, port string) plugin.Payload {
	t.Helper()
	if o.Err != nil {
		t.Fatalf("run failed: %v", o.Err)
	}
	v, ok := o.Port(port)
	if !ok {
		t.Fatalf("port %q did not fire; results: %v", port, o.Results)
	}
	return v
}

// Ports lists the ports that fired, in order.
func (o *Outcome) Ports() []string {
	out := make([]string, len(o.Results))
	for i, r := range o.Results {
		out[i] = r.Port
	}
	return out
}

// Logs returns the console messages of the run.
func (o *Outcome) Logs() []plugin.Log { return o.State.Logs }

// LogText returns the console messages joined by newlines.
func (o *Outcome) LogText() string {
	var b strings.Builder
	for _, l := range o.State.Logs {
		b.WriteString(l.Level + ": " + l.Message + "\n")
	}
	return b.String()
}

// SetUp constructs the plugin's action and sets it up with config (the
// plugin's Spec.Init when config is nil).
func SetUp(ctx context.Context, p plugin.Plugin, config plugin.Config) (plugin.Action, error) {
	p = plugin.Complete(p)
	if config == nil {
		config = p.Spec.Init
	}
	a := p.New()
	if su, ok := a.(plugin.SetUpper); ok {
		if err := su.SetUp(ctx, copyConfig(config)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Run sets the plugin up with c.Config (failing the test when that fails),
// runs it once on c.Payload and closes it. A Run error is returned in
// Outcome.Err, not failed on.
func Run(t testing.TB, p plugin.Plugin, c Case) *Outcome {
	t.Helper()
	ctx := context.Background()
	a, err := SetUp(ctx, p, c.Config)
	if err != nil {
		t.Fatalf("set up %s: %v", p.Spec.Module, err)
	}
	defer func() {
		if cl, ok := a.(plugin.Closer); ok {
			if err := cl.Close(ctx); err != nil {
				t.Errorf("close %s: %v", p.Spec.Module, err)
			}
		}
	}()
	return RunAction(ctx, p, a, c)
}

// RunAction runs an action that is already set up, so that several runs can
// share one instance (as they do in a compiled flow).
func RunAction(ctx context.Context, p plugin.Plugin, a plugin.Action, c Case) *Outcome {
	st := &plugin.State{
		Event: c.Event, Profile: c.Profile, Session: c.Session,
		Flow:   &plugin.Flow{ID: "test-flow", Name: "Test flow", Response: map[string]any{}},
		Memory: c.Memory, Debug: c.Debug, Resources: c.Resources, Data: c.Data,
	}
	if st.Event == nil {
		st.Event = plugin.Event{"id": "test-event", "type": "test"}
	}
	if st.Memory == nil {
		st.Memory = map[string]any{}
	}
	node := &plugin.Node{ID: "node-1", Name: p.MetaData.Name, Module: p.Spec.Module, Init: c.Config,
		Inputs: p.Spec.Inputs, Outputs: p.Spec.Outputs}
	if r, ok := a.(plugin.Runnable); ok {
		rn := r.Runner()
		rn.State, rn.Node, rn.Console = st, node, st.NodeConsole(node.ID)
	}
	edge := c.Edge
	if edge == nil && len(p.Spec.Inputs) > 0 {
		edge = &plugin.Edge{ID: "edge-1", Source: "node-0", SourcePort: "payload", Target: "node-1", TargetPort: p.Spec.Inputs[0]}
	}
	payload := c.Payload
	if payload == nil {
		payload = plugin.Payload{}
	}
	res, err := a.Run(ctx, payload, edge)
	if err == nil {
		for _, r := range res {
			found := false
			for _, o := range p.Spec.Outputs {
				if o == r.Port {
					found = true
				}
			}
			if !found {
				err = &undeclaredPortError{port: r.Port}
			}
		}
	}
	return &Outcome{Results: res, Err: err, State: st}
}

type undeclaredPortError struct{ port string }

func (e *undeclaredPortError) Error() string {
	return "plugin returned a result on undeclared port " + e.port
}

func copyConfig(c plugin.Config) plugin.Config {
	out, err := plugin.Encode(c)
	if err != nil {
		return c
	}
	return out
}

// SetUpFails sets the plugin up with config and fails the test unless set-up
// fails with plugin.FieldErrors that name field (a dot path into the
// config, e.g. "condition" or "event_types.0"). It returns the errors.
func SetUpFails(t testing.TB, p plugin.Plugin, config plugin.Config, field string) plugin.FieldErrors {
	t.Helper()
	a, err := SetUp(context.Background(), p, config)
	if err == nil {
		if cl, ok := a.(plugin.Closer); ok {
			_ = cl.Close(context.Background())
		}
		t.Fatalf("set up %s with %v: expected a config error naming %q, got none", p.Spec.Module, config, field)
	}
	var ce plugin.FieldErrors
	if !errors.As(err, &ce) {
		t.Fatalf("set up %s with %v: expected plugin.FieldErrors naming %q, got %T: %v", p.Spec.Module, config, field, err, err)
	}
	for _, fe := range ce {
		if fe.Field == field {
			return ce
		}
	}
	t.Fatalf("set up %s with %v: config error %q does not name field %q", p.Spec.Module, config, err, field)
	return ce
}
