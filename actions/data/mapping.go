package data

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var mappingSpec = plugin.NewConfigSpec().
	Group("Mapping configuration", "").
	Field(plugin.NewValueField("value").Name("Value").
		Description("A reference to the value to match, e.g. payload@status, or a value.").
		Required().Prop("label", "Value").Prop("defaultSourceValue", "payload")).
	Field(plugin.NewBoolField("case_sensitive").Name("Case sensitivity").
		Description("Match text with its letter case; when off, text is lowercased before matching (and in the answer).").
		Default(false).Prop("label", "Enable case sensitivity")).
	Field(plugin.NewObjectField("mapping").Name("Set of replacements").
		Description("Pairs of key and value: the value of the key equal to the matched value is returned. Keys and values may be references.").
		Required().Prop("label", "List").
		Check(func(v any) error {
			if len(v.(map[string]any)) == 0 {
				return fmt.Errorf("the mapping needs at least one pair")
			}
			return nil
		}))

type mapEntry struct {
	key, val dotpath.Value
}

// ValueMapping returns the value a mapping gives for a key.
type ValueMapping struct {
	plugin.ActionRunner
	value         dotpath.Value
	caseSensitive bool
	entries       []mapEntry
	// static holds the entries when every key is a literal (the usual
	// case), keyed as matched.
	static map[any]dotpath.Value
}

func (a *ValueMapping) fold(v any) any {
	if s, ok := v.(string); ok && !a.caseSensitive {
		return strings.ToLower(s)
	}
	return v
}

// SetUp reads the mapping; keys that differ only in letter case are refused
// when matching ignores case.
func (a *ValueMapping) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := mappingSpec.Parse(c)
	if err != nil {
		return err
	}
	a.value, a.caseSensitive = cfg.Value("value"), cfg.Bool("case_sensitive")
	m := cfg.Object("mapping")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	static := map[any]dotpath.Value{}
	seen := map[string]string{}
	for _, k := range keys {
		kv, err := dotpath.CompileValue(k)
		if err != nil {
			return plugin.FieldErr("mapping."+k, "%v", err)
		}
		var vv dotpath.Value
		if s, ok := m[k].(string); ok {
			if vv, err = dotpath.CompileValue(s); err != nil {
				return plugin.FieldErr("mapping."+k, "%v", err)
			}
		} else {
			vv = dotpath.Literal(m[k])
		}
		if !a.caseSensitive {
			if other, dup := seen[strings.ToLower(k)]; dup {
				return plugin.FieldErr("mapping", "keys %q and %q differ only in letter case; turn case sensitivity on or keep one", other, k)
			}
			seen[strings.ToLower(k)] = k
		}
		a.entries = append(a.entries, mapEntry{kv, vv})
		if static != nil && !kv.IsRef() {
			lit, _ := kv.Resolve(nil)
			static[a.fold(lit)] = vv
		} else {
			static = nil
		}
	}
	a.static = static
	return nil
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// Run sends {"value": the mapped value} on result, null when no key
// matches. A reference that is missing fails the node.
func (a *ValueMapping) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	v, err := a.value.Resolve(s)
	if err != nil {
		return nil, fmt.Errorf("value %s: %w", a.value, err)
	}
	v = a.fold(v)
	var hit *dotpath.Value
	if isScalar(v) {
		if a.static != nil {
			switch v.(type) {
			case float64, int, bool:
				v = dotpath.Stringify(v) // literal keys are text: 2 matches "2"
			}
			if vv, ok := a.static[v]; ok {
				hit = &vv
			}
		} else {
			for i := range a.entries {
				k, err := a.entries[i].key.Resolve(s)
				if err != nil {
					return nil, fmt.Errorf("mapping key %s: %w", a.entries[i].key, err)
				}
				if k = a.fold(k); isScalar(k) && k == v {
					hit = &a.entries[i].val
				}
			}
		}
	}
	if hit == nil {
		return plugin.Port("result", plugin.Payload{"value": nil}), nil
	}
	out, err := hit.Resolve(s)
	if err != nil {
		return nil, fmt.Errorf("mapping value %s: %w", hit, err)
	}
	return plugin.Port("result", plugin.Payload{"value": dotpath.DeepCopy(a.fold(out))}), nil
}

// RegisterValueMapping describes the Value mapping plugin.
func RegisterValueMapping() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &ValueMapping{} },
		Spec: plugin.Spec{
			Module: tracardi + "mapping_action", ClassName: "MappingAction",
			Inputs: []string{"payload"}, Outputs: []string{"result"},
			Config: mappingSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Value mapping",
			Desc: "Returns the value a set of pairs gives for a key, e.g. a country name for its code.",
			Type: "flowNode", Icon: "map-properties", Group: []string{"Data processing"},
			Keywords: []string{"switch", "matching"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "With value payload@code and mapping {\"PL\": \"Poland\", \"DE\": \"Germany\"}, a payload " +
					"{\"code\": \"pl\"} gives {\"value\": \"poland\"} (matching ignores case unless case sensitivity is " +
					"on, and text is then lowercased) and an unknown code {\"value\": null}. A number or boolean matches " +
					"the key written as it (2 matches \"2\", true matches \"true\"). A reference that is missing stops the flow with an error.\n\n" +
					"Differences from Tracardi: a number matches its key written as text (Tracardi's keys are text, so " +
					"numbers never match).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the value may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"value\": the mapped value}, or {\"value\": null} when no key matches."},
				},
			},
		},
	}
}
