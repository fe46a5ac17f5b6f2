package data

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// CutOut emits the value at a reference as the new payload, optionally
// wrapped in an object under a key.
type CutOut struct {
	plugin.ActionRunner
	ref   notation.Ref
	key   string
	scope scope.Scope
}

type cutOutConfig struct {
	Trait string `json:"trait"`
	Key   string `json:"key"`
}

// SetUp parses the reference.
func (a *CutOut) SetUp(_ context.Context, config plugin.Config) error {
	var c cutOutConfig
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	ref, err := conf.Ref("trait", c.Trait)
	if err != nil {
		return err
	}
	a.ref, a.key = ref, strings.TrimSpace(c.Key)
	return nil
}

// Run reads the value and emits a copy of it.
func (a *CutOut) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.scope.For(&a.ActionRunner, payload).Get(a.ref)
	if err != nil {
		return nil, fmt.Errorf("cut out: %w", err)
	}
	v = notation.DeepCopy(v)
	if a.key != "" {
		return plugin.Port("trait", plugin.Payload{a.key: v}), nil
	}
	switch x := v.(type) {
	case nil:
		return plugin.Port("trait", nil), nil
	case map[string]any:
		return plugin.Port("trait", x), nil
	}
	return nil, fmt.Errorf("cut out: %s is %s, not an object; set \"key\" to return it wrapped, e.g. key \"value\" gives {\"value\": ...}", a.ref, notation.TypeName(v))
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
			Init:      plugin.Config{"trait": "", "key": ""},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Cut out data",
				Fields: []plugin.FormField{
					{
						ID:          "trait",
						Name:        "Data to cut out",
						Description: "A reference to the value to emit as the new payload, e.g. event@context.page.",
						Component: plugin.FormComponent{Type: "dotPath", Props: map[string]any{
							"label": "Path", "defaultSourceValue": "event", "forceMode": 1,
						}},
						Required: true,
					},
					{
						ID:   "key",
						Name: "Return under key",
						Description: "Optional. With a key the value is returned as {\"key\": value}; needed when " +
							"the value is not an object (a text, a number, a list).",
						Component: plugin.FormComponent{Type: "text", Props: map[string]any{"label": "Key"}},
					},
				},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
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
