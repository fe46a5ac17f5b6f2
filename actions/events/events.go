package events

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

// noStorage reports a run without storage as the node's error (these
// plugins have no error port).
func noStorage(err error) (plugin.Results, error) {
	return nil, fmt.Errorf("this node reads stored records: %w", err)
}

var injectEventSpec = plugin.NewConfigSpec().
	Group("Event id", "").
	Field(plugin.NewStringField("event_id").Name("Event id").
		Description("The id of the stored event to put into the payload.").Initial(nil).Required().Prop("label", "Event id"))

// InjectEvent replaces the payload with a stored event.
type InjectEvent struct {
	plugin.ActionRunner
	id string
}

// SetUp reads the id.
func (a *InjectEvent) SetUp(_ context.Context, config plugin.Config) error {
	c, err := injectEventSpec.Parse(config)
	if err != nil {
		return err
	}
	a.id = strings.TrimSpace(c.String("event_id"))
	if a.id == "" {
		return plugin.FieldErr("event_id", "is empty: give the id of a stored event")
	}
	return nil
}

// Run loads the event into the payload.
func (a *InjectEvent) Run(ctx context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	data, err := a.StoredData()
	if err != nil {
		return noStorage(err)
	}
	ev, err := data.Event(ctx, a.id)
	if errors.Is(err, plugin.ErrNotFound) {
		a.Console.Warning("Event id `%s` does not exist.", a.id)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return plugin.Port("payload", plugin.Payload(ev)), nil
}

// RegisterInjectEvent describes the Inject event plugin.
func RegisterInjectEvent() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &InjectEvent{} },
		Spec: plugin.Spec{
			Module: "tracflow.events.inject_event", Aliases: []string{tracardi + "internal.inject_event.plugin"},
			ClassName: "InjectEvent", Inputs: []string{"payload"}, Outputs: []string{"payload"}, Config: injectEventSpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Inject event", Desc: "Loads a stored event by id and sends it on as the payload.",
			Type: "flowNode", Icon: "json", Group: []string{"Events"},
			Tags: []string{"load", "new", "add", "create", "data"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Whatever payload arrives, the node loads the stored event with the given id and sends " +
					"it down the flow as the payload; put it after Start to replay a stored event in the " +
					"editor's debugger. An id that is not stored logs a warning and the node emits nothing. " +
					"Runs without storage (tracflow flow run) stop with a \"no storage attached\" error. " +
					"Differences from Tracardi: Tracardi marks the node as a debug start node; Tracflow runs it " +
					"as a plain node wherever a payload reaches it, in debug and production runs alike.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; it only triggers the node."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The stored event, as a JSON object."}},
			},
		},
	}
}

// maxOffset is how far back the previous event and session plugins look.
const maxOffset = 10

var prevEventSpec = plugin.NewConfigSpec().
	Group("Event", "").
	Field(plugin.NewAnyField("event_type").Name("Event type").
		Description("The type of event to load, as {\"id\": type, \"name\": type} or a plain type; @current "+
			"means the type of the event being processed.").
		Default(map[string]any{"id": "@current", "name": "@current"}).
		Component("eventType", map[string]any{"label": "Event type", "props": map[string]any{
			"defaultValueSet": []any{map[string]any{"id": "@current", "name": "@current"}}, "onlyValueWithOptions": false}})).
	Field(plugin.NewIntField("offset").Name("Offset").
		Description("Which event, counted back from the current one: 0 is the current event, -1 the one "+
			"before it, down to -10.").Default(-1).Min(-maxOffset).Max(0).Prop("label", "Offset"))

// PreviousEvent loads an earlier event of the profile.
type PreviousEvent struct {
	plugin.ActionRunner
	typ    string // "" for @current
	offset int
}

// SetUp reads the type and the offset.
func (a *PreviousEvent) SetUp(_ context.Context, config plugin.Config) error {
	c, err := prevEventSpec.Parse(config)
	if err != nil {
		return err
	}
	switch v := c.Any("event_type").(type) {
	case string:
		a.typ = v
	case map[string]any:
		a.typ, _ = v["id"].(string)
	default:
		return plugin.FieldErr("event_type", "must be {\"id\": \"<event type>\"} or an event type")
	}
	a.typ = strings.TrimSpace(a.typ)
	if a.typ == "" {
		return plugin.FieldErr("event_type", "is empty: name an event type or @current")
	}
	if a.typ == "@current" {
		a.typ = ""
	}
	a.offset = c.Int("offset")
	return nil
}

// Run finds the event.
func (a *PreviousEvent) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	data, err := a.StoredData()
	if err != nil {
		return noStorage(err)
	}
	typ := a.typ
	if typ == "" {
		typ = a.Event.Type()
	}
	n := -a.offset
	// The current event counts as 0 when it is of the type; the stored
	// ones (which may include it, in debug runs of a stored event) follow.
	var list []plugin.Event
	if a.Event != nil && a.Event.Type() == typ {
		list = append(list, a.Event)
	}
	if n >= len(list) {
		q := plugin.EventQuery{Type: typ, Limit: n + 2}
		if a.Profile != nil {
			q.ProfileID = a.Profile.ID()
		}
		stored, err := data.LastEvents(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, ev := range stored {
			if a.Event == nil || ev.ID() != a.Event.ID() {
				list = append(list, ev)
			}
		}
	}
	if n >= len(list) {
		return plugin.Port("not_found", payload), nil
	}
	return plugin.Port("found", plugin.Payload(list[n])), nil
}

// RegisterPreviousEvent describes the Get previous event plugin.
func RegisterPreviousEvent() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &PreviousEvent{} },
		Spec: plugin.Spec{
			Module: "tracflow.events.previous_event", Aliases: []string{tracardi + "internal.get_prev_event.plugin"},
			ClassName: "PreviousEventGetter", Inputs: []string{"payload"}, Outputs: []string{"found", "not_found"},
			Config: prevEventSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Get previous event", Desc: "Loads an earlier event of the profile, of a type, into the payload.",
			Type: "flowNode", Icon: "previous", Group: []string{"Events"},
			Tags: []string{"previous", "last"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Events of the type are counted back from the current one, newest first by the time they " +
					"were stored: offset 0 is the current event (when it is of the type), -1 the one before it. " +
					"A profile-less event looks among profile-less events. Runs without storage (tracflow flow " +
					"run) stop with a \"no storage attached\" error. Differences from Tracardi: Tracardi counts " +
					"the offset from the oldest of the last 11 events; Tracflow counts back from the current " +
					"one, as Tracardi's documentation says.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"found":     {Desc: "The event found, as a JSON object."},
					"not_found": {Desc: "The input payload, when there is no such event."},
				},
			},
		},
	}
}

var prevSessionSpec = plugin.NewConfigSpec().
	Group("Session", "").
	Field(plugin.NewIntField("offset").Name("Session offset").
		Description("Which session, counted back from the current one: -1 is the session before the current "+
			"one, -2 the one before that, down to -10; 0 is the current session.").
		Default(-1).Min(-maxOffset).Max(0).Prop("label", "Offset"))

// PreviousSession loads an earlier session of the profile.
type PreviousSession struct {
	plugin.ActionRunner
	offset int
}

// SetUp reads the offset.
func (a *PreviousSession) SetUp(_ context.Context, config plugin.Config) error {
	c, err := prevSessionSpec.Parse(config)
	if err != nil {
		return err
	}
	a.offset = c.Int("offset")
	return nil
}

// Run finds the session.
func (a *PreviousSession) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Warning("Can not find the previous session of a profile-less event.")
		return plugin.Port("not_found", payload), nil
	}
	n := -a.offset
	if n == 0 {
		if a.Session == nil {
			return plugin.Port("not_found", payload), nil
		}
		return plugin.Port("found", plugin.Payload(a.Session)), nil
	}
	data, err := a.StoredData()
	if err != nil {
		return noStorage(err)
	}
	stored, err := data.LastSessions(ctx, a.Profile.ID(), n+1)
	if err != nil {
		return nil, err
	}
	var list []plugin.Session
	for _, s := range stored {
		if a.Session == nil || s.ID() != a.Session.ID() {
			list = append(list, s)
		}
	}
	if n > len(list) {
		return plugin.Port("not_found", payload), nil
	}
	return plugin.Port("found", plugin.Payload(list[n-1])), nil
}

// RegisterPreviousSession describes the Get previous session plugin.
func RegisterPreviousSession() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &PreviousSession{} },
		Spec: plugin.Spec{
			Module: "tracflow.events.previous_session", Aliases: []string{tracardi + "internal.get_prev_session.plugin"},
			ClassName: "PreviousSessionAction", Inputs: []string{"payload"}, Outputs: []string{"found", "not_found"},
			Config: prevSessionSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Get previous session", Desc: "Loads an earlier session of the profile into the payload.",
			Type: "flowNode", Icon: "previous", Group: []string{"Sessions"},
			Tags: []string{"last", "previous", "session"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The profile's stored sessions are counted back from the current one, newest first by " +
					"the time they started. A profile-less event goes to not_found with a warning. Runs without " +
					"storage (tracflow flow run) stop with a \"no storage attached\" error. Differences from " +
					"Tracardi: -1 is always the session before the current one (Tracardi's answer depends on " +
					"whether the current session was stored yet), and 0 is the current session.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"found":     {Desc: "The session found, as a JSON object."},
					"not_found": {Desc: "The input payload, when there is no such session."},
				},
			},
		},
	}
}
