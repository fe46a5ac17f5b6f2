package data

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

// Response puts an object, built from a JSON template, into the response
// the tracker returns, under a key.
type Response struct {
	plugin.ActionRunner
	key   string
	tpl   *reshape.Template
	scope scope.Scope
}

type responseConfig struct {
	Key     string `json:"key"`
	Body    any    `json:"body"`
	Default bool   `json:"default"`
}

// SetUp normalises the key (spaces to underscores, lower case, as Tracardi
// does) and compiles the body.
func (a *Response) SetUp(_ context.Context, config plugin.Config) error {
	c := responseConfig{Body: "", Default: true}
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(c.Key), " ", "_"))
	if key == "" {
		return plugin.FieldErr("key", "is empty; type the name the data gets in the response, e.g. offer")
	}
	body, err := conf.JSON("body", c.Body)
	if err != nil {
		return err
	}
	tpl, err := reshape.Compile(body, c.Default)
	if err != nil {
		return plugin.FieldErr("body", "%v", err)
	}
	a.key, a.tpl = key, tpl
	return nil
}

// Run builds the body, stores it in the flow's response and emits a copy.
func (a *Response) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.tpl.Apply(a.scope.For(&a.ActionRunner, payload))
	if err != nil {
		return nil, fmt.Errorf("create response: %w", err)
	}
	if a.Flow == nil {
		return nil, fmt.Errorf("create response: this run has no flow to hold the response")
	}
	if a.Flow.Response == nil {
		a.Flow.Response = map[string]any{}
	}
	a.Flow.Response[a.key] = v
	if m, ok := notation.DeepCopy(v).(map[string]any); ok {
		return plugin.Port("payload", m), nil
	}
	return plugin.Port("payload", payload), nil
}

// RegisterResponse describes the Create response plugin.
func RegisterResponse() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Response{} },
		Spec: plugin.Spec{
			Module:    "tracflow.data.response",
			Aliases:   []string{tracardi + "internal.add_response.plugin"},
			ClassName: "CreateResponseAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload"},
			Init:      plugin.Config{"key": "", "body": "{}", "default": true},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Response",
				Fields: []plugin.FormField{
					{
						ID:   "key",
						Name: "Response key",
						Description: "The name the data gets in the response, e.g. offer. Spaces become " +
							"underscores and letters lower case.",
						Component: plugin.FormComponent{Type: "text", Props: map[string]any{"label": "Key"}},
						Required:  true,
					},
					{
						ID:   "body",
						Name: "Response data",
						Description: "A JSON template; string values that are references are replaced by " +
							"what they point to, e.g. {\"discount\": \"profile@traits.discount\"}.",
						Component: plugin.FormComponent{Type: "json", Props: map[string]any{"label": "Response object"}},
					},
					{
						ID:          "default",
						Name:        "Missing values equal null",
						Description: "On: a reference that finds nothing gives null. Off: it fails the node.",
						Component:   plugin.FormComponent{Type: "bool", Props: map[string]any{"label": "Make missing values null"}},
					},
				},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Create response",
			Desc:    "Adds data to the response the tracker returns for this event.",
			Type:    "flowNode",
			Icon:    "json",
			Group:   []string{"Data processing"},
			Tags:    []string{"response", "create", "data"},
			Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "The responses of all flows an event runs are merged into the /track answer's " +
					"\"response\". Running the node again with the same key replaces the earlier value.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the template can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "A copy of the data put into the response (the input payload when the data is not an object)."},
				},
			},
		},
	}
}
