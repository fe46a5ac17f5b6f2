package io

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// destinations maps Inject's destination names to where the data goes;
// "payload" sends it out on the port instead.
var destinations = map[string]string{
	"event-properties":  "event@properties",
	"profile-pii":       "profile@data.pii",
	"profile-traits":    "profile@traits",
	"profile-interests": "profile@interests",
	"profile-counters":  "profile@stats.counters",
	"profile-consents":  "profile@consents",
	"session-context":   "session@context",
}

// Inject is a start node for debugging: it starts the flow with a fixed
// object, or writes that object into the event, profile or session. It runs
// only in debug runs.
type Inject struct {
	plugin.ActionRunner
	tpl  *dotpath.Object
	dest string
	ref  dotpath.Ref
}

var injectSpec = plugin.NewConfigSpec().
	Group("Data to inject", "").
	Field(plugin.NewJSONField("value").Name("Object to inject").
		Description("A JSON object. String values that are references (profile@..., "+
			"event@...) are replaced by what they point to.").
		Default("{}").Required().ObjectOnly().Prop("label", "Object")).
	Field(plugin.NewEnumField("destination",
		plugin.Option{Value: "payload", Label: "Payload"},
		plugin.Option{Value: "event-properties", Label: "Event properties"},
		plugin.Option{Value: "profile-pii", Label: "Profile PII"},
		plugin.Option{Value: "profile-traits", Label: "Profile traits"},
		plugin.Option{Value: "profile-interests", Label: "Profile interests"},
		plugin.Option{Value: "profile-counters", Label: "Profile counters"},
		plugin.Option{Value: "profile-consents", Label: "Profile consents"},
		plugin.Option{Value: "session-context", Label: "Session context"},
	).Name("Inject into").
		Description("Where the object goes: out on the payload port, or into the event, profile or session.").
		Default("payload").Prop("label", "Destination"))

// SetUp compiles the object and the destination.
func (a *Inject) SetUp(_ context.Context, config plugin.Config) error {
	c, err := injectSpec.Parse(config)
	if err != nil {
		return err
	}
	tpl, err := dotpath.CompileObject(c.Object("value"), false)
	if err != nil {
		return plugin.FieldErr("value", "%v", err)
	}
	a.tpl, a.dest = tpl, c.String("destination")
	if a.dest != "payload" {
		a.ref = dotpath.MustRef(destinations[a.dest])
	}
	return nil
}

// Run builds the object and sends it out or writes it to its destination.
func (a *Inject) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if payload == nil {
		payload = plugin.Payload{}
	}
	s := a.Scope(payload)
	v, err := a.tpl.Apply(s)
	if err != nil {
		return nil, fmt.Errorf("inject: %w", err)
	}
	if a.dest == "payload" {
		m, _ := v.(map[string]any)
		return plugin.Port("payload", m), nil
	}
	switch {
	case a.ref.Source == dotpath.SourceProfile && a.Profile == nil:
		a.Console.Warning("Nothing injected into %s: this event has no profile.", a.dest)
	case a.ref.Source == dotpath.SourceSession && a.Session == nil:
		a.Console.Warning("Nothing injected into %s: this event has no session.", a.dest)
	default:
		if err := s.Set(a.ref, v); err != nil {
			return nil, fmt.Errorf("inject: %w", err)
		}
	}
	return plugin.Port("payload", plugin.Payload{}), nil
}

// RegisterInject describes the Inject plugin.
func RegisterInject() plugin.Plugin {
	return plugin.Plugin{
		Start: true,
		Debug: true,
		New:   func() plugin.Action { return &Inject{} },
		Spec: plugin.Spec{
			Module:    "tracflow.io.inject",
			Aliases:   []string{tracardi + "inject_action"},
			ClassName: "InjectAction",
			Inputs:    []string{},
			Outputs:   []string{"payload"},
			Config:    injectSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:     "Inject",
			Desc:     "Starts a debug run with a fixed object, in the payload or in the event, profile or session.",
			Type:     "startNode",
			Icon:     "json",
			Group:    []string{"Input/Output"},
			Keywords: []string{"start node"},
			Tags:     []string{"debug", "inject", "start"},
			Purpose:  []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "A start node that runs only in debug runs (`tracflow flow run --debug`, the " +
					"editor's debugger); production runs skip it. A reference in the object that finds " +
					"nothing fails the node. With a destination other than payload the object replaces " +
					"that part of the event, profile or session (a warning when the event has no profile " +
					"or session) and the port emits {}.",
				Inputs: map[string]plugin.PortDoc{},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The object, when injected into the payload; {} otherwise."},
				},
			},
		},
	}
}
