package stats

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// counter adds a number to the value at a reference. Increment and
// Decrement are counters with the opposite sign.
type counter struct {
	plugin.ActionRunner
	spec *plugin.ConfigSpec
	by   string // config field holding the step: "increment" or "decrement"
	sign float64
	ref  dotpath.Ref
	step float64
}

func counterConfig(by, verb string) *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Field(plugin.NewRefField("field").Name("Counter").
			Description("A reference to the number to "+verb+", e.g. "+
				"profile@stats.counters.purchases. A missing counter starts at 0.").
			Initial("profile@aux.counters").Required().Writable().
			Component("dotPath", map[string]any{"label": "Field path", "defaultSourceValue": "profile"})).
		Field(plugin.NewFloatField(by).Name("By").
			Description("The number to "+verb+" the counter by, e.g. 1 or 0.5.").
			Initial(1).Required().Prop("label", "Step"))
}

var (
	incrementSpec = counterConfig("increment", "increment")
	decrementSpec = counterConfig("decrement", "decrement")
)

func (a *counter) setUp(config plugin.Config) error {
	c, err := a.spec.Parse(config)
	if err != nil {
		return err
	}
	a.ref, a.step = c.Ref("field"), c.Float(a.by)
	return nil
}

func (a *counter) run(payload plugin.Payload) (plugin.Results, error) {
	switch {
	case a.ref.Source == dotpath.SourceProfile && a.Profile == nil:
		a.Console.Warning("Counter %s not changed: this event has no profile.", a.ref)
		return plugin.Port("payload", payload), nil
	case a.ref.Source == dotpath.SourceSession && a.Session == nil:
		a.Console.Warning("Counter %s not changed: this event has no session.", a.ref)
		return plugin.Port("payload", payload), nil
	}
	s := a.Scope(payload)
	v, ok := s.Lookup(a.ref)
	if !ok {
		a.Console.Warning("Counter %s does not exist yet; it starts at 0.", a.ref)
	}
	n := 0.0
	if ok && v != nil {
		f, isNum := dotpath.ToFloat(v)
		if !isNum {
			return a.ErrorResult(fmt.Sprintf("Value of field %s is not numeric: it is %s.", a.ref, dotpath.TypeName(v)), "error"), nil
		}
		n = f
	}
	if err := s.Set(a.ref, n+a.sign*a.step); err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	if m, ok := s.Payload.(map[string]any); ok {
		payload = m
	}
	return plugin.Port("payload", payload), nil
}

// Increment adds a number to the value at a reference.
type Increment struct{ counter }

// SetUp reads the reference and the step.
func (a *Increment) SetUp(_ context.Context, config plugin.Config) error {
	a.spec, a.by, a.sign = incrementSpec, "increment", 1
	return a.setUp(config)
}

// Run increments the value.
func (a *Increment) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	return a.run(payload)
}

// Decrement subtracts a number from the value at a reference.
type Decrement struct{ counter }

// SetUp reads the reference and the step.
func (a *Decrement) SetUp(_ context.Context, config plugin.Config) error {
	a.spec, a.by, a.sign = decrementSpec, "decrement", -1
	return a.setUp(config)
}

// Run decrements the value.
func (a *Decrement) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	return a.run(payload)
}

func counterSpec(config *plugin.ConfigSpec, module, alias, class string) plugin.Spec {
	return plugin.Spec{
		Module:    module,
		Aliases:   []string{tracardi + alias},
		ClassName: class,
		Inputs:    []string{"payload"},
		Outputs:   []string{"payload", "error"},
		Config:    config,
		License:   "MIT",
		Version:   "1.0.0",
		Author:    "Tracflow",
	}
}

func counterDocs(verb string) *plugin.Documentation {
	return &plugin.Documentation{
		Tutorial: "A missing or null counter starts at 0 (a warning is logged when it is missing). " +
			"A value that is not a number is left alone and an error goes to the error port. On an " +
			"event without a profile (or session) a profile@ (session@) counter is skipped with a warning.",
		Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the counter may be in it as payload@..."}},
		Outputs: map[string]plugin.PortDoc{
			"payload": {Desc: "The input payload (with the counter " + verb + "ed when it is a payload@ counter)."},
			"error":   {Desc: "{\"message\": ...} when the value at the reference is not a number."},
		},
	}
}

// RegisterIncrement describes the Increment counter plugin.
func RegisterIncrement() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &Increment{} },
		Spec: counterSpec(incrementSpec, "tracflow.stats.increment", "increment_action", "IncrementAction"),
		MetaData: plugin.MetaData{
			Name:          "Increment counter",
			Desc:          "Adds a number to a counter, e.g. in the profile.",
			Type:          "flowNode",
			Icon:          "plus",
			Group:         []string{"Stats"},
			Tags:          []string{"counter", "increment", "stats"},
			Purpose:       []string{"collection", "segmentation"},
			Documentation: counterDocs("increment"),
		},
	}
}

// RegisterDecrement describes the Decrement counter plugin.
func RegisterDecrement() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &Decrement{} },
		Spec: counterSpec(decrementSpec, "tracflow.stats.decrement", "decrement_action", "DecrementAction"),
		MetaData: plugin.MetaData{
			Name:          "Decrement counter",
			Desc:          "Subtracts a number from a counter, e.g. in the profile.",
			Type:          "flowNode",
			Icon:          "minus",
			Group:         []string{"Stats"},
			Tags:          []string{"counter", "decrement", "stats"},
			Purpose:       []string{"collection", "segmentation"},
			Documentation: counterDocs("decrement"),
		},
	}
}
