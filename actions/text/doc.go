// Package text holds the palette group "String": Tracardi's string plugins
// (replace, strip, split, join, case properties, prefix, suffix, substring
// and pattern checks, data validation, string to date and string
// similarity), under Tracardi's module names.
package text

import (
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

// group is the palette group of the package's plugins.
const group = "String"

// def is what differs between the package's register records.
type def struct {
	id, alias, class string
	outputs          []string
	config           *plugin.ConfigSpec
	name, desc, icon string
	tags             []string
	tutorial         string
	inputDoc         string
	outputDocs       map[string]string
	newAction        func() plugin.Action
}

func (d def) plugin() plugin.Plugin {
	outs := map[string]plugin.PortDoc{}
	for port, desc := range d.outputDocs {
		outs[port] = plugin.PortDoc{Desc: desc}
	}
	in := d.inputDoc
	if in == "" {
		in = "Any object; the configured references may read it as payload@..."
	}
	return plugin.Plugin{
		New: d.newAction,
		Spec: plugin.Spec{
			Module:    "tracflow.string." + d.id,
			Aliases:   []string{tracardi + d.alias},
			ClassName: d.class,
			Inputs:    []string{"payload"},
			Outputs:   d.outputs,
			Config:    d.config,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    d.name,
			Desc:    d.desc,
			Type:    "flowNode",
			Icon:    d.icon,
			Group:   []string{group},
			Tags:    append([]string{"string"}, d.tags...),
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: d.tutorial,
				Inputs:   map[string]plugin.PortDoc{"payload": {Desc: in}},
				Outputs:  outs,
			},
		},
	}
}

// valueField declares a field that holds a reference (event@properties.x)
// or the text itself, as Tracardi's dot accessor reads it.
func valueField(id, name, desc, source string) *plugin.FieldSpec {
	return plugin.NewValueField(id).Name(name).Description(desc).
		Component("dotPath", map[string]any{"label": name, "defaultSourceValue": source})
}

// resolve reads a value field.
func resolve(s *dotpath.Scope, field string, v dotpath.Value) (any, error) {
	x, err := v.Resolve(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return x, nil
}

// resolveText reads a value field that must hold text.
func resolveText(s *dotpath.Scope, field string, v dotpath.Value) (string, error) {
	x, err := resolve(s, field, v)
	if err != nil {
		return "", err
	}
	str, ok := x.(string)
	if !ok {
		return "", fmt.Errorf("%s: %s is %s, not text", field, v, dotpath.TypeName(x))
	}
	return str, nil
}
