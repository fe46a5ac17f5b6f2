package segmentation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// interestValue checks Tracardi's interest value: a number 0 or more,
// usually held as text ("1.0").
func interestValue(v any) error {
	if f, ok := v.(float64); !ok || f < 0 {
		return errors.New("interest value must be a number, 0 or more")
	}
	return nil
}

func interestSpec(nameDesc, component string) *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Group("Interest", "").
		Field(plugin.NewAnyField("interest").Name("Interest name").Description(nameDesc).
			Initial("").Component(component, map[string]any{"label": "Interest name"})).
		Field(plugin.NewFloatField("value").Name("Interest value").
			Description("The number, e.g. 1.0 (Tracardi keeps it as text: \"1.0\").").
			Initial("1.0").Default(1.0).Check(interestValue).Prop("label", "Interest value"))
}

// interestNames compiles the interest field: a name or reference, or a
// list of them.
func interestNames(v any) ([]dotpath.Value, error) {
	var items []any
	switch t := v.(type) {
	case string:
		items = []any{t}
	case []any:
		items = t
	default:
		return nil, plugin.FieldErrors{{Field: "interest", Message: fmt.Sprintf("expected an interest name or a list of names, got %s", dotpath.TypeName(v))}}
	}
	if len(items) == 0 {
		return nil, plugin.FieldErrors{{Field: "interest", Message: "interest cannot be empty"}}
	}
	var out []dotpath.Value
	for i, it := range items {
		s, ok := it.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, plugin.FieldErrors{{Field: fmt.Sprintf("interest[%d]", i), Message: "expected an interest name"}}
		}
		val, err := dotpath.CompileValue(strings.TrimSpace(s))
		if err != nil {
			return nil, plugin.FieldErrors{{Field: "interest", Message: err.Error()}}
		}
		out = append(out, val)
	}
	return out, nil
}

// validInterest is Tracardi's rule for interest names: letters, digits,
// "_" and "-", with at least one letter or digit.
func validInterest(s string) bool {
	alnum := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			alnum = true
		case r == '_' || r == '-':
		default:
			return false
		}
	}
	return alnum
}

func interests(p plugin.Profile) map[string]any {
	m, ok := p["interests"].(map[string]any)
	if !ok {
		m = map[string]any{}
		p["interests"] = m
	}
	return m
}

// number reads a stored interest (a number, or a number held as text).
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	default:
		return dotpath.ToFloat(v)
	}
}

// Interest adds, increases or decreases interests of the profile.
type Interest struct {
	plugin.ActionRunner
	op    string // add, increase, decrease
	names []dotpath.Value
	value float64
}

var (
	addInterestSpec = interestSpec("The interest: a name, e.g. sports, a reference to one, e.g. event@properties.category, "+
		"or a list of them.", "text")
	changeInterestSpec = interestSpec("The interest: a name, e.g. sports, or a reference to one, e.g. "+
		"event@properties.category. Names hold letters, digits, _ and - only.", "dotPath")
)

func (a *Interest) spec() *plugin.ConfigSpec {
	if a.op == "add" {
		return addInterestSpec
	}
	return changeInterestSpec
}

// SetUp reads the names and the value.
func (a *Interest) SetUp(_ context.Context, config plugin.Config) error {
	c, err := a.spec().Parse(config)
	if err != nil {
		return err
	}
	if a.names, err = interestNames(c.Any("interest")); err != nil {
		return err
	}
	a.value = c.Float("value")
	return nil
}

// Run changes the interests.
func (a *Interest) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		msg := noProfile(&a.ActionRunner, a.op+" the profile's interests")
		return plugin.Port("error", plugin.Payload{"message": msg}), nil
	}
	scope := a.Scope(payload)
	var names []string
	for _, v := range a.names {
		x, err := v.Resolve(scope)
		if err != nil {
			return a.ErrorResult(fmt.Sprintf("Interest %s: %v", v, err), "error"), nil
		}
		list, ok := x.([]any)
		if !ok {
			list = []any{x}
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok || !validInterest(s) {
				return a.ErrorResult(fmt.Sprintf("Invalid interest name %s from %s: expected letters, digits, _ or - without spaces.",
					dotpath.Stringify(e), v), "error"), nil
			}
			names = append(names, s)
		}
	}
	m := interests(a.Profile)
	for _, n := range names {
		cur, has := m[n]
		f, isNum := number(cur)
		if has && cur != nil && !isNum && a.op != "add" {
			return a.ErrorResult(fmt.Sprintf("Interest %s is %s, not a number: it was left as it is.", n, dotpath.TypeName(cur)), "error"), nil
		}
		switch a.op {
		case "add":
			m[n] = a.value
		case "increase":
			m[n] = f + a.value
		case "decrease":
			if has && cur != nil {
				m[n] = f - a.value
			}
		}
	}
	return plugin.Port("payload", payload), nil
}

func registerInterest(op, class, name, desc, icon, manual string) plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &Interest{op: op} }, module: "interest_" + op, alias: "interest." + op + ".plugin", class: class,
		outputs: []string{"payload", "error"}, config: (&Interest{op: op}).spec(), icon: icon,
		name: name, desc: desc, tags: []string{"interest"}, manual: manual,
		input: "Any object.",
		ports: plugin.Ports{"payload": "The input payload.",
			"error": "{\"message\": ...} when there is no profile, a referenced name is missing, or a name or stored interest is not valid."},
	})
}

// RegisterAddInterest describes the Add interest plugin.
func RegisterAddInterest() plugin.Plugin {
	return registerInterest("add", "AddInterestAction", "Add interest", "Sets an interest of the profile to a value.", "interest",
		"Sets profile@interests.<name> to the value for each interest named (a name may be a reference, resolved at run time). "+
			"Differences from Tracardi: the value is set even when the interest exists; Tracardi compared the whole "+
			"configured name (or list) with the profile's interests, which skipped or repeated the update at random.")
}

// RegisterIncreaseInterest describes the Increase interest plugin.
func RegisterIncreaseInterest() plugin.Plugin {
	return registerInterest("increase", "IncreaseInterestAction", "Increase interest", "Increases an interest of the profile.", "plus",
		"Adds the value to profile@interests.<name>; a missing interest starts at the value. A stored interest held as "+
			"numeric text is read as its number; any other non-number is left alone and reported on the error port.")
}

// RegisterDecreaseInterest describes the Decrease interest plugin.
func RegisterDecreaseInterest() plugin.Plugin {
	return registerInterest("decrease", "DecreaseInterestAction", "Decrease interest", "Decreases an interest of the profile.", "minus",
		"Subtracts the value from profile@interests.<name> when the profile has that interest; a missing interest is "+
			"left missing, as in Tracardi.")
}

// GroupAndRank ranks segments by the profile's interests and adds the
// best ones to the profile.
type GroupAndRank struct {
	plugin.ActionRunner
	interests dotpath.Ref
	mapping   dotpath.Value
	apply     dotpath.Value
}

var rankSpec = plugin.NewConfigSpec().
	Group("Group And Rank Interests configuration", "").
	Field(plugin.NewRefField("interests").Name("Interests").
		Description("Where the interests are, usually profile@interests: an object of interest name: number.").
		Default("profile@interests").Component("dotPath", map[string]any{"label": "Interests", "defaultSourceValue": "profile"})).
	Field(plugin.NewStringField("segment_mapping").Name("Segment Mapping").
		Description("JSON (or a reference to JSON text or an object) mapping each segment to the interests that build it, "+
			"e.g. {\"sporty\": [\"football\", \"tennis\"], \"bookworm\": [\"books\"]}.").
		Initial("").Required().Component("json", map[string]any{"label": "segment_mapping"})).
	Field(plugin.NewStringField("segments_to_apply").Name("Segments To Apply").
		Description("How many of the best-ranked segments to add to the profile: a whole number, or a reference to one.").
		Initial("").Component("dotPath", map[string]any{"label": "Segments to apply", "defaultSourceValue": "event"}))

// SetUp compiles the references.
func (a *GroupAndRank) SetUp(_ context.Context, config plugin.Config) error {
	c, err := rankSpec.Parse(config)
	if err != nil {
		return err
	}
	a.interests = c.Ref("interests")
	if a.mapping, err = dotpath.CompileValue(strings.TrimSpace(c.String("segment_mapping"))); err != nil {
		return plugin.FieldErrors{{Field: "segment_mapping", Message: err.Error()}}
	}
	if a.apply, err = dotpath.CompileValue(strings.TrimSpace(c.String("segments_to_apply"))); err != nil {
		return plugin.FieldErrors{{Field: "segments_to_apply", Message: err.Error()}}
	}
	return nil
}

// Run ranks the segments and adds the best ones.
func (a *GroupAndRank) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		return plugin.Port("error", plugin.Payload{"message": noProfile(&a.ActionRunner, "rank the profile's interests")}), nil
	}
	scope := a.Scope(payload)
	rawMap, err := a.mapping.Resolve(scope)
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Segment mapping %s: %v", a.mapping, err), "error"), nil
	}
	mapping, ok := rawMap.(map[string]any)
	if s, isStr := rawMap.(string); isStr {
		ok = json.Unmarshal([]byte(s), &mapping) == nil && mapping != nil
	}
	if !ok {
		return a.ErrorResult("Segment mapping must be a JSON object of segment: [interest names].", "error"), nil
	}
	rawN, err := a.apply.Resolve(scope)
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Segments to apply %s: %v", a.apply, err), "error"), nil
	}
	n, isNum := number(rawN)
	if !isNum || n < 0 || n != float64(int(n)) {
		return a.ErrorResult(fmt.Sprintf("Segments to apply must be a whole number, 0 or more; got %s.", dotpath.Stringify(rawN)), "error"), nil
	}
	x, err := scope.Get(a.interests)
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Interests %s: %v", a.interests, err), "error"), nil
	}
	ints, ok := x.(map[string]any)
	if !ok {
		return a.ErrorResult(fmt.Sprintf("Interests %s is %s; expected an object of interest name: number.", a.interests, dotpath.TypeName(x)), "error"), nil
	}
	segs := make([]string, 0, len(mapping))
	for s := range mapping {
		segs = append(segs, s)
	}
	sort.Strings(segs)
	score := map[string]float64{}
	for interest, v := range ints {
		f, ok := number(v)
		if !ok {
			continue
		}
		for _, s := range segs {
			kws, _ := mapping[s].([]any)
			for _, k := range kws {
				if ks, ok := k.(string); ok && strings.EqualFold(ks, interest) {
					score[s] += f
					break
				}
			}
		}
	}
	sort.SliceStable(segs, func(i, j int) bool { return score[segs[i]] > score[segs[j]] })
	ranked := make([]any, len(segs))
	applied := []any{}
	var add []string
	for i, s := range segs {
		ranked[i] = s
		if i < int(n) && score[s] > 0 {
			applied = append(applied, s)
			add = append(add, s)
		}
	}
	addSegments(a.Profile, eventTime(a.Event), add...)
	return plugin.Port("result", plugin.Payload{"applied_segments": applied, "ranked_segments": ranked}), nil
}

// RegisterGroupAndRank describes the Group and Rank Interests plugin.
func RegisterGroupAndRank() plugin.Plugin {
	p := register(def{
		new: func() plugin.Action { return &GroupAndRank{} }, module: "group_and_rank_interests", alias: "group_and_rank_interests_action",
		class: "GroupAndRankInterestsAction", outputs: []string{"result", "error"}, config: rankSpec, icon: "GroupAndRankInterests",
		name: "Group and Rank Interests", desc: "Ranks segments by the profile's interests and adds the best ones to the profile.",
		tags: []string{"interest", "segment"},
		manual: "Each segment of the mapping scores the sum of the profile's interests it lists (names compared without case). " +
			"Segments are ranked by score, highest first (equal scores by name), and the first segments_to_apply of them " +
			"with a score above 0 are added to profile@segments. Differences from Tracardi: segments scoring 0 are not " +
			"added, a segment is not added twice, and the result names the applied segments (applied_segments) apart from " +
			"the whole ranking (ranked_segments); Tracardi answered the ranking as applied_segments.",
		input: "Any object.",
		ports: plugin.Ports{"result": "{\"applied_segments\": [...], \"ranked_segments\": [...]}.",
			"error": "{\"message\": ...} when the mapping, the number of segments or the interests cannot be read."},
	})
	p.Spec.Module = "tracflow.segmentation.group_and_rank_interests"
	return p
}
