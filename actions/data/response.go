package data

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Response puts an object, built from a JSON template, into the response
// the tracker returns, under a key.
type Response struct {
	plugin.ActionRunner
	key string
	tpl *dotpath.Object
}

var responseSpec = plugin.NewConfigSpec().
	Group("Response", "").
	Field(plugin.NewStringField("key").Name("Response key").
		Description("The name the data gets in the response, e.g. offer. Spaces become "+
			"underscores and letters lower case.").
		Required().Prop("label", "Key")).
	Field(plugin.NewJSONField("body").Name("Response data").
		Description("A JSON template; string values that are references are replaced by "+
			"what they point to, e.g. {\"discount\": \"profile@traits.discount\"}.").
		Default("{}").Required().Prop("label", "Response object")).
	Field(plugin.NewBoolField("default").Name("Missing values equal null").
		Description("On: a reference that finds nothing gives null. Off: it fails the node.").
		Default(true).Prop("label", "Make missing values null"))

// SetUp normalises the key (spaces to underscores, lower case, as Tracardi
// does) and compiles the body.
func (a *Response) SetUp(_ context.Context, config plugin.Config) error {
	c, err := responseSpec.Parse(config)
	if err != nil {
		return err
	}
	tpl, err := dotpath.CompileObject(c.Any("body"), c.Bool("default"))
	if err != nil {
		return plugin.FieldErr("body", "%v", err)
	}
	a.key = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(c.String("key")), " ", "_"))
	a.tpl = tpl
	return nil
}

// Run builds the body, stores it in the flow's response and emits a copy.
func (a *Response) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.tpl.Apply(a.Scope(payload))
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
	if m, ok := dotpath.DeepCopy(v).(map[string]any); ok {
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
			Config:    responseSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
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
