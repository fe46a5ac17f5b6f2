package operations

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var directionField = plugin.NewEnumField("direction",
	plugin.Option{Value: "asc", Label: "Ascending"},
	plugin.Option{Value: "desc", Label: "Descending"}).Name("Direction").
	Description("asc sorts from the least to the greatest, desc the other way.").Default("asc")

// compareValues orders two JSON values as Python's sorted does: numbers
// with numbers (booleans count as 0 and 1), strings with strings, lists
// item by item. Other pairs cannot be ordered.
func compareValues(a, b any) (int, error) {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	}
	if x, ok := a.([]any); ok {
		if y, ok := b.([]any); ok {
			for i := 0; i < len(x) && i < len(y); i++ {
				if c, err := compareValues(x[i], y[i]); err != nil || c != 0 {
					return c, err
				}
			}
			return len(x) - len(y), nil
		}
	}
	return 0, fmt.Errorf("can not compare %s with %s", dotpath.TypeName(a), dotpath.TypeName(b))
}

func number(v any) (float64, bool) {
	if b, ok := v.(bool); ok {
		if b {
			return 1, true
		}
		return 0, true
	}
	if _, ok := v.(string); ok {
		return 0, false
	}
	return dotpath.ToFloat(v)
}

// sortStable sorts n items by less-or-error, stable as Python's sort.
func sortStable(n int, swap func(i, j int), cmp func(i, j int) (int, error), desc bool) error {
	var err error
	sort.Stable(sorter{n: n, swap: swap, less: func(i, j int) bool {
		c, e := cmp(i, j)
		if e != nil && err == nil {
			err = e
		}
		if desc {
			return c > 0
		}
		return c < 0
	}})
	return err
}

type sorter struct {
	n    int
	swap func(i, j int)
	less func(i, j int) bool
}

func (s sorter) Len() int           { return s.n }
func (s sorter) Swap(i, j int)      { s.swap(i, j) }
func (s sorter) Less(i, j int) bool { return s.less(i, j) }

var sortDictSpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("data").Name("Object to sort").
		Description("A reference to the object to sort, e.g. event@properties.scores.").
		Initial("").Component("dotPath", map[string]any{"label": "Data to sort", "defaultSourceValue": "event"}).Required()).
	Field(directionField).
	Field(plugin.NewEnumField("sort_by",
		plugin.Option{Value: "key", Label: "Key"},
		plugin.Option{Value: "value", Label: "Value"}).Name("Sort by").
		Description("Sort the pairs by their keys or by their values.").Default("key"))

// SortDictionary sorts an object's pairs by key or by value.
type SortDictionary struct {
	plugin.ActionRunner
	data    dotpath.Value
	desc    bool
	byValue bool
}

// SetUp reads the reference and the order.
func (a *SortDictionary) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sortDictSpec.Parse(config)
	if err != nil {
		return err
	}
	a.data, a.desc, a.byValue = c.Value("data"), c.String("direction") == "desc", c.String("sort_by") == "value"
	return nil
}

// Run sorts the object into a list of [key, value] pairs.
func (a *SortDictionary) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.data.Resolve(a.Scope(payload))
	if err != nil {
		return plugin.Port("error", plugin.Payload{"message": err.Error()}), nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return plugin.Port("error", plugin.Payload{"message": fmt.Sprintf("Referenced %s is not a dictionary.", a.data)}), nil
	}
	pairs := make([][2]any, 0, len(m))
	for k, val := range m {
		pairs = append(pairs, [2]any{k, val})
	}
	// Map order is random: start from the keys' order so that equal
	// values come out the same way every time.
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0].(string) < pairs[j][0].(string) })
	pos := 0
	if a.byValue {
		pos = 1
	}
	err = sortStable(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] },
		func(i, j int) (int, error) { return compareValues(pairs[i][pos], pairs[j][pos]) }, a.desc)
	if err != nil {
		return plugin.Port("error", plugin.Payload{"message": "Can not sort " + a.data.String() + ": " + err.Error()}), nil
	}
	out := make([]any, len(pairs))
	for i, p := range pairs {
		out[i] = []any{p[0], p[1]}
	}
	return plugin.Port("result", plugin.Payload{"result": out}), nil
}

// RegisterSortDictionary describes the Sort dictionary plugin.
func RegisterSortDictionary() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &SortDictionary{} }, module: "sort_dictionary", alias: "sort_dictionary",
		class: "SortedDictAction", outputs: []string{"result", "error"}, config: sortDictSpec,
		name: "Sort dictionary", desc: "Sorts an object's key-value pairs by key or by value into a list of pairs.",
		icon: "sort", tags: []string{"sort", "object"},
		manual: "The result is a list of `[key, value]` pairs, e.g. sorting `{\"b\": 1, \"a\": 2}` by key gives " +
			"`{\"result\": [[\"a\", 2], [\"b\", 1]]}`. Values are compared as numbers or as text; values that " +
			"cannot be compared (a number with a text) send an error. A `data` that is not a reference is " +
			"taken as a literal value, which is not an object, so it sends an error too.",
		input: "Any object; the data may be in it as payload@...",
		ports: plugin.Ports{
			"result": "{\"result\": [[key, value], ...]} in the chosen order.",
			"error":  "{\"message\": ...} when the reference is missing or not an object, or the values cannot be compared.",
		},
	})
}

var sortArraySpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("data").Name("List to sort").
		Description("A reference to the list to sort, e.g. event@properties.items.").
		Initial("").Component("dotPath", map[string]any{"label": "Data", "defaultSourceValue": "event"}).Required()).
	Field(directionField)

// SortArray sorts a list.
type SortArray struct {
	plugin.ActionRunner
	data dotpath.Value
	desc bool
}

// SetUp reads the reference and the order.
func (a *SortArray) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sortArraySpec.Parse(config)
	if err != nil {
		return err
	}
	a.data, a.desc = c.Value("data"), c.String("direction") == "desc"
	return nil
}

// Run sorts a copy of the list.
func (a *SortArray) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.data.Resolve(a.Scope(payload))
	if err != nil {
		return plugin.Port("error", plugin.Payload{"message": err.Error()}), nil
	}
	list, ok := v.([]any)
	if !ok {
		return plugin.Port("error", plugin.Payload{"message": fmt.Sprintf("Referenced %s is not an array.", a.data)}), nil
	}
	out := append([]any(nil), list...)
	err = sortStable(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] },
		func(i, j int) (int, error) { return compareValues(out[i], out[j]) }, a.desc)
	if err != nil {
		return plugin.Port("error", plugin.Payload{"message": "Can not sort " + a.data.String() + ": " + err.Error()}), nil
	}
	return plugin.Port("result", plugin.Payload{"result": out}), nil
}

// RegisterSortArray describes the Sort list plugin.
func RegisterSortArray() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &SortArray{} }, module: "sort_array", alias: "sort_array_action",
		class: "SortArrayAction", outputs: []string{"result", "error"}, config: sortArraySpec,
		name: "Sort list", desc: "Sorts a list in ascending or descending order.",
		icon: "sort", tags: []string{"sort", "array"},
		manual: "Numbers sort as numbers, text as text, lists item by item; a list that mixes kinds that " +
			"cannot be compared sends an error. The list in the event, profile or payload is not changed. " +
			"Differences from Tracardi: a port carries an object, so the sorted list comes as " +
			"`{\"result\": [...]}` rather than as the bare list.",
		input: "Any object; the list may be in it as payload@...",
		ports: plugin.Ports{
			"result": "{\"result\": [...]}: the sorted list.",
			"error":  "{\"message\": ...} when the reference is missing or not a list, or its items cannot be compared.",
		},
	})
}
