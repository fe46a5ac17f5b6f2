package list

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var findMaxSpec = plugin.NewConfigSpec().
	Group("Plugin Configuration", "").
	Field(plugin.NewValueField("source").Name("Source Path").
		Description("A reference to an object of key: number, e.g. profile@stats.counters.categories.").
		Prop("label", "Source Path")).
	Field(plugin.NewEnumField("operation", plugin.Option{Value: "max", Label: "Max"}, plugin.Option{Value: "min", Label: "Min"}).
		Name("Min/Max").Description("Whether to find the greatest or the least value.").Default("max"))

// FindMaxValue returns the key of the greatest (or least) value of an object.
type FindMaxValue struct {
	plugin.ActionRunner
	source dotpath.Value
	min    bool
}

// SetUp reads the source and the operation.
func (a *FindMaxValue) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := findMaxSpec.Parse(c)
	if err != nil {
		return err
	}
	a.source, a.min = cfg.Value("source"), cfg.String("operation") == "min"
	return nil
}

// Run sends {"key", "value"} on result, or the problem on error.
func (a *FindMaxValue) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.source.String() == "" {
		return a.ErrorResult("The source is not set; give a reference such as profile@stats.counters.categories.", "error"), nil
	}
	v, err := a.source.Resolve(a.Scope(payload))
	if err != nil {
		return a.ErrorResult(fmt.Sprintf("Source %s: %v", a.source, err), "error"), nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return a.ErrorResult(fmt.Sprintf("Source %s is not an object: it is %s.", a.source, dotpath.TypeName(v)), "error"), nil
	}
	if len(m) == 0 {
		return a.ErrorResult(fmt.Sprintf("Source %s is an empty object.", a.source), "error"), nil
	}
	var bestKey string
	var bestVal any
	var best float64
	first := true
	for k, x := range m {
		f, isNum := dotpath.ToFloat(x)
		if _, isBool := x.(bool); !isNum || isBool || x == nil {
			return a.ErrorResult(fmt.Sprintf("Not all values of %s are numbers: %q is %s.", a.source, k, dotpath.TypeName(x)), "error"), nil
		}
		better := f > best
		if a.min {
			better = f < best
		}
		// Ties go to the key that sorts first, so the answer does not
		// depend on the object's order.
		if first || better || f == best && k < bestKey {
			bestKey, bestVal, best, first = k, x, f, false
		}
	}
	return plugin.Port("result", plugin.Payload{"key": bestKey, "value": bestVal}), nil
}

// RegisterFindMaxValue describes the Max/Min Value plugin.
func RegisterFindMaxValue() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &FindMaxValue{} },
		Spec: plugin.Spec{
			Module: tracardi + "list.find_max_value.plugin", ClassName: "FindMaxValuePlugin",
			Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: findMaxSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Max/Min Value",
			Desc: "Returns the key of an object whose number is the greatest (or the least).",
			Type: "flowNode", Icon: "plugin", Group: []string{"Data Analysis"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "With source profile@stats.counters.categories holding {\"shoes\": 5, \"hats\": 2}, max " +
					"gives {\"key\": \"shoes\", \"value\": 5}. When several keys share the value, the key that sorts " +
					"first wins.\n\nDifferences from Tracardi: true and false are not numbers (Python counts them " +
					"as 1 and 0); ties are decided by key rather than by the object's order.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the source may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"key\": the key, \"value\": its number}."},
					"error":  {Desc: "{\"message\": ...} when the source is missing, not an object, empty, or holds a value that is not a number."},
				},
			},
		},
	}
}
