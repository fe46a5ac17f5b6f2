package myplugin

import "github.com/tracflow/tracflow/plugin"

// Register describes the plugin to Tracflow.
func Register() plugin.Plugin {
	return plugin.Plugin{
		Spec: plugin.Spec{
			Module:    "example.myplugin",
			ClassName: "MyPlugin",
			Inputs:    []string{"payload"},
			Outputs:   []string{"MyEvent", "NotMyEvent"},
			Version:   "1.0.0",
			License:   "MIT",
			Author:    "Your Name",
		},
		MetaData: plugin.MetaData{
			Name:  "My first plugin",
			Desc:  "Checks if the event type is equal to my-event.",
			Group: []string{"Test plugin"},
			Icon:  "plugin",
			Type:  "flowNode",
			Documentation: plugin.Documented(
				plugin.Ports{"payload": "Any payload."},
				plugin.Ports{
					"MyEvent":    "The input payload, when the event is of type my-event.",
					"NotMyEvent": "An empty payload, for any other event.",
				},
			),
		},
		New: func() plugin.Action { return &MyPlugin{} },
	}
}
