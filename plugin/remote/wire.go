package remote

import "github.com/tracflow/tracflow/plugin"

// The paths of a plugin service, relative to its base URL.
const (
	PathPlugins  = "/plugins"
	PathValidate = "/plugin/validate"
	PathRun      = "/plugin/run"
)

// PluginsResponse is the answer of GET /plugins: the plugins the service
// serves, as register records in Tracardi's JSON shape ({"start", "spec",
// "metadata"}).
type PluginsResponse struct {
	Plugins []plugin.Plugin `json:"plugins"`
}

// ValidateRequest is the body of POST /plugin/validate.
type ValidateRequest struct {
	Module string        `json:"module"`
	Init   plugin.Config `json:"init"`
}

// ValidateResponse is the 200 answer of POST /plugin/validate: the
// normalised configuration.
type ValidateResponse struct {
	Config plugin.Config `json:"config"`
}

// ErrorResponse is the body of every answer that is not 200: a message
// and, for an invalid configuration (422), the field errors.
type ErrorResponse struct {
	Detail string             `json:"detail"`
	Errors plugin.FieldErrors `json:"errors,omitempty"`
}

// RunRequest is the body of POST /plugin/run: which plugin, its node's
// configuration, what arrived on its input port, and the run's state.
type RunRequest struct {
	Module  string        `json:"module"`
	Init    plugin.Config `json:"init"`
	Node    plugin.Node   `json:"node"`
	Params  RunParams     `json:"params"`
	Context RunContext    `json:"context"`
}

// RunParams is what Run receives: the payload and the edge it came along.
type RunParams struct {
	Payload plugin.Payload `json:"payload"`
	InEdge  *plugin.Edge   `json:"in_edge"`
}

// RunContext is the state of the flow run a remote plugin sees. Event,
// Flow and Debug are read-only; Profile, Session and Memory may be changed
// and sent back in RunResponse.Context. Profile and Session are null for
// events without them.
type RunContext struct {
	Event   map[string]any `json:"event"`
	Profile map[string]any `json:"profile"`
	Session map[string]any `json:"session"`
	Flow    *plugin.Flow   `json:"flow"`
	Memory  map[string]any `json:"memory"`
	Debug   bool           `json:"debug"`
}

// RunResponse is the 200 answer of POST /plugin/run. Results are the
// values on ports (none stops the branch). Error, when not empty, fails
// the node with that message (its error port gets it). Context holds the
// state the plugin changed (absent members were not changed). Console is
// the run's log messages.
type RunResponse struct {
	Results plugin.Results `json:"results"`
	Error   string         `json:"error,omitempty"`
	Context ChangedContext `json:"context"`
	Console []ConsoleLine  `json:"console"`
}

// ChangedContext is the state a remote run sends back: a member is present
// only when the plugin changed it, and replaces the run's object as a
// whole (a profile's or session's "id" cannot change).
type ChangedContext struct {
	Profile map[string]any `json:"profile,omitempty"`
	Session map[string]any `json:"session,omitempty"`
	Memory  map[string]any `json:"memory,omitempty"`
}

// ConsoleLine is one console message of a remote run.
type ConsoleLine struct {
	Level   string `json:"level"` // debug, info, warning, error
	Message string `json:"message"`
}
