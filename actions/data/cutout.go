package data

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// CutOut emits the value at a reference as the new payload, optionally
// wrapped in an object under a key.
type CutOut struct {
	plugin.ActionRunner
	ref dotpath.Ref
	key string
}

var cutOutSpec = plugin.NewConfigSpec().
	Group("Cut out data", "").
	Field(plugin.NewRefField("trait").Name("Data to cut out").
		Description("A reference to the value to emit as the new payload, e.g. event@context.page.").
		Required().AllowWhole().
		Component("dotPath", map[string]any{"label": "Path", "defaultSourceValue": "event", "forceMode": 1})).
	Field(plugin.NewStringField("key").Name("Return under key").
		Description("Optional. With a key the value is returned as {\"key\": value}; needed when "+
			"the value is not an object (a text, a number, a list).").
		Prop("label", "Key"))

// SetUp parses the reference.
func (a *CutOut) SetUp(_ context.Context, config plugin.Config) error {
	c, err := cutOutSpec.Parse(config)
	if err != nil {
		return err
	}
	a.ref, a.key = c.Ref("trait"), strings.TrimSpace(c.String("key"))
	return nil
}

// Run reads the value and emits a copy of it.
func (a *CutOut) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.Scope(payload).Get(a.ref)
	if err != nil {
		return nil, fmt.Errorf("cut out: %w", err)
	}
	v = dotpath.DeepCopy(v)
	if a.key != "" {
		return plugin.Port("trait", plugin.Payload{a.key: v}), nil
	}
	switch x := v.(type) {
	case nil:
		return plugin.Port("trait", nil), nil
	case map[string]any:
		return plugin.Port("trait", x), nil
	}
	return nil, fmt.Errorf("cut out: %s is %s, not an object; set \"key\" to return it wrapped, e.g. key \"value\" gives {\"value\": ...}", a.ref, dotpath.TypeName(v))
}

// RegisterCutOut describes the Cut out data plugin.
func RegisterCutOut() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &CutOut{} },
		Spec: plugin.Spec{
			Module:    "tracflow.data.cut_out",
			Aliases:   []string{tracardi + "traits.cut_out_trait_action"},
			ClassName: "CutOutTraitAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"trait"},
			Config:    cutOutSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Cut out data",
			Desc:    "Emits a part of the referenced data as the new payload.",
			Type:    "flowNode",
			Icon:    "property",
			Group:   []string{"Data processing"},
			Tags:    []string{"traits", "profile", "reference", "data", "cut"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The value is copied, so later nodes cannot change the profile through it. A " +
					"missing reference is an error that stops the flow; a null value ends the branch. A " +
					"value that is not an object must be wrapped with `key`, otherwise the node fails.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the reference may point into it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"trait": {Desc: "The referenced object, or {key: value} when a key is set."},
				},
			},
		},
	}
}
