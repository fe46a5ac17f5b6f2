package operations

import (
	"context"
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Join waits for the payloads of all its incoming branches and emits them
// as one object keyed by edge name (the edge id when the edge has no name).
// The engine does the collecting (see plugin.Joiner); Join passes each
// payload through and optionally reshapes the joined object.
type Join struct {
	plugin.ActionRunner
	tpl *dotpath.Object // nil: emit the joined object as it is
}

var _ plugin.Joiner = (*Join)(nil)

var joinSpec = plugin.NewConfigSpec().
	Group("Join settings", "").
	Field(plugin.NewJSONField("reshape").Name("Reshape the joined payload").
		Description("Optional JSON template for the output. It reads the joined object as "+
			"payload@, keyed by edge name, e.g. {\"email\": \"payload@profile-branch.email\"}. "+
			"Leave {} to emit the joined object as it is.").
		Default("{}").Prop("label", "Template").
		Check(func(v any) error {
			switch v.(type) {
			case nil, map[string]any, string:
				return nil
			}
			return errors.New("must be a JSON object that describes the output, e.g. {\"user\": \"payload@a.user\"}")
		})).
	Field(plugin.NewEnumField("type",
		plugin.Option{Value: "dict", Label: "Dictionary"},
		plugin.Option{Value: "list", Label: "List"}).Name("Type of join").
		Description("Kept for flows made in Tracardi; both values key the inputs by edge name.").
		Default("dict").Prop("label", "Type")).
	Field(plugin.NewBoolField("default").Name("Missing values equal null").
		Description("On: a reference in the template that finds nothing gives null. Off: it "+
			"fails the node.").
		Default(true).Prop("label", "Make missing values null"))

// SetUp compiles the reshape template, if there is one.
func (a *Join) SetUp(_ context.Context, config plugin.Config) error {
	c, err := joinSpec.Parse(config)
	if err != nil {
		return err
	}
	a.tpl = nil
	tpl := c.Any("reshape")
	if dotpath.IsEmpty(tpl) {
		return nil
	}
	t, err := dotpath.CompileObject(tpl, c.Bool("default"))
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
	v, err := a.tpl.Apply(a.Scope(joined))
	if err != nil {
		return nil, fmt.Errorf("join: reshaping the joined payload: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("join: the reshaped payload must be an object, got %s", dotpath.TypeName(v))
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
			Config:    joinSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
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
