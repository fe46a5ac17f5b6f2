package data

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var randomItemSpec = plugin.NewConfigSpec().
	Group("Random item configuration", "").
	Field(plugin.NewAnyField("list_of_items").Name("List of items").
		Description("The items to choose from: values, or references to values (e.g. profile@traits.favourite).").
		Required().Component("listOfDotPaths", map[string]any{"label": "List", "defaultMode": 2}).
		Check(func(v any) error {
			l, ok := v.([]any)
			if !ok {
				return fmt.Errorf("expected a list of items, got %s", dotpath.TypeName(v))
			}
			if len(l) == 0 {
				return fmt.Errorf("the list must hold at least one item")
			}
			return nil
		}))

// RandomItem returns one item of a list, chosen at random.
type RandomItem struct {
	plugin.ActionRunner
	items []dotpath.Value
	// pick returns a number in [0, n); tests fix it.
	pick func(n int) int
}

// SetUp compiles the items.
func (a *RandomItem) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := randomItemSpec.Parse(c)
	if err != nil {
		return err
	}
	for i, it := range cfg.Any("list_of_items").([]any) {
		s, ok := it.(string)
		if !ok {
			a.items = append(a.items, dotpath.Literal(it))
			continue
		}
		v, err := dotpath.CompileValue(s)
		if err != nil {
			return plugin.FieldErr(fmt.Sprintf("list_of_items.%d", i), "%v", err)
		}
		a.items = append(a.items, v)
	}
	if a.pick == nil {
		a.pick = rand.IntN
	}
	return nil
}

// Run sends {"value": item} on random_element; a chosen reference that is
// missing fails the node.
func (a *RandomItem) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	it := a.items[a.pick(len(a.items))]
	v, err := it.Resolve(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("item %s: %w", it, err)
	}
	return plugin.Port("random_element", plugin.Payload{"value": dotpath.DeepCopy(v)}), nil
}

// RegisterRandomItem describes the Random item plugin.
func RegisterRandomItem() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &RandomItem{} },
		Spec: plugin.Spec{
			Module: tracardi + "return_random_element_action", ClassName: "RandomItemAction",
			Inputs: []string{"payload"}, Outputs: []string{"random_element"},
			Config: randomItemSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Random item",
			Desc: "Returns one item of a list, chosen at random.",
			Type: "flowNode", Icon: "shuffle", Group: []string{"Data processing"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Every item has the same chance at every run. An item that is a reference is read from " +
					"the event, profile, payload...; a chosen reference that is missing stops the flow with an error.\n\n" +
					"Differences from Tracardi: Tracardi removes the chosen item from the node's list, so a node " +
					"returns each item once and then fails; here the list stays whole.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; items may refer to it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"random_element": {Desc: "{\"value\": the chosen item}."},
				},
			},
		},
	}
}
