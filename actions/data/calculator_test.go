package data

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestCalculator(t *testing.T) {
	cases := []struct {
		name   string
		dsl    string
		result float64
		vars   map[string]any
	}{
		{"precedence", "1 + 2 * 3", 7, map[string]any{}},
		{"parentheses and unary minus", "-(1 + 2) * -2", 6, map[string]any{}},
		{"variables", "a = event@properties.a\nb = a / 4\n\nc.d = b - 0.5", 2, map[string]any{"a": 10.0, "b": 2.5, "c": map[string]any{"d": 2.0}}},
		{"numeric text and exponent", "event@properties.text * 1e2", 150, map[string]any{}},
		{"left to right", "8 / 2 / 2 - 1 - 1", 0, map[string]any{}},
		{"a name and a nested name", "a.b = 2\na = 1", 1, map[string]any{"a": map[string]any{"b": 2.0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, RegisterCalculator(), plugintest.Case{
				Config: plugin.Config{"calc_dsl": c.dsl},
				Event:  plugin.Event{"type": "x", "properties": map[string]any{"a": 10.0, "text": "1.5"}},
			})
			got := out.MustPort(t, "payload")
			if got["result"] != c.result || !reflect.DeepEqual(got["variables"], c.vars) {
				t.Errorf("got %v, want result %v variables %v", got, c.result, c.vars)
			}
		})
	}
}

func TestCalculatorWrites(t *testing.T) {
	profile := plugin.Profile{"id": "p", "stats": map[string]any{"x": 1.0}}
	out := plugintest.Run(t, RegisterCalculator(), plugintest.Case{
		Config:  plugin.Config{"calc_dsl": "b = 1\nprofile@stats.x = profile@stats.x + event@properties.a + 2 * (3 - b)\nmemory@y = 2\npayload@z = profile@stats.x"},
		Event:   plugin.Event{"type": "x", "properties": map[string]any{"a": 4}},
		Profile: profile,
	})
	if got := out.MustPort(t, "payload"); got["result"] != 9.0 {
		t.Errorf("result = %v", got)
	}
	if dotpath.At(profile, "stats.x") != 9.0 || out.State.Memory["y"] != 2.0 {
		t.Errorf("profile %v memory %v", profile, out.State.Memory)
	}
	// Without a profile the write is skipped with a warning.
	out = plugintest.Run(t, RegisterCalculator(), plugintest.Case{Config: plugin.Config{"calc_dsl": "profile@stats.x = 1"}})
	out.MustPort(t, "payload")
	if len(out.Logs()) != 1 || out.Logs()[0].Level != "warning" {
		t.Errorf("logs = %v", out.Logs())
	}
}

func TestCalculatorRunErrors(t *testing.T) {
	for dsl, want := range map[string]string{
		"a = profile@id + 1":           "line 1: profile@id is text that is not a number",
		"1\n2 / (event@properties.z)":  "line 2: division by zero",
		"event@properties.missing * 2": "line 1: event@properties.missing",
		"event@properties.obj + 1":     "is not a number",
		"1e300 * 1e300":                "too large",
		"flow@id + 1":                  "flow@id",
	} {
		out := plugintest.Run(t, RegisterCalculator(), plugintest.Case{
			Config:  plugin.Config{"calc_dsl": dsl},
			Event:   plugin.Event{"type": "x", "properties": map[string]any{"z": 0.0, "obj": map[string]any{}}},
			Profile: plugin.Profile{"id": "abc"},
		})
		if out.Err == nil || !strings.Contains(out.Err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", dsl, out.Err, want)
		}
	}
}

func TestCalculatorCompileErrors(t *testing.T) {
	for dsl, want := range map[string]string{
		"":                       "is empty",
		"   \n  ":                "is empty",
		"\n1 +\n":                "line 2: a value is missing",
		"1 +":                    "line 1: a value is missing",
		"a = 1\nb = c + 1":       "line 2: variable c is not set",
		"(1 + 2":                 "line 1: expected )",
		"1 2":                    "line 1: unexpected \"2\"",
		"3 = 4":                  "cannot be assigned",
		"flow@id = 1":            "read-only",
		"1 + $":                  "unexpected '$'",
		"2x + 1":                 "neither a number nor a name",
		"profile@ + 1":           "needs a path",
		strings.Repeat("(", 200): "too deeply nested",
	} {
		errs := plugintest.SetUpFails(t, RegisterCalculator(), plugin.Config{"calc_dsl": dsl}, "calc_dsl")
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("%q: %v, want %q", dsl, errs, want)
		}
	}
}

// FuzzCalculator checks that no program text makes the compiler or a run
// panic, and that compiled programs give finite numbers or errors.
func FuzzCalculator(f *testing.F) {
	for _, s := range []string{"1 + 2 * 3", "a = payload@x\nb = a / 2", "profile@stats.x = -(payload@y - 1) * 2",
		"((1))", "1e5 / 3", "memory@m = 1\nmemory@m * 2", ".5 + 1.", "x.y = 2\nx.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := compileCalc(src)
		if err != nil {
			return
		}
		s := &dotpath.Scope{Payload: map[string]any{"x": 3.0, "y": "4"}, Profile: map[string]any{"stats": map[string]any{}}, Memory: map[string]any{}}
		env := &calcEnv{scope: s, vars: map[string]float64{}, write: func(r dotpath.Ref, v float64) error { return s.Set(r, v) }}
		_, _ = prog.run(env)
	})
}
