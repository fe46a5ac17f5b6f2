package io

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/reshape"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
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
	tpl   *reshape.Template
	dest  string
	ref   notation.Ref
	scope scope.Scope
}

type injectConfig struct {
	Value       any    `json:"value"`
	Destination string `json:"destination"`
}

// SetUp parses the object and the destination.
func (a *Inject) SetUp(_ context.Context, config plugin.Config) error {
	c := injectConfig{Value: "{}", Destination: "payload"}
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	v, err := conf.JSON("value", c.Value)
	if err != nil {
		return err
	}
	if _, ok := v.(map[string]any); !ok {
		return plugin.FieldErr("value", "must be a JSON object, e.g. {\"name\": \"John\"}")
	}
	tpl, err := reshape.Compile(v, false)
	if err != nil {
		return plugin.FieldErr("value", "%v", err)
	}
	a.tpl, a.dest = tpl, strings.TrimSpace(c.Destination)
	if a.dest == "" {
		a.dest = "payload"
	}
	if a.dest != "payload" {
		path, ok := destinations[a.dest]
		if !ok {
			names := []string{"payload"}
			for k := range destinations {
				names = append(names, k)
			}
			sort.Strings(names)
			return plugin.FieldErr("destination", "%q is not a destination; use one of %s", c.Destination, strings.Join(names, ", "))
		}
		a.ref = notation.MustRef(path)
	}
	return nil
}

// Run builds the object and sends it out or writes it to its destination.
func (a *Inject) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if payload == nil {
		payload = plugin.Payload{}
	}
	s := a.scope.For(&a.ActionRunner, payload)
	v, err := a.tpl.Apply(s)
	if err != nil {
		return nil, fmt.Errorf("inject: %w", err)
	}
	if a.dest == "payload" {
		m, _ := v.(map[string]any)
		return plugin.Port("payload", m), nil
	}
	switch {
	case a.ref.Source == notation.SourceProfile && a.Profile == nil:
		a.Console.Warning("Nothing injected into %s: this event has no profile.", a.dest)
	case a.ref.Source == notation.SourceSession && a.Session == nil:
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
	items := map[string]any{
		"payload":           "Payload",
		"event-properties":  "Event properties",
		"profile-pii":       "Profile PII",
		"profile-traits":    "Profile traits",
		"profile-interests": "Profile interests",
		"profile-counters":  "Profile counters",
		"profile-consents":  "Profile consents",
		"session-context":   "Session context",
	}
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
			Init:      plugin.Config{"value": "{}", "destination": "payload"},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Data to inject",
				Fields: []plugin.FormField{
					{
						ID:   "value",
						Name: "Object to inject",
						Description: "A JSON object. String values that are references (profile@..., " +
							"event@...) are replaced by what they point to.",
						Component: plugin.FormComponent{Type: "json", Props: map[string]any{"label": "Object"}},
					},
					{
						ID:          "destination",
						Name:        "Inject into",
						Description: "Where the object goes: out on the payload port, or into the event, profile or session.",
						Component:   plugin.FormComponent{Type: "select", Props: map[string]any{"label": "Destination", "items": items}},
					},
				},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
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
