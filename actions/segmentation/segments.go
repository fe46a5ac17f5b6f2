package segmentation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/tql"
)

// segmentName checks that configured segment names are not empty.
func segmentName(c *plugin.ParsedConfig, ids ...string) error {
	var errs plugin.FieldErrors
	for _, id := range ids {
		if strings.TrimSpace(c.String(id)) == "" {
			errs = append(errs, plugin.FieldError{Field: id, Message: "segment cannot be empty"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// AddSegment adds the profile to one or more segments.
type AddSegment struct {
	plugin.ActionRunner
	names []dotpath.Value
}

var addSpec = plugin.NewConfigSpec().
	Group("Segment", "").
	Field(plugin.NewAnyField("segment").Name("Segment name").
		Description("The segment to add the profile to: a name, e.g. big-spenders, or a reference to one, e.g. "+
			"event@properties.segment; or a list of them. A reference may also hold a list of names.").
		Initial("").Component("dotPath", map[string]any{"label": "Segment name"}))

// SetUp compiles the names (literals or references).
func (a *AddSegment) SetUp(_ context.Context, config plugin.Config) error {
	c, err := addSpec.Parse(config)
	if err != nil {
		return err
	}
	var items []any
	switch v := c.Any("segment").(type) {
	case string:
		items = []any{v}
	case []any:
		items = v
	default:
		return plugin.FieldErrors{{Field: "segment", Message: fmt.Sprintf("expected a segment name or a list of names, got %s", dotpath.TypeName(v))}}
	}
	if len(items) == 0 {
		return plugin.FieldErrors{{Field: "segment", Message: "segment cannot be empty"}}
	}
	a.names = nil
	for i, it := range items {
		s, ok := it.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return plugin.FieldErrors{{Field: fmt.Sprintf("segment[%d]", i), Message: "expected a segment name"}}
		}
		val, err := dotpath.CompileValue(strings.TrimSpace(s))
		if err != nil {
			return plugin.FieldErrors{{Field: "segment", Message: err.Error()}}
		}
		a.names = append(a.names, val)
	}
	return nil
}

// Run adds the segments.
func (a *AddSegment) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		noProfile(&a.ActionRunner, "segment the profile")
		return plugin.Port("payload", payload), nil
	}
	scope := a.Scope(payload)
	var names []string
	for _, v := range a.names {
		x, err := v.Resolve(scope)
		if err != nil {
			return a.ErrorResult(fmt.Sprintf("Segment %s: %v", v, err), "error"), nil
		}
		switch t := x.(type) {
		case string:
			names = append(names, t)
		case []any:
			for _, e := range t {
				s, ok := e.(string)
				if !ok {
					return a.ErrorResult(fmt.Sprintf("Segment %s holds %s; expected names (text).", v, dotpath.TypeName(e)), "error"), nil
				}
				names = append(names, s)
			}
		default:
			return a.ErrorResult(fmt.Sprintf("Segment %s is %s; expected a name or a list of names.", v, dotpath.TypeName(x)), "error"), nil
		}
	}
	names = slices.DeleteFunc(names, func(s string) bool { return strings.TrimSpace(s) == "" })
	addSegments(a.Profile, eventTime(a.Event), names...)
	return plugin.Port("payload", payload), nil
}

// RegisterAddSegment describes the Add segment plugin.
func RegisterAddSegment() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &AddSegment{} }, module: "add", alias: "segmentation.add.plugin", class: "AddSegmentAction",
		outputs: []string{"payload", "error"}, config: addSpec,
		name: "Add segment", desc: "Adds the profile to a segment.", tags: []string{"segment", "add"},
		manual: "Adds the profile to the named segment(s): the names go into profile@segments (once each) and " +
			"profile@metadata.time.segmentation is set when one was new. A name may be a reference, resolved at run time. " +
			"On a profile-less event nothing changes (a warning is logged). Differences from Tracardi: a single name " +
			"(the usual case, and the form's) works; Tracardi answered it with an error.",
		input: "Any object.",
		ports: plugin.Ports{"payload": "The input payload.", "error": "{\"message\": ...} when a referenced name is missing or not text."},
	})
}

// DeleteSegment takes the profile out of a segment.
type DeleteSegment struct {
	plugin.ActionRunner
	name string
}

var deleteSpec = plugin.NewConfigSpec().
	Group("Segment", "").
	Field(plugin.NewStringField("segment").Name("Segment name").Description("The segment to take the profile out of.").
		Initial("").Prop("label", "Segment name"))

// SetUp reads the name.
func (a *DeleteSegment) SetUp(_ context.Context, config plugin.Config) error {
	c, err := deleteSpec.Parse(config)
	if err != nil {
		return err
	}
	if err := segmentName(c, "segment"); err != nil {
		return err
	}
	a.name = c.String("segment")
	return nil
}

// Run removes the segment.
func (a *DeleteSegment) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		noProfile(&a.ActionRunner, "segment the profile")
	} else {
		removeSegment(a.Profile, eventTime(a.Event), a.name)
	}
	return plugin.Port("payload", payload), nil
}

// RegisterDeleteSegment describes the Delete segment plugin.
func RegisterDeleteSegment() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &DeleteSegment{} }, module: "delete", alias: "segmentation.delete.plugin", class: "DeleteSegmentAction",
		outputs: []string{"payload"}, config: deleteSpec,
		name: "Delete segment", desc: "Takes the profile out of a segment.", tags: []string{"segment", "remove", "unset"},
		manual: "Removes the name from profile@segments and sets profile@metadata.time.segmentation when it was there. " +
			"A segment defined in the Segments menu may put the profile back after the event, when its condition holds.",
		input: "Any object.", ports: plugin.Ports{"payload": "The input payload."},
	})
}

// MoveSegment takes the profile out of one segment and into another.
type MoveSegment struct {
	plugin.ActionRunner
	from, to string
}

var moveSpec = plugin.NewConfigSpec().
	Group("Segment to move from", "").
	Field(plugin.NewStringField("from_segment").Name("Move from segment").Description("The segment the profile leaves.").
		Initial("").Prop("label", "Source segment")).
	Group("Segment to move to", "").
	Field(plugin.NewStringField("to_segment").Name("Move to segment").Description("The segment the profile joins.").
		Initial("").Prop("label", "Target segment"))

// SetUp reads the names.
func (a *MoveSegment) SetUp(_ context.Context, config plugin.Config) error {
	c, err := moveSpec.Parse(config)
	if err != nil {
		return err
	}
	if err := segmentName(c, "from_segment", "to_segment"); err != nil {
		return err
	}
	a.from, a.to = c.String("from_segment"), c.String("to_segment")
	return nil
}

// Run moves the profile.
func (a *MoveSegment) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		noProfile(&a.ActionRunner, "segment the profile")
		return plugin.Port("payload", payload), nil
	}
	removeSegment(a.Profile, eventTime(a.Event), a.from)
	addSegments(a.Profile, eventTime(a.Event), a.to)
	stamp(a.Profile, eventTime(a.Event))
	return plugin.Port("payload", payload), nil
}

// RegisterMoveSegment describes the Move segment plugin.
func RegisterMoveSegment() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &MoveSegment{} }, module: "move", alias: "segmentation.move.plugin", class: "MoveSegmentAction",
		outputs: []string{"payload"}, config: moveSpec,
		name: "Move segment", desc: "Moves the profile from one segment to another.", tags: []string{"segment", "move"},
		manual: "Removes from_segment from profile@segments (when there), adds to_segment (once) and sets " +
			"profile@metadata.time.segmentation.",
		input: "Any object.", ports: plugin.Ports{"payload": "The input payload."},
	})
}

// Conditional adds or removes segments by a condition.
type Conditional struct {
	plugin.ActionRunner
	cond                    *tql.Condition
	trueAction, falseAction string
	trueSeg, falseSeg       string
}

var actionOptions = []plugin.Option{{Value: "add", Label: "Add segment"}, {Value: "remove", Label: "Remove segment"}, {Value: "none", Label: "Do nothing"}}

var conditionalSpec = plugin.NewConfigSpec().
	Group("Segment logic", "The condition that decides the profile's segment.").
	Field(plugin.NewConditionField("condition").Name("Condition statement").
		Description("A TQL condition, e.g. profile@stats.visits > 10. When it holds the positive path runs, otherwise the negative one.").
		Initial("").Required().Component("textarea", map[string]any{"label": "condition"})).
	Group("Segment when condition is met (Positive path)", "").
	Field(plugin.NewEnumField("true_action", actionOptions...).Name("What would you like to do").
		Description("Add the segment, remove it, or do nothing.").Default("add")).
	Field(plugin.NewStringField("true_segment").Name("Segment name").
		Description("The segment of the positive path; required unless the action is none.").Initial("")).
	Group("Segment when condition is NOT met (Negative path)", "").
	Field(plugin.NewEnumField("false_action", actionOptions...).Name("What would you like to do").
		Description("Add the segment, remove it, or do nothing.").Default("remove")).
	Field(plugin.NewStringField("false_segment").Name("Segment name").
		Description("The segment of the negative path; required unless the action is none.").Initial("")).
	Check(func(c *plugin.ParsedConfig) error {
		var errs plugin.FieldErrors
		for _, side := range []string{"true", "false"} {
			if c.String(side+"_action") != "none" && strings.TrimSpace(c.String(side+"_segment")) == "" {
				errs = append(errs, plugin.FieldError{Field: side + "_segment", Message: "is required for action " + c.String(side+"_action")})
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return nil
	})

// SetUp compiles the condition.
func (a *Conditional) SetUp(_ context.Context, config plugin.Config) error {
	c, err := conditionalSpec.Parse(config)
	if err != nil {
		return err
	}
	a.cond = c.Condition("condition")
	a.trueAction, a.trueSeg = c.String("true_action"), c.String("true_segment")
	a.falseAction, a.falseSeg = c.String("false_action"), c.String("false_segment")
	return nil
}

func (a *Conditional) apply(action, seg string) {
	switch action {
	case "add":
		addSegments(a.Profile, eventTime(a.Event), seg)
	case "remove":
		removeSegment(a.Profile, eventTime(a.Event), seg)
	}
	stamp(a.Profile, eventTime(a.Event))
}

// Run evaluates the condition and applies the path's action.
func (a *Conditional) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Warning("Can not segment a profile-less event: there is no profile.")
		return plugin.Port("false", payload), nil
	}
	ok, err := a.cond.Eval(a.Scope(payload))
	if err != nil {
		a.Console.Error("Condition %s: %v", a.cond, err)
		return plugin.Port("error", payload), nil
	}
	if ok {
		a.apply(a.trueAction, a.trueSeg)
		return plugin.Port("true", payload), nil
	}
	a.apply(a.falseAction, a.falseSeg)
	return plugin.Port("false", payload), nil
}

// RegisterConditional describes the Conditional segmentation plugin.
func RegisterConditional() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &Conditional{} }, module: "conditional", alias: "segmentation.conditional.plugin", class: "ProfileSegmentAction",
		outputs: []string{"true", "false", "error"}, config: conditionalSpec,
		name: "Conditional segmentation", desc: "Adds or removes a segment depending on a condition.", tags: []string{"condition", "segment"},
		manual: "Evaluates the condition; when it holds, true_action (add, remove or none) is applied to true_segment, " +
			"otherwise false_action to false_segment, and profile@metadata.time.segmentation is set. " +
			"On a profile-less event the payload goes to false with a warning.",
		input: "Any object.",
		ports: plugin.Ports{"true": "The input payload, when the condition held.", "false": "The input payload, when it did not (or there is no profile).",
			"error": "The input payload, when the condition could not be evaluated (the console says why)."},
	})
}

// HasSegment tells whether the profile is in a segment.
type HasSegment struct {
	plugin.ActionRunner
	name string
}

var hasSpec = plugin.NewConfigSpec().
	Group("Segment", "").
	Field(plugin.NewStringField("segment").Name("Profile segment to check").Description("The segment to look for in profile@segments.").
		Initial("").Prop("label", "Segment"))

// SetUp reads the name.
func (a *HasSegment) SetUp(_ context.Context, config plugin.Config) error {
	c, err := hasSpec.Parse(config)
	if err != nil {
		return err
	}
	if err := segmentName(c, "segment"); err != nil {
		return err
	}
	a.name = c.String("segment")
	return nil
}

// Run answers True or False.
func (a *HasSegment) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		noProfile(&a.ActionRunner, "check the profile's segments")
	} else if slices.Contains(segmentsOf(a.Profile), a.name) {
		return plugin.Port("True", payload), nil
	}
	return plugin.Port("False", payload), nil
}

// RegisterHasSegment describes the Has segment plugin.
func RegisterHasSegment() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &HasSegment{} }, module: "has", alias: "segmentation.has.plugin", class: "HasSegmentAction",
		outputs: []string{"True", "False"}, config: hasSpec, typ: "condNode",
		name: "Has segment", desc: "Checks whether the profile is in a segment.", tags: []string{"condition", "segment"},
		manual: "Sends the payload to True when the segment is in profile@segments, otherwise to False " +
			"(also on a profile-less event, with a warning).",
		input: "Any object.",
		ports: plugin.Ports{"True": "The input payload, when the profile is in the segment.", "False": "The input payload, otherwise."},
	})
}

// ForceSegmentation asks for every segment to be evaluated after the
// event, whatever event types the segments are limited to.
type ForceSegmentation struct{ plugin.ActionRunner }

// Run marks the profile.
func (a *ForceSegmentation) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		noProfile(&a.ActionRunner, "segment the profile")
		return plugin.Port("payload", payload), nil
	}
	op, ok := a.Profile["operation"].(map[string]any)
	if !ok {
		op = map[string]any{}
		a.Profile["operation"] = op
	}
	op["segment"] = true
	stamp(a.Profile, eventTime(a.Event))
	return plugin.Port("payload", payload), nil
}

// RegisterForceSegmentation describes the Force segmentation plugin.
func RegisterForceSegmentation() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &ForceSegmentation{} }, module: "force", alias: "segmentation.force.plugin", class: "SegmentProfileAction",
		outputs: []string{"payload"},
		name:    "Force segmentation", desc: "Evaluates every segment after this event's flows.", tags: []string{"segment"},
		manual: "Post-event segmentation runs after every event, but skips the segments limited to other event types. " +
			"This node sets profile@operation.segment, so that after the event's flows every defined segment is " +
			"evaluated, and sets profile@metadata.time.segmentation.",
		input: "Any object.", ports: plugin.Ports{"payload": "The input payload."},
	})
}
