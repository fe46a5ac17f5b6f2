package operations

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
)

// UpdateProfile marks the profile to be saved when the flow ends.
type UpdateProfile struct {
	plugin.ActionRunner
}

// Run marks the profile for saving.
func (a *UpdateProfile) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	a.ActionRunner.UpdateProfile()
	return nil, nil
}

// RegisterUpdateProfile describes the Update profile plugin.
func RegisterUpdateProfile() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &UpdateProfile{} },
		Spec: plugin.Spec{
			Module:    "tracflow.operations.update_profile",
			Aliases:   []string{tracardi + "operations.update_profile_action"},
			ClassName: "UpdateProfileAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{},
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Update profile",
			Desc:    "Saves the profile when the flow ends, even if nothing changed it.",
			Type:    "flowNode",
			Icon:    "store",
			Group:   []string{"Operations"},
			Tags:    []string{"profile", "save"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Tracflow saves a profile that the flow changed without this node; use it to force " +
					"the save, or to undo an earlier Discard profile update. On a profile-less event it " +
					"logs a warning.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; its arrival marks the profile for saving."}},
				Outputs: map[string]plugin.PortDoc{},
			},
		},
	}
}

// DiscardProfileUpdate cancels saving the profile for this flow run.
type DiscardProfileUpdate struct {
	plugin.ActionRunner
}

// Run cancels the profile save and passes the payload on.
func (a *DiscardProfileUpdate) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	a.ActionRunner.DiscardProfileUpdate()
	return plugin.Port("payload", payload), nil
}

// RegisterDiscardProfileUpdate describes the Discard profile update plugin.
func RegisterDiscardProfileUpdate() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &DiscardProfileUpdate{} },
		Spec: plugin.Spec{
			Module:    "tracflow.operations.discard_profile_update",
			Aliases:   []string{tracardi + "operations.discard_profile_update_action"},
			ClassName: "DiscardProfileUpdateAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload"},
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Discard profile update",
			Desc:    "Keeps the profile from being saved after this flow run.",
			Type:    "flowNode",
			Icon:    "error",
			Group:   []string{"Operations"},
			Tags:    []string{"profile", "discard"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Whatever the flow changed in the profile is not saved, unless an Update profile " +
					"node runs after this one. On a profile-less event it logs a warning.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The input payload, unchanged."}},
			},
		},
	}
}
