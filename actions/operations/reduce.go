package operations

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var reduceSpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("array").Name("List to reduce").
		Description("A reference to the list to count, e.g. event@properties.items.").
		Initial(nil).Required().Component("dotPath", map[string]any{"label": "Array", "defaultSourceValue": "event"}))

// ReduceArray counts the items of a list.
type ReduceArray struct {
	plugin.ActionRunner
	array dotpath.Value
}

// SetUp reads the reference.
func (a *ReduceArray) SetUp(_ context.Context, config plugin.Config) error {
	c, err := reduceSpec.Parse(config)
	if err != nil {
		return err
	}
	a.array = c.Value("array")
	return nil
}

// Run counts each distinct item and finds the most and least frequent.
func (a *ReduceArray) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.array.Resolve(a.Scope(payload))
	if err != nil {
		return plugin.Port("error", plugin.Payload{"error": err.Error()}), nil
	}
	list, ok := v.([]any)
	if !ok {
		return plugin.Port("error", plugin.Payload{"error": fmt.Sprintf("%s is not a list: it is %s.", a.array, dotpath.TypeName(v))}), nil
	}
	counts := map[string]any{}
	var order []string // first appearance, which breaks ties
	for _, item := range list {
		k := pythonStr(item)
		n, seen := counts[k].(float64)
		if !seen {
			order = append(order, k)
		}
		counts[k] = n + 1
	}
	var most, least any
	if len(order) > 0 {
		hi, lo := order[0], order[0]
		for _, k := range order[1:] {
			if counts[k].(float64) > counts[hi].(float64) {
				hi = k
			}
			if counts[k].(float64) < counts[lo].(float64) {
				lo = k
			}
		}
		most, least = hi, lo
	}
	return plugin.Port("result", plugin.Payload{"counts": counts, "max": most, "min": least, "total": float64(len(list))}), nil
}

// pythonStr is the text Python's str gives a JSON value, which Tracardi
// uses as the key of its counts.
func pythonStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	return dotpath.Stringify(v)
}

// RegisterReduceArray describes the Reduce array plugin.
func RegisterReduceArray() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &ReduceArray{} }, module: "reduce_array", alias: "operations.reduce_array.plugin",
		class: "ArrayReducer", outputs: []string{"result", "error"}, config: reduceSpec,
		name: "Reduce array", desc: "Counts how often each item appears in a list.", icon: "array",
		tags: []string{"array", "count"},
		manual: "For `[\"a\", \"b\", \"a\"]` the result is `{\"counts\": {\"a\": 2, \"b\": 1}, \"max\": \"a\", " +
			"\"min\": \"b\", \"total\": 3}`. Items are counted by their text (`true` as \"True\", `null` as " +
			"\"None\", as Tracardi does); on a tie the item seen first wins. Differences from Tracardi: an " +
			"empty list gives counts `{}`, max and min null and total 0 instead of an error.",
		input: "Any object; the list may be in it as payload@...",
		ports: plugin.Ports{
			"result": "{\"counts\": {item: count}, \"max\": most frequent item, \"min\": least frequent, \"total\": number of items}.",
			"error":  "{\"error\": ...} when the reference is missing or not a list.",
		},
	})
}
