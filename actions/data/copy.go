package data

import (
	"context"
	"fmt"
	"sort"

	"github.com/tracflow/tracflow/actions/internal/conf"
	"github.com/tracflow/tracflow/actions/internal/scope"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Copy sets values at references: each target gets a copy of the value its
// source points to (or the literal the source holds).
type Copy struct {
	plugin.ActionRunner
	sets  []copySet
	scope scope.Scope
}

type copySet struct {
	target notation.Ref
	source notation.Value
}

type copyConfig struct {
	Traits struct {
		Set map[string]any `json:"set"`
	} `json:"traits"`
}

// SetUp compiles the target and source of every copy. Copies run in the
// order of their targets' text, so a parent object is set before a key
// inside it.
func (a *Copy) SetUp(_ context.Context, config plugin.Config) error {
	var c copyConfig
	if err := plugin.Decode(config, &c); err != nil {
		return err
	}
	targets := make([]string, 0, len(c.Traits.Set))
	for t := range c.Traits.Set {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	a.sets = a.sets[:0]
	for _, t := range targets {
		field := "traits.set." + t
		ref, err := conf.Target(field, t, false)
		if err != nil {
			return err
		}
		var src notation.Value
		switch v := c.Traits.Set[t].(type) {
		case string:
			if src, err = conf.Value(field, v); err != nil {
				return err
			}
		default:
			src = notation.LiteralValue(v)
		}
		a.sets = append(a.sets, copySet{target: ref, source: src})
	}
	return nil
}

// Run copies the values and passes the payload on (with the changes made to
// payload@).
func (a *Copy) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.scope.For(&a.ActionRunner, payload)
	for _, set := range a.sets {
		if !writable(&a.ActionRunner, set.target, "Copy") {
			continue
		}
		v, err := set.source.Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("copy to %s: %w", set.target, err)
		}
		if err := s.Set(set.target, notation.DeepCopy(v)); err != nil {
			return nil, fmt.Errorf("copy to %s: %w", set.target, err)
		}
	}
	return plugin.Port("payload", payloadOf(s, payload)), nil
}

// RegisterCopy describes the Copy data plugin.
func RegisterCopy() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Copy{} },
		Spec: plugin.Spec{
			Module:    "tracflow.data.copy",
			Aliases:   []string{tracardi + "traits.copy_trait_action"},
			ClassName: "CopyTraitAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload", "error"},
			Init:      plugin.Config{"traits": map[string]any{"set": map[string]any{}}},
			Form: &plugin.Form{Groups: []plugin.FormGroup{{
				Name: "Copy data",
				Fields: []plugin.FormField{{
					ID:   "traits",
					Name: "Copy or set values",
					Description: "Pairs of target and source. The target is a reference to write to " +
						"(profile@traits.city); the source is a reference to read (event@properties.city) " +
						"or a value to set.",
					Component: plugin.FormComponent{Type: "copyTraitsInput", Props: map[string]any{
						"actions":       map[string]any{"set": "Set to"},
						"defaultAction": "set",
						"defaultSource": "event@properties",
						"defaultTarget": "profile@traits",
					}},
				}},
			}}},
			License: "MIT",
			Version: "1.0.0",
			Author:  "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Copy data",
			Desc:    "Copies values between references, e.g. event properties to profile traits.",
			Type:    "flowNode",
			Icon:    "copy",
			Group:   []string{"Data processing"},
			Tags:    []string{"profile", "event", "traits", "copy", "set", "data"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Config: {\"traits\": {\"set\": {\"profile@traits.city\": \"event@properties.city\"}}}. " +
					"Sources may be references, literals or backtick casts (\"`true`\", \"`12`\"); objects " +
					"and lists are copied, never shared. Missing objects on the way to a target are " +
					"created. Targets in the event are skipped with a warning (events do not change), as " +
					"are profile or session targets when the event has none. A source that finds nothing " +
					"is an error, sent to the error port.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; sources and targets can use it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The input payload, with any payload@ targets set."},
					"error":   {Desc: "{\"message\": ...} when a source is missing or a target cannot be written."},
				},
			},
		},
	}
}
