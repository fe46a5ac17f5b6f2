package flowcontrol

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/tql"
)

// def is what a plugin of this file declares; register makes the record.
type def struct {
	new     func() plugin.Action
	module  string // Tracflow's id, after "tracflow.flowcontrol."
	alias   string // Tracardi's module, after "tracardi.process_engine.action.v1."
	class   string
	outputs []string
	config  *plugin.ConfigSpec
	typ     string
	name    string
	desc    string
	icon    string
	tags    []string
	manual  string
	input   string
	ports   plugin.Ports
}

func register(d def) plugin.Plugin {
	doc := plugin.Documented(plugin.Ports{"payload": d.input}, d.ports)
	doc.Tutorial = d.manual
	typ := d.typ
	if typ == "" {
		typ = "flowNode"
	}
	return plugin.Plugin{
		New: d.new,
		Spec: plugin.Spec{
			Module: "tracflow.flowcontrol." + d.module, Aliases: []string{tracardi + d.alias}, ClassName: d.class,
			Inputs: []string{"payload"}, Outputs: d.outputs, Config: d.config,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: d.name, Desc: d.desc, Type: typ, Icon: d.icon, Group: []string{"Flow control"},
			Tags: d.tags, Purpose: []string{"collection", "segmentation"}, Documentation: doc,
		},
	}
}

// isNew reads operation.new of a record.
func isNew(rec map[string]any) bool {
	op, _ := rec["operation"].(map[string]any)
	b, _ := op["new"].(bool)
	return b
}

// NewVisit tells whether the event opened a new session.
type NewVisit struct{ plugin.ActionRunner }

// Run sends the payload to true for a new session, false otherwise.
func (a *NewVisit) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Session == nil {
		a.Console.Warning("Can not check if the visit is new: this event has no session.")
		return plugin.Port("false", payload), nil
	}
	if isNew(a.Session) {
		return plugin.Port("true", payload), nil
	}
	return plugin.Port("false", payload), nil
}

// NewProfile tells whether the event created its profile.
type NewProfile struct{ plugin.ActionRunner }

// Run sends the payload to true for a new profile, false otherwise.
func (a *NewProfile) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Warning("Can not check if the profile is new: this event has no profile.")
		return plugin.Port("false", payload), nil
	}
	if isNew(a.Profile) {
		return plugin.Port("true", payload), nil
	}
	return plugin.Port("false", payload), nil
}

// RegisterNewVisit describes the Is it a new visit plugin.
func RegisterNewVisit() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &NewVisit{} }, module: "new_visit", alias: "new_visit_action",
		class: "NewVisitAction", outputs: []string{"true", "false"}, typ: "condNode",
		name: "Is it a new visit", desc: "Sends the payload to true when the event started a new session.",
		icon: "exists", tags: []string{"condition", "session", "visit"},
		manual: "A visit is new when the event's session was created by this request. An event without a " +
			"session goes to false with a warning.",
		input: "Any object.",
		ports: plugin.Ports{"true": "The input payload, for a new visit.", "false": "The input payload, otherwise."},
	})
}

// RegisterNewProfile describes the Is it a new profile plugin.
func RegisterNewProfile() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &NewProfile{} }, module: "new_profile", alias: "new_profile_action",
		class: "NewProfileAction", outputs: []string{"true", "false"}, typ: "condNode",
		name: "Is it a new profile", desc: "Sends the payload to true when the event created its profile.",
		icon: "exists", tags: []string{"condition", "profile"},
		manual: "A profile is new when this request created it. A profile-less event goes to false with a warning.",
		input:  "Any object.",
		ports:  plugin.Ports{"true": "The input payload, for a new profile.", "false": "The input payload, otherwise."},
	})
}

// namedCondition is one compiled condition of a set.
type namedCondition struct {
	key  string
	src  string
	cond *tql.Condition
}

// compileConditions compiles an object of conditions, in key order.
func compileConditions(field string, m map[string]any) ([]namedCondition, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs plugin.FieldErrors
	out := make([]namedCondition, 0, len(keys))
	for _, k := range keys {
		src, ok := m[k].(string)
		if !ok {
			errs = append(errs, plugin.FieldError{Field: field + "." + k, Message: "must be a condition (text)"})
			continue
		}
		c, err := tql.Parse(src)
		if err != nil {
			errs = append(errs, plugin.FieldError{Field: field + "." + k, Message: err.Error()})
			continue
		}
		out = append(out, namedCondition{key: k, src: src, cond: c})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

var conditionSetSpec = plugin.NewConfigSpec().
	Field(plugin.NewObjectField("conditions").Name("Conditions").
		Description("Pairs of a name and a TQL condition, e.g. marketing: profile@consents.marketing EXISTS.").
		Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "condition", "disableSwitching": true, "disableCasting": true}))

// ConditionSet evaluates named conditions into an object of results.
type ConditionSet struct {
	plugin.ActionRunner
	conds []namedCondition
}

// SetUp compiles the conditions.
func (a *ConditionSet) SetUp(_ context.Context, config plugin.Config) error {
	c, err := conditionSetSpec.Parse(config)
	if err != nil {
		return err
	}
	a.conds, err = compileConditions("conditions", c.Object("conditions"))
	return err
}

// Run evaluates every condition.
func (a *ConditionSet) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	out := make(plugin.Payload, len(a.conds))
	for _, c := range a.conds {
		ok, err := c.cond.Eval(s)
		if err != nil {
			a.Console.Error("Could not evaluate the condition `%s`: %s", c.src, err)
			continue
		}
		out[c.key] = ok
	}
	return plugin.Port("result", out), nil
}

// RegisterConditionSet describes the Resolve conditions plugin.
func RegisterConditionSet() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &ConditionSet{} }, module: "condition_set", alias: "traits.condition_set.plugin",
		class: "ConditionSetPlugin", outputs: []string{"result"}, config: conditionSetSpec,
		name: "Resolve conditions", desc: "Evaluates named conditions into an object of true/false results.",
		icon: "question", tags: []string{"condition"},
		manual: "With `{\"is-buyer\": \"event@type == \\\"purchase\\\"\"}` the result is `{\"is-buyer\": true}` on a " +
			"purchase event. Conditions are compiled when the flow loads (a syntax error names the condition); " +
			"one that fails while running is logged as an error and left out of the result.",
		input: "Any object; conditions can read it as payload@...",
		ports: plugin.Ports{"result": "An object with each condition's name and its result (true or false)."},
	})
}

var assignConditionSpec = plugin.NewConfigSpec().
	Field(plugin.NewObjectField("conditions").Name("Conditions").
		Description("Pairs of a profile field (profile@...) and a TQL condition whose result is written there, "+
			"e.g. profile@traits.marketing_ok: profile@consents.marketing EXISTS.").
		Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Value", "defaultKeySource": "profile", "lockKeySource": true}))

type assignment struct {
	target dotpath.Ref
	namedCondition
}

// AssignConditionResult writes the results of conditions into the profile.
type AssignConditionResult struct {
	plugin.ActionRunner
	assign []assignment
}

// SetUp compiles the targets and the conditions.
func (a *AssignConditionResult) SetUp(_ context.Context, config plugin.Config) error {
	c, err := assignConditionSpec.Parse(config)
	if err != nil {
		return err
	}
	conds, err := compileConditions("conditions", c.Object("conditions"))
	if err != nil {
		return err
	}
	a.assign = a.assign[:0]
	for _, nc := range conds {
		ref, err := dotpath.Parse(nc.key)
		if err != nil || ref.Source != dotpath.SourceProfile || ref.IsWhole() {
			return plugin.FieldErr("conditions."+nc.key, "the key must be a profile field, e.g. profile@traits.x")
		}
		a.assign = append(a.assign, assignment{target: ref, namedCondition: nc})
	}
	return nil
}

// Run evaluates the conditions and writes their results.
func (a *AssignConditionResult) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if len(a.assign) > 0 && !a.Writable(a.assign[0].target, "Assign condition result") {
		return plugin.Port("payload", payload), nil
	}
	s := a.Scope(payload)
	for _, as := range a.assign {
		ok, err := as.cond.Eval(s)
		if err != nil {
			return nil, fmt.Errorf("condition %s: %w", as.key, err)
		}
		if err := s.Set(as.target, ok); err != nil {
			return nil, fmt.Errorf("condition %s: %w", as.key, err)
		}
	}
	return plugin.Port("payload", payload), nil
}

// RegisterAssignConditionResult describes the Resolve conditions into
// profile fields plugin.
func RegisterAssignConditionResult() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &AssignConditionResult{} }, module: "assign_condition_result", alias: "traits.assign_condition_result.plugin",
		class: "AssignConditionResultPlugin", outputs: []string{"payload"}, config: assignConditionSpec,
		name: "Resolve conditions into profile fields", desc: "Evaluates conditions and writes each result (true/false) into a profile field.",
		icon: "question", tags: []string{"condition", "profile"},
		manual: "Every key must be a profile field (profile@...); a key that is not is a config error. The profile " +
			"is saved with the results. A condition that fails while running stops the flow with an error naming " +
			"it; on a profile-less event nothing is written and a warning is logged.",
		input: "Any object; conditions can read it as payload@...",
		ports: plugin.Ports{"payload": "The input payload, unchanged."},
	})
}

var thresholdSpec = plugin.NewConfigSpec().
	Group("Value change threshold", "").
	Field(plugin.NewStringField("name").Name("Value name").
		Description("A name that tells this value apart from others watched by the same node.").Initial(nil).Prop("label", "name")).
	Field(plugin.NewValueField("value").Name("Value").
		Description("The value to watch: a reference such as profile@traits.plan, or a literal.").
		Initial(nil).Required().Component("dotPath", map[string]any{"label": "value"})).
	Field(plugin.NewDurationField("ttl").Name("Value time to live (seconds)").
		Description("After this many seconds the remembered value is forgotten and the same value passes again; 0 means never.").
		Default(1800).Prop("label", "Time to live")).
	Field(plugin.NewBoolField("assign_to_profile").Name("Value connected with profile").
		Description("Keep the value per profile. Tracflow always keeps it in the profile (see the notes).").
		Default(true).Prop("label", "Assign value to profile"))

// Threshold lets the payload pass only when a value changed.
type Threshold struct {
	plugin.ActionRunner
	name  string
	value dotpath.Value
	ttl   time.Duration
}

// SetUp reads the config.
func (a *Threshold) SetUp(_ context.Context, config plugin.Config) error {
	c, err := thresholdSpec.Parse(config)
	if err != nil {
		return err
	}
	a.name, a.value, a.ttl = c.String("name"), c.Value("value"), c.Duration("ttl")
	return nil
}

// Run compares the value with the one that last passed.
func (a *Threshold) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.value.Resolve(a.Scope(payload))
	if err != nil {
		return nil, err
	}
	if a.Profile == nil {
		a.Console.Warning("Value %s is not remembered: this event has no profile, so every value passes.", a.value)
	}
	if a.PassThreshold(a.name, v, a.ttl) {
		return plugin.Port("pass", payload), nil
	}
	return plugin.Port("stop", payload), nil
}

// RegisterThreshold describes the Value change plugin.
func RegisterThreshold() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &Threshold{} }, module: "threshold", alias: "operations.threshold.plugin",
		class: "ValueThresholdAction", outputs: []string{"pass", "stop"}, config: thresholdSpec,
		name: "Value change", desc: "Lets the payload pass only when a watched value changed.", icon: "threshold",
		tags: []string{"threshold", "change", "condition"},
		manual: "The first value passes and is remembered; the same value again goes to stop, until the time to " +
			"live has passed; a different value passes and is remembered. Values are kept in the profile " +
			"(aux.thresholds, per flow, node and name), as If's trigger_once keeps its results, and saved with " +
			"it. Differences from Tracardi: Tracardi keeps the values in its cache, and with assign_to_profile " +
			"off shares one value among all profiles; Tracflow always keeps it per profile, and on a " +
			"profile-less event every value passes (with a warning).",
		input: "Any object; the value may be in it as payload@...",
		ports: plugin.Ports{
			"pass": "The input payload, when the value changed (or is seen for the first time).",
			"stop": "The input payload, when the value is the one that passed last.",
		},
	})
}
