package data

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Copy sets values at references: each target gets a copy of the value its
// source points to (or the literal the source holds).
type Copy struct {
	plugin.ActionRunner
	sets []plugin.Mapping
}

// copySets reads the pairs held in traits.set.
var copySets = plugin.NewMappingField("traits.set").Writable()

var copySpec = plugin.NewConfigSpec().
	Group("Copy data", "").
	Field(plugin.NewObjectField("traits").Name("Copy or set values").
		Description("Pairs of target and source. The target is a reference to write to "+
			"(profile@traits.city); the source is a reference to read (event@properties.city) "+
			"or a value to set.").
		Default(map[string]any{"set": map[string]any{}}).
		Component("copyTraitsInput", map[string]any{
			"actions":       map[string]any{"set": "Set to"},
			"defaultAction": "set",
			"defaultSource": "event@properties",
			"defaultTarget": "profile@traits",
		}))

// SetUp compiles the target and source of every copy. Copies run in the
// order of their targets' text, so a parent object is set before a key
// inside it.
func (a *Copy) SetUp(_ context.Context, config plugin.Config) error {
	c, err := copySpec.Parse(config)
	if err != nil {
		return err
	}
	sets, err := copySets.Read(c.Object("traits")["set"])
	if err != nil {
		return err
	}
	a.sets = sets.([]plugin.Mapping)
	return nil
}

// Run copies the values and passes the payload on (with the changes made to
// payload@).
func (a *Copy) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	for _, set := range a.sets {
		if !writable(&a.ActionRunner, set.Target, "Copy") {
			continue
		}
		v, err := set.Source.Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("copy to %s: %w", set.Target, err)
		}
		if err := s.Set(set.Target, dotpath.DeepCopy(v)); err != nil {
			return nil, fmt.Errorf("copy to %s: %w", set.Target, err)
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
			Config:    copySpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
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
