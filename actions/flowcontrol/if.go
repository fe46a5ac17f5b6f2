package flowcontrol

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/tql"
)

// If sends its payload to "true" or "false" by a TQL condition.
type If struct {
	plugin.ActionRunner
	cond        *tql.Condition
	passPayload bool
	triggerOnce bool
	ttl         time.Duration
}

var ifSpec = plugin.NewConfigSpec().
	Group("Condition", "").
	Field(plugin.NewConditionField("condition").Name("Condition").
		Description("A TQL condition, e.g. event@type == \"purchase\" AND profile@stats.visits > 2. " +
			"When it holds, the payload goes out on the true port, otherwise on the false port.").
		Required()).
	Field(plugin.NewBoolField("pass_payload").Name("Pass the payload on").
		Description("On: the ports carry the input payload. Off: they carry {\"result\": true} "+
			"or {\"result\": false}.").
		Default(true).Prop("label", "Return the input payload")).
	Field(plugin.NewBoolField("trigger_once").Name("Fire only when the result changes").
		Description("On: a port fires only when the condition's result differs from the one "+
			"that fired last time for this profile; otherwise nothing fires. The last result is "+
			"kept in the profile (aux.thresholds).").
		Prop("label", "Trigger once per change")).
	Field(plugin.NewDurationField("ttl").Name("Fire again after (seconds)").
		Description("With the option above: after this many seconds the same result fires "+
			"again; 0 means never. Must be 0 or more.").
		Default(0).Prop("label", "Seconds"))

// SetUp compiles the condition.
func (a *If) SetUp(_ context.Context, config plugin.Config) error {
	c, err := ifSpec.Parse(config)
	if err != nil {
		return err
	}
	a.cond, a.passPayload, a.triggerOnce = c.Condition("condition"), c.Bool("pass_payload"), c.Bool("trigger_once")
	a.ttl = c.Duration("ttl")
	return nil
}

// Run evaluates the condition against the payload and the run state.
func (a *If) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	ok, err := a.cond.Eval(a.Scope(payload))
	if err != nil {
		return nil, err
	}
	// Trigger once: fire only when the result differs from the one that
	// last fired for this profile (remembered in the profile, for ttl).
	if a.triggerOnce && !a.PassThreshold("", ok, a.ttl) {
		return nil, nil
	}
	port := "false"
	if ok {
		port = "true"
	}
	if !a.passPayload {
		return plugin.Port(port, plugin.Payload{"result": ok}), nil
	}
	return plugin.Port(port, payload), nil
}

// RegisterIf describes the If plugin.
func RegisterIf() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &If{} },
		Spec: plugin.Spec{
			Module:    "tracflow.flowcontrol.if",
			Aliases:   []string{tracardi + "if_action"},
			ClassName: "IfAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"true", "false"},
			Config:    ifSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "If",
			Desc:    "Sends the payload down the true or the false branch, by a condition.",
			Type:    "condNode",
			Icon:    "if",
			Group:   []string{"Flow control"},
			Tags:    []string{"condition", "branch"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The condition is written in TQL and compiled when the flow is loaded; a syntax " +
					"error is reported then, naming the condition field. A condition that fails while " +
					"running (for example comparing values of different types in a way TQL forbids) " +
					"stops the flow with an error. With `trigger_once`, a port fires only when the result " +
					"changed since it last fired for this profile (or `ttl` seconds passed); events " +
					"without a profile always fire.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; conditions can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"true":  {Desc: "The input payload (or {\"result\": true}) when the condition holds."},
					"false": {Desc: "The input payload (or {\"result\": false}) when it does not."},
				},
			},
		},
	}
}
