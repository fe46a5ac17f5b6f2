package operations

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

var mergeProfilesSpec = plugin.NewConfigSpec().
	Group("Merge keys", "").
	Field(plugin.NewListField("mergeBy").Name("Merge by fields").
		Description("Profile fields that together identify a person, e.g. profile@data.contact.email.main. Profiles "+
			"holding the same values in all of them are merged into one when the request's changes are stored.").
		Initial([]any{}).
		Component("listOfDotPaths", map[string]any{"label": "condition", "defaultSourceValue": "profile"}).
		Check(func(v any) error {
			l, _ := v.([]string)
			for _, k := range l {
				if !strings.HasPrefix(k, "profile@") || len(k) == len("profile@") {
					return fmt.Errorf("%q is not a profile field: merge keys start with profile@", k)
				}
			}
			return nil
		}))

// MergeProfiles asks for the run's profile to be merged with the profiles
// that share its merge keys.
type MergeProfiles struct {
	plugin.ActionRunner
	keys []any
}

// SetUp reads the merge keys.
func (a *MergeProfiles) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mergeProfilesSpec.Parse(config)
	if err != nil {
		return err
	}
	for _, k := range c.Strings("mergeBy") {
		a.keys = append(a.keys, k)
	}
	if len(a.keys) == 0 {
		return plugin.FieldErrors{{Field: "mergeBy", Message: "add at least one profile field to merge by, or remove this node: with none it does nothing"}}
	}
	return nil
}

// Run sets the profile's merge keys (operation.merge) and passes the
// payload on.
func (a *MergeProfiles) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		if md, _ := a.Event["metadata"].(map[string]any); md != nil && md["profile_less"] == true {
			a.Console.Warning("Can not merge profiles: this event is profile-less.")
			return plugin.Port("payload", payload), nil
		}
		msg := "Can not merge profiles: the run has no profile."
		a.Console.Error("%s", msg)
		return plugin.Port("error", plugin.Payload{"message": msg}), nil
	}
	op, _ := a.Profile["operation"].(map[string]any)
	if op == nil {
		op = map[string]any{}
		a.Profile["operation"] = op
	}
	op["merge"] = append([]any(nil), a.keys...)
	return plugin.Port("payload", payload), nil
}

// RegisterMergeProfiles describes the Merge profiles plugin.
func RegisterMergeProfiles() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &MergeProfiles{} }, module: "merge_profiles",
		alias: "operations.merge_profiles_action", class: "MergeProfilesAction",
		outputs: []string{"payload", "error"}, config: mergeProfilesSpec,
		name: "Merge profiles", icon: "merge", tags: []string{"profile", "merge", "identity"},
		desc: "Merges the profile with the stored profiles that hold the same values in the merge-by fields, " +
			"once the request's changes are stored.",
		manual: "The node sets the profile's merge keys. After the flows of the request have run and their " +
			"changes are stored, the server gives the profile an id made from the values of the merge-by fields " +
			"(an MD5, so the values are not readable from it) and merges every profile that holds that id into " +
			"one, in the same request: the oldest profile survives, the others' ids become its aliases, their " +
			"events and sessions move to it, and the rule of docs/data-model.md decides each field; the answer " +
			"of /track carries the survivor's id. A profile with an empty merge-by field is not merged. Use it " +
			"when an event brings personal data that identifies the person. On a profile-less event it logs a " +
			"warning and does nothing. Differences from Tracardi: the field paths are kept as written (Tracardi " +
			"lower-cases them), and the merge happens in the request, under the locks of every profile involved.",
		input: "Any object.",
		ports: plugin.Ports{"payload": "The payload as it came.", "error": "{\"message\": ...} when the run has no profile."},
	})
}
