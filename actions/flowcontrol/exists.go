package flowcontrol

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// DataExists sends its payload to "true" when a referenced value exists and
// is neither null nor the empty string, otherwise to "false".
type DataExists struct {
	plugin.ActionRunner
	ref dotpath.Ref
}

var existsSpec = plugin.NewConfigSpec().
	Field(plugin.NewRefField("property").Name("Data to check").
		Description("A reference such as profile@data.contact.email.main. The payload goes to "+
			"true when the value is there and is not null or an empty text.").
		Initial("profile@data.contact.email.main").Required().AllowWhole().
		Component("dotPath", map[string]any{"defaultSourceValue": "event", "defaultMode": 1}))

// SetUp parses the reference to check.
func (a *DataExists) SetUp(_ context.Context, config plugin.Config) error {
	c, err := existsSpec.Parse(config)
	if err != nil {
		return err
	}
	a.ref = c.Ref("property")
	return nil
}

// Run checks the referenced value.
func (a *DataExists) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, ok := a.Scope(payload).Lookup(a.ref)
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
			Config:    existsSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
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
