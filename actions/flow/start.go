package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

// Start is the entry node of a collection flow. It emits an empty payload,
// or nothing when the event's type is not one it accepts.
type Start struct {
	plugin.ActionRunner
	eventTypes []string
}

type startConfig struct {
	EventTypes []json.RawMessage `json:"event_types"`
	types      []string
}

// Check reads event_types: a list of {"id", "name"} objects (the editor's
// format) or of plain event type names.
func (c *startConfig) Check() error {
	for i, raw := range c.EventTypes {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return plugin.FieldErr(fmt.Sprintf("event_types.%d", i), "is not valid JSON: %v", err)
		}
		var id string
		switch x := v.(type) {
		case nil:
			continue
		case string:
			id = x
		case map[string]any:
			s, ok := x["id"].(string)
			if !ok || strings.TrimSpace(s) == "" {
				s, _ = x["name"].(string)
			}
			id = s
		default:
			return plugin.FieldErr(fmt.Sprintf("event_types.%d", i), "expected an event type name or an object {\"id\", \"name\"}, got %s", raw)
		}
		if id = strings.TrimSpace(id); id != "" {
			c.types = append(c.types, id)
		}
	}
	return nil
}

// SetUp reads the accepted event types.
func (a *Start) SetUp(_ context.Context, config plugin.Config) error {
	var c startConfig
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	a.eventTypes = c.types
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
			Init: plugin.Config{
				"debug":       false,
				"event_types": []any{},
				"properties":  "{}",
				"event_id":    nil,
				"profile_id":  nil,
				"session_id":  nil,
				"event_type":  map[string]any{"id": "", "name": ""},
			},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Fields: []plugin.FormField{{
					ID:   "event_types",
					Name: "Start only for these event types",
					Description: "The flow starts only when the event's type is one of these. " +
						"Leave the list empty to start the flow for every event.",
					Component: plugin.FormComponent{Type: "eventTypes", Props: map[string]any{"label": "Event types"}},
				}},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
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
