package data

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Template renders a text template and emits {"template": text}.
type Template struct {
	plugin.ActionRunner
	tpl *dotpath.Template
}

var templateSpec = plugin.NewConfigSpec().
	Group("Template", "").
	Field(plugin.NewTemplateField("template").Name("Template").
		Description("Text with {{ references }} in double braces, e.g. " +
			"Hello {{ profile@data.pii.firstname }}!"))

// SetUp compiles the template.
func (a *Template) SetUp(_ context.Context, config plugin.Config) error {
	c, err := templateSpec.Parse(config)
	if err != nil {
		return err
	}
	a.tpl = c.Template("template")
	return nil
}

// Run renders the template.
func (a *Template) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	text, err := a.tpl.RenderStrict(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
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
			Config:    templateSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
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
				Tutorial: "Numbers render in their shortest form, objects and lists as JSON, null as " +
					"nothing. A placeholder whose path does not exist (a missing key, or profile@ on an " +
					"event without a profile) fails the node with an error naming the path, as " +
					"Tracardi's templates do.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; the template can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{"template": {Desc: "{\"template\": \"the rendered text\"}."}},
			},
		},
	}
}
