package io

import (
	"context"
	"errors"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// ReshapePayload builds a new payload from a JSON template whose string
// values may be references (Tracardi's "Inject payload").
type ReshapePayload struct {
	plugin.ActionRunner
	tpl *dotpath.Object
}

var reshapeSpec = plugin.NewConfigSpec().
	Group("New payload", "").
	Field(plugin.NewJSONField("value").Name("Payload template").
		Description("A JSON object. String values that are references are replaced by what "+
			"they point to, e.g. {\"email\": \"profile@data.contact.email.main\", \"channel\": \"web\"}. "+
			"A key ending in ? is left out when its value is missing or empty.").
		Initial("{}").Required().
		Component("json", map[string]any{"label": "Object", "autocomplete": true}).
		Check(func(v any) error {
			switch v.(type) {
			case map[string]any, string:
				return nil
			}
			return errors.New("must be a JSON object, e.g. {\"email\": \"profile@data.contact.email.main\"}")
		})).
	Field(plugin.NewBoolField("default").Name("Missing values equal null").
		Description("On: a reference that finds nothing gives null. Off: it sends an error "+
			"to the error port.").
		Default(true).Prop("label", "Make missing values null"))

// SetUp compiles the template.
func (a *ReshapePayload) SetUp(_ context.Context, config plugin.Config) error {
	c, err := reshapeSpec.Parse(config)
	if err != nil {
		return err
	}
	tpl, err := dotpath.CompileObject(c.Any("value"), c.Bool("default"))
	if err != nil {
		return plugin.FieldErr("value", "%v", err)
	}
	a.tpl = tpl
	return nil
}

// Run builds the payload.
func (a *ReshapePayload) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.tpl.Apply(a.Scope(payload))
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return a.ErrorResult("The new payload is not an object; the template must produce a JSON object.", "error"), nil
	}
	return plugin.Port("payload", m), nil
}

// RegisterReshapePayload describes the Inject payload plugin.
func RegisterReshapePayload() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &ReshapePayload{} },
		Spec: plugin.Spec{
			Module:    "tracflow.io.reshape_payload",
			Aliases:   []string{tracardi + "traits.reshape_payload_action"},
			ClassName: "ReshapePayloadAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload", "error"},
			Config:    reshapeSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Inject payload",
			Desc:    "Builds a new payload from a JSON template filled with referenced data.",
			Type:    "flowNode",
			Icon:    "json",
			Group:   []string{"Input/Output"},
			Tags:    []string{"reshape", "create", "payload", "data"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the template can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The new payload built from the template."},
					"error":   {Desc: "{\"message\": ...} when a reference is missing (with missing values not null) or the result is not an object."},
				},
			},
		},
	}
}
