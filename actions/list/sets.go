package list

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var setOperations = []plugin.Option{
	{Value: "intersection", Label: "Intersection"},
	{Value: "union", Label: "Union"},
	{Value: "difference", Label: "Difference"},
	{Value: "symmetric_difference", Label: "Symmetric Difference"},
	{Value: "is_subset", Label: "Is Subset"},
	{Value: "is_superset", Label: "Is Superset"},
}

var setsSpec = plugin.NewConfigSpec().
	Group("Plugin Configuration", "").
	Field(plugin.NewValueField("set1").Name("Set 1").
		Description("A reference to the first set: a list (or an object, whose keys are taken).").Prop("label", "Set 1")).
	Field(plugin.NewValueField("set2").Name("Set 2").
		Description("A reference to the second set: a list (or an object, whose keys are taken).").Prop("label", "Set 2")).
	Field(plugin.NewStringField("operation").Name("Set Operation").
		Description("intersection, union, difference (in set 1, not in set 2), symmetric_difference, is_subset (set 1 of set 2) or is_superset.").
		Default("intersection").Component("select", map[string]any{"label": "Set Operation", "items": optionItems()}).
		Check(func(v any) error {
			s := strings.ToLower(strings.TrimSpace(v.(string)))
			for _, o := range setOperations {
				if o.Value == s {
					return nil
				}
			}
			return fmt.Errorf("%q is not an operation; use one of intersection, union, difference, symmetric_difference, is_subset, is_superset", v)
		}))

func optionItems() map[string]any {
	m := map[string]any{}
	for _, o := range setOperations {
		m[o.Value] = o.Label
	}
	return m
}

// SetOperation computes the intersection, union... of two sets.
type SetOperation struct {
	plugin.ActionRunner
	set1, set2 dotpath.Value
	op         string
}

// SetUp reads the sets and the operation (in any letter case).
func (a *SetOperation) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := setsSpec.Parse(c)
	if err != nil {
		return err
	}
	a.set1, a.set2 = cfg.Value("set1"), cfg.Value("set2")
	a.op = strings.ToLower(strings.TrimSpace(cfg.String("operation")))
	return nil
}

// set is a list of distinct items in the order they first came, keyed by
// their JSON text so objects and lists can be members too.
type set struct {
	items []any
	index map[string]bool
}

func itemKey(v any) string {
	if s, ok := v.(string); ok {
		return "s" + s
	}
	b, _ := json.Marshal(v) // decoded JSON always encodes; map keys are sorted
	return "j" + string(b)
}

func readSet(v dotpath.Value, s *dotpath.Scope) (*set, error) {
	out := &set{index: map[string]bool{}}
	if v.String() == "" {
		return out, nil // Tracardi's empty config: an empty set
	}
	x, err := v.Resolve(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", v, err)
	}
	var items []any
	switch t := x.(type) {
	case nil:
	case []any:
		items = t
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			items = append(items, k)
		}
	case string:
		if t != "" {
			return nil, fmt.Errorf("%s is text, not a list", v)
		}
	default:
		return nil, fmt.Errorf("%s is %s, not a list", v, dotpath.TypeName(x))
	}
	for _, it := range items {
		out.add(it)
	}
	return out, nil
}

func (s *set) add(v any) {
	k := itemKey(v)
	if !s.index[k] {
		s.index[k] = true
		s.items = append(s.items, v)
	}
}

func (s *set) has(v any) bool { return s.index[itemKey(v)] }

// Run sends {"result": list or boolean} on result, or the problem on error.
func (a *SetOperation) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	s1, err := readSet(a.set1, sc)
	if err != nil {
		return a.ErrorResult("Set 1: "+err.Error(), "error"), nil
	}
	s2, err := readSet(a.set2, sc)
	if err != nil {
		return a.ErrorResult("Set 2: "+err.Error(), "error"), nil
	}
	pick := func(from *set, keep func(any) bool) []any {
		out := []any{}
		for _, v := range from.items {
			if keep(v) {
				out = append(out, dotpath.DeepCopy(v))
			}
		}
		return out
	}
	subset := func(a, b *set) bool {
		for _, v := range a.items {
			if !b.has(v) {
				return false
			}
		}
		return true
	}
	var result any
	switch a.op {
	case "intersection":
		result = pick(s1, s2.has)
	case "union":
		result = append(pick(s1, func(any) bool { return true }), pick(s2, func(v any) bool { return !s1.has(v) })...)
	case "difference":
		result = pick(s1, func(v any) bool { return !s2.has(v) })
	case "symmetric_difference":
		result = append(pick(s1, func(v any) bool { return !s2.has(v) }), pick(s2, func(v any) bool { return !s1.has(v) })...)
	case "is_subset":
		result = subset(s1, s2)
	case "is_superset":
		result = subset(s2, s1)
	}
	return plugin.Port("result", plugin.Payload{"result": result}), nil
}

// RegisterSetOperation describes the Operations on sets plugin.
func RegisterSetOperation() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &SetOperation{} },
		Spec: plugin.Spec{
			Module: tracardi + "list.operations_on_sets.plugin", ClassName: "SetOperationPlugin",
			Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: setsSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Operations on sets",
			Desc: "Computes the intersection, union, difference or symmetric difference of two lists, or whether one holds the other.",
			Type: "flowNode", Icon: "plugin", Group: []string{"Data processing"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Each list is taken as a set: repeated items count once. Lists in the answer keep the " +
					"order in which items first appear (set 1, then set 2). An empty config value, a null or an " +
					"empty text is an empty set; an object's keys are a set. Items may be any JSON values.\n\n" +
					"Differences from Tracardi: the answer's order is stable (Python's sets have none); text is not " +
					"split into its letters; a missing reference goes to the error port rather than failing the " +
					"flow; the group is \"Data processing\" (Tracardi writes \"Data Processing\", a palette group " +
					"of its own).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the sets may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"result\": [...]} for intersection, union, difference and symmetric_difference; {\"result\": true/false} for is_subset and is_superset."},
					"error":  {Desc: "{\"message\": ...} when a set is missing or not a list."},
				},
			},
		},
	}
}
