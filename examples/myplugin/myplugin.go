// Package myplugin is the plugin built step by step in docs/plugins.md: it
// checks whether the event is of type "my-event" and sends the payload on
// the MyEvent port, or an empty payload on the NotMyEvent port.
package myplugin

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
)

// MyPlugin is the action. Embedding plugin.ActionRunner gives it the run
// state: p.Event, p.Profile, p.Session, p.Flow, p.Console, p.Memory, p.Node.
type MyPlugin struct {
	plugin.ActionRunner
}

// Run is called for every payload that reaches the node.
func (p *MyPlugin) Run(ctx context.Context, payload plugin.Payload, in *plugin.Edge) (plugin.Results, error) {
	if p.Event.Type() == "my-event" {
		return plugin.Port("MyEvent", payload), nil
	}
	return plugin.Port("NotMyEvent", plugin.Payload{}), nil
}
