package flow

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
)

// Start is the entry node of a collection flow. It emits an empty payload,
// or nothing when the event's type is not one it accepts.
type Start struct {
	plugin.ActionRunner
	eventTypes []string
}

// tracardiKey declares a key Tracardi's start node keeps in its config; the
// editor does not show it and the node does not use it.
func tracardiKey(id string, def any) *plugin.FieldSpec {
	return plugin.NewAnyField(id).Default(def).Hidden().
		Description("Kept for flows exchanged with Tracardi; not used.")
}

var startSpec = plugin.NewConfigSpec().
	Field(tracardiKey("debug", false)).
	Field(plugin.NewListField("event_types").Name("Start only for these event types").
		Description("The flow starts only when the event's type is one of these. "+
			"Leave the list empty to start the flow for every event.").
		Component("eventTypes", map[string]any{"label": "Event types"})).
	Field(tracardiKey("properties", "{}")).
	Field(tracardiKey("event_id", nil)).
	Field(tracardiKey("profile_id", nil)).
	Field(tracardiKey("session_id", nil)).
	Field(tracardiKey("event_type", map[string]any{"id": "", "name": ""}))

// SetUp reads the accepted event types: a list of {"id", "name"} objects
// (the editor's format) or of plain event type names.
func (a *Start) SetUp(_ context.Context, config plugin.Config) error {
	c, err := startSpec.Parse(config)
	if err != nil {
		return err
	}
	a.eventTypes = c.Strings("event_types")
	return nil
}

// Run emits the flow's starting payload ({}), unless the node accepts only
// some event types and this event is not one of them.
func (a *Start) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if len(a.eventTypes) > 0 {
		t := a.Event.Type()
		accepted := false
		for _, et := range a.eventTypes {
			if et == t {
				accepted = true
				break
			}
		}
		if !accepted {
			return nil, nil
		}
	}
	if payload == nil {
		payload = plugin.Payload{}
	}
	return plugin.Port("payload", payload), nil
}

// RegisterStart describes the Start plugin.
func RegisterStart() plugin.Plugin {
	return plugin.Plugin{
		Start: true,
		New:   func() plugin.Action { return &Start{} },
		Spec: plugin.Spec{
			Module:    "tracflow.flow.start",
			Aliases:   []string{tracardi + "flow.start.start_action"},
			ClassName: "StartAction",
			Inputs:    []string{},
			Outputs:   []string{"payload"},
			Config:    startSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:     "Start",
			Desc:     "Starts the workflow; can be limited to some event types.",
			Type:     "startNode",
			Icon:     "event",
			Group:    []string{"Flow"},
			Keywords: []string{"start node"},
			Tags:     []string{"start", "event"},
			Purpose:  []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "The first node of a flow. It emits an empty object on its payload port for every " +
					"event the flow runs for. When `event_types` lists event types, events of other types " +
					"end the flow here without an error. Tracardi's debugging settings of this node " +
					"(`debug`, `event_id`, `profile_id`, `session_id`, `properties`) are kept in the " +
					"config but not used: debug runs use the event they are given.",
				Inputs: map[string]plugin.PortDoc{},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "An empty object, once per event the flow accepts."},
				},
			},
		},
	}
}
