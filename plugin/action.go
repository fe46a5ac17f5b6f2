package plugin

import "context"

// Payload is the data that travels along the edges of a flow: a decoded JSON
// object. It is an alias, so any map[string]any is a Payload.
type Payload = map[string]any

// Config is a node's configuration (Tracardi's "init"): a decoded JSON object.
type Config = map[string]any

// Action is the contract every plugin implements.
//
// Run receives the payload that arrived on the node's input port and the edge
// it came along (nil for start nodes). It returns the results to emit: nil or
// an empty Results stops this branch of the flow; each Result fires the edges
// leaving the named output port. A Result whose Value is nil fires nothing on
// that port (the edges are void). A non-nil error marks the node as failed:
// the flow stops, unless the node's plugin has an "error" output port, in
// which case {"message": err.Error()} is emitted there and the flow goes on.
type Action interface {
	Run(ctx context.Context, payload Payload, in *Edge) (Results, error)
}

// SetUpper is implemented by actions that take a configuration. SetUp is
// called once, before the first Run, with the node's config. Return a
// *ConfigError (see FieldError) to say which field is wrong.
type SetUpper interface {
	SetUp(ctx context.Context, config Config) error
}

// Validator is implemented by actions whose SetUp has side effects (it opens
// connections, say) and that can check a configuration without them. When an
// action does not implement it, validation runs SetUp (and Close) on a fresh
// instance. It returns the normalised configuration (defaults filled in).
type Validator interface {
	Validate(ctx context.Context, config Config) (Config, error)
}

// Closer is implemented by actions that hold resources. Close is called once,
// when the compiled flow that owns the instance is released.
type Closer interface {
	Close(ctx context.Context) error
}

// ErrorHandler is implemented by actions that want to know when their Run
// failed (returned an error or panicked).
type ErrorHandler interface {
	OnError(ctx context.Context, err error)
}

// Result is one output of a Run: a value on a named port.
type Result struct {
	Port  string  `json:"port"`
	Value Payload `json:"value"`
}

// Results is what Run returns: zero, one or several results.
type Results []Result

// Port returns a single result on port.
func Port(port string, value Payload) Results {
	return Results{{Port: port, Value: value}}
}

// And returns r with one more result appended, so that several ports can fire:
//
//	return plugin.Port("a", x).And("b", y), nil
func (r Results) And(port string, value Payload) Results {
	return append(r, Result{Port: port, Value: value})
}

// Edge is the connection a payload arrived along.
type Edge struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"` // the edge's data.name, used by Join as the key
	Source     string `json:"source"`         // source node id
	SourcePort string `json:"sourceHandle"`
	Target     string `json:"target"`
	TargetPort string `json:"targetHandle"`
}

// Node is what an action knows about the node it serves.
type Node struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Module  string   `json:"module"`
	Init    Config   `json:"init,omitempty"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
}

// HasOutput reports whether the node declares the output port.
func (n *Node) HasOutput(port string) bool {
	for _, p := range n.Outputs {
		if p == port {
			return true
		}
	}
	return false
}

// ErrorResult logs message as an error on the console and returns it as
// {"message": message} on port, the usual way to report a handled failure.
func (r *ActionRunner) ErrorResult(message, port string) Results {
	r.Console.Error(message)
	return Port(port, Payload{"message": message})
}

// Joiner is implemented by actions that join the payloads arriving on all
// their incoming edges into one (the Join plugin). The engine runs the action
// once per incoming payload, collects the results per port in an object keyed
// by edge name (or edge id when the edge has no name; a void input adds the
// key with null), and then calls JoinOutput once per port with that object;
// what JoinOutput returns is emitted on the port.
type Joiner interface {
	JoinOutput(port string, joined Payload) (Payload, error)
}
