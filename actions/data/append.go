package data

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// AppendRemove appends values to lists and removes values from lists.
type AppendRemove struct {
	plugin.ActionRunner
	appends []plugin.Mapping
	removes []plugin.Mapping
}

var appendSpec = plugin.NewConfigSpec().
	Group("Append or remove", "").
	Field(plugin.NewMappingField("append").Name("Append").
		Description("Pairs of target list and value: the value (a reference or a literal) is "+
			"added to the list at the target unless it is already there. A target written "+
			"without a source (traits.tags) is in the profile, as in Tracardi.").
		Initial(map[string]any{"profile@traits.interests": "event@properties.interest"}).
		Writable().BareSource("profile").Prop("label", "Append")).
	Field(plugin.NewMappingField("remove").Name("Remove").
		Description("Pairs of target list and value: the value is removed from the list at the target.").
		Writable().BareSource("profile").Prop("label", "Remove"))

// SetUp compiles the targets and values.
func (a *AppendRemove) SetUp(_ context.Context, config plugin.Config) error {
	c, err := appendSpec.Parse(config)
	if err != nil {
		return err
	}
	a.appends, a.removes = c.Mappings("append"), c.Mappings("remove")
	return nil
}

// Run appends, then removes, and passes the payload on.
func (a *AppendRemove) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	for _, set := range a.appends {
		if !writable(&a.ActionRunner, set.Target, "Append") {
			continue
		}
		v, err := set.Source.Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("append to %s: %w", set.Target, err)
		}
		v = dotpath.DeepCopy(v)
		cur, exists := s.Lookup(set.Target)
		if exists {
			list, isList := cur.([]any)
			if !isList {
				list = []any{cur}
			}
			if items, ok := v.([]any); ok {
				for _, x := range items {
					if !containsValue(list, x) {
						list = append(list, x)
					}
				}
			} else if !containsValue(list, v) {
				list = append(list, v)
			}
			v = list
		}
		if err := s.Set(set.Target, v); err != nil {
			return nil, fmt.Errorf("append to %s: %w", set.Target, err)
		}
	}
	for _, set := range a.removes {
		if !writable(&a.ActionRunner, set.Target, "Remove") {
			continue
		}
		v, err := set.Source.Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("remove from %s: %w", set.Target, err)
		}
		v = dotpath.DeepCopy(v) // the value may be the very list it is removed from
		cur, exists := s.Lookup(set.Target)
		if !exists {
			continue
		}
		list, isList := cur.([]any)
		if !isList {
			return nil, fmt.Errorf("remove from %s: cannot remove from %s, it is not a list", set.Target, dotpath.TypeName(cur))
		}
		if items, ok := v.([]any); ok {
			for _, x := range items {
				list = removeValue(list, x)
			}
		} else {
			list = removeValue(list, v)
		}
		if err := s.Set(set.Target, list); err != nil {
			return nil, fmt.Errorf("remove from %s: %w", set.Target, err)
		}
	}
	return plugin.Port("payload", payloadOf(s, payload)), nil
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if equal(x, v) {
			return true
		}
	}
	return false
}

// removeValue removes the first element equal to v.
func removeValue(list []any, v any) []any {
	for i, x := range list {
		if equal(x, v) {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// equal compares JSON-like values; numbers compare by value whatever their
// Go type (1 equals 1.0).
func equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case string, bool, nil:
		return a == b
	}
	fa, okA := dotpath.ToFloat(a)
	fb, okB := dotpath.ToFloat(b)
	if okA && okB {
		return fa == fb
	}
	return false
}

// RegisterAppendRemove describes the Append/Remove data plugin.
func RegisterAppendRemove() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &AppendRemove{} },
		Spec: plugin.Spec{
			Module:    "tracflow.data.append_remove",
			Aliases:   []string{tracardi + "traits.append_trait_action"},
			ClassName: "AppendTraitAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload", "error"},
			Config:    appendSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Append/Remove data",
			Desc:    "Appends values to lists, or removes them, at references.",
			Type:    "flowNode",
			Icon:    "append",
			Group:   []string{"Data processing"},
			Tags:    []string{"traits", "profile", "list", "append", "remove", "data"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Appending: when the target is missing it is set to the value (as it is: a single " +
					"value stays a single value, as in Tracardi); a value already there that is not a " +
					"list becomes a list holding it; then the value, or each item of a list value, is " +
					"added unless the list already holds it. Removing: each item is removed once from " +
					"the list; a missing target is left alone; a target that is not a list is an error. " +
					"Appends run before removes. Event targets, and profile or session targets of events " +
					"without one, are skipped with a warning.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; values and targets can use it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The input payload, with any payload@ targets changed."},
					"error":   {Desc: "{\"message\": ...} when a value's reference is missing or a remove target is not a list."},
				},
			},
		},
	}
}
