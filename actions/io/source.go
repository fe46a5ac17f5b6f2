package io

import (
	"context"
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
)

// EventSource loads the source the event came from.
type EventSource struct{ plugin.ActionRunner }

// Run loads the source.
func (a *EventSource) Run(ctx context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	fail := func(msg string) (plugin.Results, error) {
		a.Console.Error("%s", msg)
		return plugin.Port("error", plugin.Payload{"message": msg}), nil
	}
	data, err := a.StoredData()
	if err != nil {
		return fail(err.Error())
	}
	src, _ := a.Event["source"].(map[string]any)
	id, _ := src["id"].(string)
	if id == "" {
		return fail("The event names no source.")
	}
	doc, err := data.Source(ctx, id)
	if errors.Is(err, plugin.ErrNotFound) {
		return fail(fmt.Sprintf("Source `%s` does not exist.", id))
	}
	if err != nil {
		return nil, err
	}
	return plugin.Port("source", plugin.Payload(doc)), nil
}

// RegisterEventSource describes the Get event source plugin.
func RegisterEventSource() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &EventSource{} },
		Spec: plugin.Spec{
			Module: "tracflow.io.event_source", Aliases: []string{tracardi + "internal.event_source_fetcher.plugin"},
			ClassName: "EventSourceFetcherAction", Inputs: []string{"payload"}, Outputs: []string{"source", "error"},
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Get event source", Desc: "Loads the event source the event came from.",
			Type: "flowNode", Icon: "inbound", Keywords: []string{"input"}, Group: []string{"Input/Output"},
			Tags: []string{"source", "input"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Emits the stored event source named by event@source.id: its id, name, type, " +
					"description, tags, enabled flag and the rest of its settings. A source that no longer " +
					"exists, and runs without storage (tracflow flow run), send an error.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it only triggers the node."}},
				Outputs: map[string]plugin.PortDoc{
					"source": {Desc: "The event source, as a JSON object."},
					"error":  {Desc: "{\"message\": ...} when the source is missing or there is no storage."},
				},
			},
		},
	}
}
