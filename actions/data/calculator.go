package data

import (
	"context"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var calculatorSpec = plugin.NewConfigSpec().
	Group("Calculations", "One calculation per line, in a small arithmetic language (see the plugin's documentation).").
	Field(plugin.NewStringField("calc_dsl").Name("Calculation equations").
		Description("One calculation per line, e.g. profile@stats.counters.score = profile@stats.counters.score + 2 * (event@properties.items - 1).").
		Required().Component("textarea", nil).Prop("label", "Calculations").
		Check(func(v any) error {
			_, err := compileCalc(v.(string))
			return err
		}))

// Calculator computes numbers and stores them in variables or at references.
type Calculator struct {
	plugin.ActionRunner
	prog *calcProgram
}

// SetUp compiles the calculations.
func (a *Calculator) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := calculatorSpec.Parse(c)
	if err != nil {
		return err
	}
	a.prog, err = compileCalc(cfg.String("calc_dsl"))
	return err
}

// Run evaluates the calculations and sends the last value and the variables.
func (a *Calculator) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	env := &calcEnv{scope: s, vars: map[string]float64{}}
	env.write = func(ref dotpath.Ref, v float64) error {
		if !writable(&a.ActionRunner, ref, "Calculation") {
			return nil
		}
		return s.Set(ref, v)
	}
	last, err := a.prog.run(env)
	if err != nil {
		return nil, err
	}
	// Names in order, so that of "a" and "a.b" the nested one wins every time.
	names := make([]string, 0, len(env.vars))
	for name := range env.vars {
		names = append(names, name)
	}
	sort.Strings(names)
	vars := map[string]any{}
	for _, name := range names {
		setNested(vars, strings.Split(name, "."), env.vars[name])
	}
	return plugin.Port("payload", plugin.Payload{"result": last, "variables": vars}), nil
}

// setNested sets path in m, making objects on the way (a value in the way
// is replaced).
func setNested(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// RegisterCalculator describes the Calculator plugin.
func RegisterCalculator() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Calculator{} },
		Spec: plugin.Spec{
			Module: tracardi + "calculator_action", ClassName: "CalculatorAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: calculatorSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Calculator",
			Desc: "Calculates numbers: adds, subtracts, multiplies and divides values, and stores the results.",
			Type: "flowNode", Icon: "calculator", Group: []string{"Data processing"},
			Keywords: []string{"math"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Each line is a calculation: an expression, or `target = expression`. The target is a " +
					"variable (a name such as `total` or `basket.total`) or a reference to write to " +
					"(`profile@stats.counters.score`). Expressions use numbers, references (read as numbers; numeric " +
					"text is accepted), variables set by earlier lines, `+ - * /`, a leading `-` and parentheses, " +
					"with the usual precedence:\n\n" +
					"```\nprice = event@properties.price\ntotal = price * (1 + 0.23)\nprofile@stats.counters.spent = profile@stats.counters.spent + total\n```\n\n" +
					"A `-` right after a reference is part of its path (references may hold dashes): write " +
					"`profile@a - 1`, with spaces. The lines are compiled when the flow is saved; a mistake is " +
					"reported with its line. At run time a missing or non-numeric value, a division by zero or an " +
					"overflow stops the flow with an error naming the line. Writes to the profile (session) are " +
					"skipped with a warning when the event has none.\n\n" +
					"Differences from Tracardi: a variable used before any line sets it is an error when the flow is " +
					"saved (Tracardi fails at every run); blank lines are skipped; memory@ references may be used.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it may be read as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"result\": the last line's value, \"variables\": {name: value, ...}} (dotted names nest)."},
				},
			},
		},
	}
}
