package flowcontrol

import (
	"context"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// DataExists sends its payload to "true" when a referenced value exists and
// is neither null nor the empty string, otherwise to "false".
type DataExists struct {
	plugin.ActionRunner
	ref   notation.Ref
	scope scope.Scope
}

type existsConfig struct {
	Property string `json:"property"`
}

// SetUp parses the reference to check.
func (a *DataExists) SetUp(_ context.Context, config plugin.Config) error {
	var c existsConfig
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	ref, err := conf.Ref("property", c.Property)
	if err != nil {
		return err
	}
	a.ref = ref
	return nil
}

// Run checks the referenced value.
func (a *DataExists) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, ok := a.scope.For(&a.ActionRunner, payload).Lookup(a.ref)
	if !ok || v == nil || v == "" {
		return plugin.Port("false", payload), nil
	}
	return plugin.Port("true", payload), nil
}

// RegisterDataExists describes the Data exists plugin.
func RegisterDataExists() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &DataExists{} },
		Spec: plugin.Spec{
			Module:    "tracflow.flowcontrol.data_exists",
			Aliases:   []string{tracardi + "flow.property_exists.plugin"},
			ClassName: "PropertyExistsAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"true", "false"},
			Init:      plugin.Config{"property": "profile@data.contact.email.main"},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Fields: []plugin.FormField{{
					ID:   "property",
					Name: "Data to check",
					Description: "A reference such as profile@data.contact.email.main. The payload goes to " +
						"true when the value is there and is not null or an empty text.",
					Component: plugin.FormComponent{Type: "dotPath", Props: map[string]any{
						"defaultSourceValue": "event", "defaultMode": 1,
					}},
					Required: true,
				}},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Data exists",
			Desc:    "Checks that a value exists and is not null or empty text.",
			Type:    "condNode",
			Icon:    "exists",
			Group:   []string{"Flow control"},
			Tags:    []string{"condition", "exists"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "A value counts as existing when the reference finds it and it is neither null " +
					"nor \"\"; an empty list or object, 0 and false exist. On a profile-less event every " +
					"profile@ reference is missing.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"true":  {Desc: "The input payload, when the value exists and is not null or empty text."},
					"false": {Desc: "The input payload, when it is missing, null or empty text."},
				},
			},
		},
	}
}
