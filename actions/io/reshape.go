package io

import (
	"context"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/reshape"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/plugin"
)

// ReshapePayload builds a new payload from a JSON template whose string
// values may be references (Tracardi's "Inject payload").
type ReshapePayload struct {
	plugin.ActionRunner
	tpl   *reshape.Template
	scope scope.Scope
}

type reshapeConfig struct {
	Value   any  `json:"value"`
	Default bool `json:"default"`
}

// SetUp compiles the template.
func (a *ReshapePayload) SetUp(_ context.Context, config plugin.Config) error {
	c := reshapeConfig{Value: "", Default: true}
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	v, err := conf.JSON("value", c.Value)
	if err != nil {
		return err
	}
	switch v.(type) {
	case map[string]any, string:
	default:
		return plugin.FieldErr("value", "must be a JSON object, e.g. {\"email\": \"profile@data.contact.email.main\"}")
	}
	tpl, err := reshape.Compile(v, c.Default)
	if err != nil {
		return plugin.FieldErr("value", "%v", err)
	}
	a.tpl = tpl
	return nil
}

// Run builds the payload.
func (a *ReshapePayload) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.tpl.Apply(a.scope.For(&a.ActionRunner, payload))
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
			Init:      plugin.Config{"value": "{}", "default": true},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "New payload",
				Fields: []plugin.FormField{
					{
						ID:   "value",
						Name: "Payload template",
						Description: "A JSON object. String values that are references are replaced by what " +
							"they point to, e.g. {\"email\": \"profile@data.contact.email.main\", \"channel\": \"web\"}. " +
							"A key ending in ? is left out when its value is missing or empty.",
						Component: plugin.FormComponent{Type: "json", Props: map[string]any{"label": "Object", "autocomplete": true}},
					},
					{
						ID:   "default",
						Name: "Missing values equal null",
						Description: "On: a reference that finds nothing gives null. Off: it sends an error " +
							"to the error port.",
						Component: plugin.FormComponent{Type: "bool", Props: map[string]any{"label": "Make missing values null"}},
					},
				},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
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
