package data

import (
	"context"

	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Template renders a text template and emits {"template": text}.
type Template struct {
	plugin.ActionRunner
	tpl   *notation.Template
	scope scope.Scope
}

type templateConfig struct {
	Template string `json:"template"`
}

// SetUp compiles the template.
func (a *Template) SetUp(_ context.Context, config plugin.Config) error {
	var c templateConfig
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	tpl, err := notation.CompileTemplate(c.Template)
	if err != nil {
		return plugin.FieldErr("template", "%v", err)
	}
	a.tpl = tpl
	return nil
}

// Run renders the template.
func (a *Template) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	text := a.tpl.Render(a.scope.For(&a.ActionRunner, payload))
	return plugin.Port("template", plugin.Payload{"template": text}), nil
}

// RegisterTemplate describes the Template plugin.
func RegisterTemplate() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Template{} },
		Spec: plugin.Spec{
			Module:    "tracflow.data.template",
			Aliases:   []string{tracardi + "template_action"},
			ClassName: "TemplateAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"template"},
			Init:      plugin.Config{"template": ""},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Template",
				Fields: []plugin.FormField{{
					ID:   "template",
					Name: "Template",
					Description: "Text with {{ references }} in double braces, e.g. " +
						"Hello {{ profile@data.pii.firstname }}!",
					Component: plugin.FormComponent{Type: "textarea", Props: map[string]any{"label": "Template"}},
				}},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Template",
			Desc:    "Renders a text with placeholders filled from the payload, event, profile or session.",
			Type:    "flowNode",
			Icon:    "template",
			Group:   []string{"Data processing"},
			Tags:    []string{"template", "text", "string"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Numbers render in their shortest form, objects and lists as JSON, null and " +
					"missing values as nothing.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; the template can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{"template": {Desc: "{\"template\": \"the rendered text\"}."}},
			},
		},
	}
}
