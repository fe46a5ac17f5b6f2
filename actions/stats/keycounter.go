package stats

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var keyCounterSpec = plugin.NewConfigSpec().
	Field(plugin.NewAnyField("key").Name("Key").
		Description("The key to count, a reference to it (e.g. event@properties.category), or a list of keys and references. "+
			"A referenced list counts each of its items; a referenced object adds its numeric values to its keys.").
		Required().Component("dotPath", map[string]any{"defaultSourceValue": "event"}).
		Check(func(v any) error {
			switch x := v.(type) {
			case string:
				return nil
			case []any:
				for _, it := range x {
					if _, ok := it.(string); !ok {
						return fmt.Errorf("expected keys or references as text, got %s", dotpath.TypeName(it))
					}
				}
				return nil
			}
			return fmt.Errorf("expected a key, a reference or a list of them, got %s", dotpath.TypeName(v))
		})).
	Field(plugin.NewRefField("save_in").Name("Place to save").
		Description("A reference to the object holding the counts, e.g. profile@stats.counters.categories; it is created when missing.").
		Required().Writable().BareSource("profile").Component("forceDotPath", map[string]any{"defaultSourceValue": "profile"}))

// KeyCounter counts how often keys occur, in an object of key: count.
type KeyCounter struct {
	plugin.ActionRunner
	keys   []dotpath.Value
	list   bool // key was given as a list
	saveIn dotpath.Ref
}

// SetUp compiles the keys and the place of the counts.
func (a *KeyCounter) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := keyCounterSpec.Parse(c)
	if err != nil {
		return err
	}
	a.saveIn = cfg.Ref("save_in")
	raw := cfg.Any("key")
	var texts []string
	if l, ok := raw.([]any); ok {
		a.list = true
		for _, it := range l {
			texts = append(texts, it.(string))
		}
	} else {
		texts = []string{raw.(string)}
	}
	for i, s := range texts {
		v, err := dotpath.CompileValue(s)
		if err != nil {
			field := "key"
			if a.list {
				field = fmt.Sprintf("key.%d", i)
			}
			return plugin.FieldErr(field, "%v", err)
		}
		a.keys = append(a.keys, v)
	}
	return nil
}

func addCount(counts map[string]any, key string, by float64) error {
	cur, ok := counts[key]
	n := 0.0
	if ok && cur != nil {
		f, isNum := dotpath.ToFloat(cur)
		if !isNum {
			return fmt.Errorf("the count of %q is not a number: it is %s", key, dotpath.TypeName(cur))
		}
		n = f
	}
	counts[key] = n + by
	return nil
}

// count adds one occurrence of v: text counts 1 for itself, an object
// adds its numeric values to its keys, a list counts each item.
func count(counts map[string]any, v any, top bool) error {
	switch x := v.(type) {
	case string:
		return addCount(counts, x, 1)
	case map[string]any:
		for k, n := range x {
			f, ok := dotpath.ToFloat(n)
			if _, isBool := n.(bool); !ok || isBool || n == nil {
				return fmt.Errorf("the value of %q is not a number: it is %s", k, dotpath.TypeName(n))
			}
			if err := addCount(counts, k, f); err != nil {
				return err
			}
		}
		return nil
	case []any:
		if top {
			for _, it := range x {
				if err := count(counts, it, false); err != nil {
					return err
				}
			}
			return nil
		}
	case float64, int, bool:
		if !top {
			return addCount(counts, dotpath.Stringify(x), 1)
		}
	}
	return fmt.Errorf("keys to count must be text, a list or an object, got %s", dotpath.TypeName(v))
}

// Run counts the keys and passes the payload on.
func (a *KeyCounter) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if !a.Writable(a.saveIn, "Key count") {
		return plugin.Port("payload", payload), nil
	}
	s := a.Scope(payload)
	var keys any
	if a.list {
		l := make([]any, 0, len(a.keys))
		for _, k := range a.keys {
			v, err := k.Resolve(s)
			if err != nil {
				return nil, fmt.Errorf("key %s: %w", k, err)
			}
			l = append(l, v)
		}
		keys = l
	} else {
		v, err := a.keys[0].Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", a.keys[0], err)
		}
		keys = v
	}
	stored, _ := s.Lookup(a.saveIn)
	var counts map[string]any
	switch x := stored.(type) {
	case nil:
		counts = map[string]any{}
	case map[string]any:
		counts = dotpath.DeepCopy(x).(map[string]any) // unchanged on error
	default:
		return nil, fmt.Errorf("the counts at %s must be an object, it is %s", a.saveIn, dotpath.TypeName(stored))
	}
	if err := count(counts, keys, true); err != nil {
		return nil, err
	}
	if err := s.Set(a.saveIn, counts); err != nil {
		return nil, err
	}
	if m, ok := s.Payload.(map[string]any); ok {
		payload = m
	}
	return plugin.Port("payload", payload), nil
}

// RegisterKeyCounter describes the Key counter plugin.
func RegisterKeyCounter() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &KeyCounter{} },
		Spec: plugin.Spec{
			Module: tracardi + "metrics.key_counter.plugin", ClassName: "KeyCounterAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: keyCounterSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Key counter",
			Desc: "Counts how often keys occur, e.g. the categories a customer viewed, in an object of key: count.",
			Type: "flowNode", Icon: "bar-chart", Group: []string{"Stats"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "With key event@properties.category and save_in profile@stats.counters.categories, an event " +
					"with category \"shoes\" turns {\"shoes\": 1} into {\"shoes\": 2}. A key that is a list counts each " +
					"item; an object such as {\"shoes\": 2, \"hats\": 1} adds its numbers. A missing or null place " +
					"starts as {}. A missing key, a place that is not an object, or a count that is not a number " +
					"stops the flow with an error and leaves the counts as they were. On an event without a profile " +
					"(session) a profile@ (session@) place is skipped with a warning.\n\n" +
					"Differences from Tracardi: numbers and booleans inside a counted list count as their text; a " +
					"place written without a source (stats.x) is in the profile.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; keys may be read from it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The input payload (with the counts, when they are kept in it)."},
				},
			},
		},
	}
}
