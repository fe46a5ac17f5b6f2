package data

import (
	"context"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var autoMergeSpec = plugin.NewConfigSpec().
	Group("Define how to update traits", "").
	Field(plugin.NewStringField("sub_traits").Name("Sub traits path").
		Description("Empty: merge into the profile's traits. A path such as preferences.ui: merge into profile@traits.preferences.ui.").
		Pattern(`^\s*([A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*)?\s*$`, "A path of keys joined by dots, e.g. preferences.ui.").
		Prop("label", "Sub path"))

// MergeProperties copies the event's properties into the profile's traits.
type MergeProperties struct {
	plugin.ActionRunner
	path []string
}

// SetUp reads the sub-path.
func (a *MergeProperties) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := autoMergeSpec.Parse(c)
	if err != nil {
		return err
	}
	if p := strings.TrimSpace(cfg.String("sub_traits")); p != "" {
		a.path = strings.Split(p, ".")
	}
	return nil
}

// Run merges and sends the traits on traits; without a profile it sends {}
// on error.
func (a *MergeProperties) Run(_ context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Warning("Event properties not merged: this event has no profile.")
		return plugin.Port("error", plugin.Payload{}), nil
	}
	traits := a.Profile.Traits()
	props := a.Event.Properties()
	target := traits
	if len(a.path) > 0 {
		parent := traits
		for _, k := range a.path[:len(a.path)-1] {
			next, ok := parent[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				parent[k] = next
			}
			parent = next
		}
		last := a.path[len(a.path)-1]
		cur, exists := parent[last]
		m, isObj := cur.(map[string]any)
		if !isObj {
			if exists {
				a.Console.Warning("profile@traits.%s held %s; it is replaced by the event properties.",
					strings.Join(a.path, "."), dotpath.TypeName(cur))
			}
			m = map[string]any{}
			parent[last] = m
		}
		target = m
	}
	for k, v := range props {
		target[k] = dotpath.DeepCopy(v)
	}
	a.UpdateProfile()
	return plugin.Port("traits", plugin.Payload(traits)), nil
}

// RegisterMergeProperties describes the Merge event properties plugin.
func RegisterMergeProperties() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &MergeProperties{} },
		Spec: plugin.Spec{
			Module: tracardi + "traits.auto_merge_properties_to_profile_action", ClassName: "AutoMergePropertiesToProfileAction",
			Inputs: []string{"payload"}, Outputs: []string{"traits", "error"},
			Config: autoMergeSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Merge event properties",
			Desc: "Copies every property of the event into the profile's traits.",
			Type: "flowNode", Icon: "merge", Group: []string{"Data processing"},
			Tags: []string{"traits", "profile"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Each top-level property of the event replaces the trait of the same name (a shallow " +
					"merge); other traits stay. With a sub-path the properties are merged into the object at " +
					"profile@traits.<sub-path>, which is created when missing and replaced, with a warning, when it " +
					"is not an object. The profile is saved.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object (not used)."}},
				Outputs: map[string]plugin.PortDoc{
					"traits": {Desc: "The profile's traits after the merge."},
					"error":  {Desc: "{} when the event has no profile (a warning is logged)."},
				},
			},
		},
	}
}
