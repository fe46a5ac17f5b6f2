package flow

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
)

// End ends a branch of the flow. It has no outputs.
type End struct{}

// Run does nothing: the branch ends here.
func (End) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	return nil, nil
}

// RegisterEnd describes the End plugin.
func RegisterEnd() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return End{} },
		Spec: plugin.Spec{
			Module:    "tracflow.flow.end",
			Aliases:   []string{tracardi + "end_action"},
			ClassName: "EndAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{},
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "End",
			Desc:    "Ends this branch of the workflow.",
			Type:    "startNode",
			Icon:    "stop",
			Group:   []string{"Flow"},
			Tags:    []string{"end", "stop"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; it goes no further."}},
				Outputs: map[string]plugin.PortDoc{},
			},
		},
	}
}
