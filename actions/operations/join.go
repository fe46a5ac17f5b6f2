package operations

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/reshape"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Join waits for the payloads of all its incoming branches and emits them
// as one object keyed by edge name (the edge id when the edge has no name).
// The engine does the collecting (see plugin.Joiner); Join passes each
// payload through and optionally reshapes the joined object.
type Join struct {
	plugin.ActionRunner
	tpl   *reshape.Template // nil: emit the joined object as it is
	scope scope.Scope
}

var _ plugin.Joiner = (*Join)(nil)

type joinConfig struct {
	Reshape any    `json:"reshape"`
	Default bool   `json:"default"`
	Type    string `json:"type"`
}

// SetUp compiles the reshape template, if there is one.
func (a *Join) SetUp(_ context.Context, config plugin.Config) error {
	c := joinConfig{Default: true, Type: "dict"}
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	switch strings.TrimSpace(c.Type) {
	case "dict", "list", "":
	default:
		return plugin.FieldErr("type", "%q is not a join type; use dict or list", c.Type)
	}
	a.tpl = nil
	if s, ok := c.Reshape.(string); ok && strings.TrimSpace(s) == "" {
		return nil
	}
	tpl, err := conf.JSON("reshape", c.Reshape)
	if err != nil {
		return err
	}
	if notation.IsEmpty(tpl) {
		return nil
	}
	switch tpl.(type) {
	case map[string]any, string:
	default:
		return plugin.FieldErr("reshape", "must be a JSON object that describes the output, e.g. {\"user\": \"payload@a.user\"}")
	}
	t, err := reshape.Compile(tpl, c.Default)
	if err != nil {
		return plugin.FieldErr("reshape", "%v", err)
	}
	a.tpl = t
	return nil
}

// Run passes each incoming payload on; the engine collects them.
func (a *Join) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	return plugin.Port("payload", payload), nil
}

// JoinOutput reshapes the joined object when a template is configured. The
// template reads the joined object as payload@, e.g. payload@edge-name.key.
func (a *Join) JoinOutput(_ string, joined plugin.Payload) (plugin.Payload, error) {
	if a.tpl == nil {
		return joined, nil
	}
	v, err := a.tpl.Apply(a.scope.For(&a.ActionRunner, joined))
	if err != nil {
		return nil, fmt.Errorf("join: reshaping the joined payload: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("join: the reshaped payload must be an object, got %s", notation.TypeName(v))
	}
	return m, nil
}

// RegisterJoin describes the Join plugin.
func RegisterJoin() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Join{} },
		Spec: plugin.Spec{
			Module:    "tracflow.operations.join",
			Aliases:   []string{tracardi + "operations.join_payloads.plugin"},
			ClassName: "JoinPayloads",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload"},
			Init:      plugin.Config{"reshape": "{}", "default": true, "type": "dict"},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Join settings",
				Fields: []plugin.FormField{
					{
						ID:   "reshape",
						Name: "Reshape the joined payload",
						Description: "Optional JSON template for the output. It reads the joined object as " +
							"payload@, keyed by edge name, e.g. {\"email\": \"payload@profile-branch.email\"}. " +
							"Leave {} to emit the joined object as it is.",
						Component: plugin.FormComponent{Type: "json", Props: map[string]any{"label": "Template"}},
					},
					{
						ID:          "type",
						Name:        "Type of join",
						Description: "Kept for flows made in Tracardi; both values key the inputs by edge name.",
						Component: plugin.FormComponent{Type: "select", Props: map[string]any{
							"label": "Type", "items": map[string]any{"dict": "Dictionary", "list": "List"},
						}},
					},
					{
						ID:   "default",
						Name: "Missing values equal null",
						Description: "On: a reference in the template that finds nothing gives null. Off: it " +
							"fails the node.",
						Component: plugin.FormComponent{Type: "bool", Props: map[string]any{"label": "Make missing values null"}},
					},
				},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Join",
			Desc:    "Waits for all incoming branches and joins their payloads into one.",
			Type:    "startNode",
			Icon:    "flow",
			Group:   []string{"Operations"},
			Tags:    []string{"join", "merge", "payload"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Join runs once, after every branch leading to it has run, and emits one object: " +
					"each incoming payload under the name of its edge (the edge id when the edge has no " +
					"name). A branch that ended before reaching the node adds its key with null; a branch " +
					"that never ran is left out.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "The payloads of the incoming branches."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "One object holding every incoming payload by edge name, reshaped when a template is set."}},
			},
		},
	}
}
