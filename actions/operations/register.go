package operations

import "github.com/tracflow/tracflow/plugin"

// def is what a plugin of this group declares; register makes the record.
type def struct {
	new     func() plugin.Action
	module  string // Tracflow's id, after "tracflow.operations."
	alias   string // Tracardi's module, after "tracardi.process_engine.action.v1."
	class   string
	outputs []string
	config  *plugin.ConfigSpec
	name    string
	desc    string
	icon    string
	tags    []string
	manual  string // the tutorial text of the reference docs
	input   string
	ports   plugin.Ports
}

func register(d def) plugin.Plugin {
	return plugin.Plugin{
		New: d.new,
		Spec: plugin.Spec{
			Module:    "tracflow.operations." + d.module,
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
			Group:   []string{"Operations"},
			Tags:    d.tags,
			Purpose: []string{"collection", "segmentation"},
			Documentation: func() *plugin.Documentation {
				doc := plugin.Documented(plugin.Ports{"payload": d.input}, d.ports)
				doc.Tutorial = d.manual
				return doc
			}(),
		},
	}
}
