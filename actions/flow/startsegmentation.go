package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// StartSegmentation is the entry node of a segmentation flow: a flow run
// for a profile rather than for a tracked event (a segment's workflow).
// In debug runs it loads the profile named in its config, so that the flow
// can be tried in the editor.
type StartSegmentation struct {
	plugin.ActionRunner
	profileID string
}

var startSegmentationSpec = plugin.NewConfigSpec().
	Field(tracardiKey("debug", false)).
	Group("Debugging configuration", "In debug runs the flow runs for this profile.").
	Field(plugin.NewStringField("profile_id").Name("Profile ID").
		Description("The profile a debug run loads (by id or alias). Needed to debug the flow; not used outside debug runs.").
		Initial("").Prop("label", "Profile ID"))

// SetUp reads the debug profile id.
func (a *StartSegmentation) SetUp(_ context.Context, config plugin.Config) error {
	c, err := startSegmentationSpec.Parse(config)
	if err != nil {
		return err
	}
	a.profileID = strings.TrimSpace(c.String("profile_id"))
	return nil
}

// Run starts the flow; in a debug run it first loads the configured profile
// and gives the run a segmentation event and an empty session.
func (a *StartSegmentation) Run(ctx context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if !a.Debug {
		return plugin.Port("payload", plugin.Payload{}), nil
	}
	if a.profileID == "" {
		a.Console.Error("Can not run segmentation without a profile: set the profile id in the node's configuration to debug the flow.")
		return nil, nil
	}
	data, err := a.StoredData()
	if err != nil {
		return nil, err
	}
	found, _, err := data.ProfilesByField(ctx, "id", a.profileID, 1)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		a.Console.Error("Can not run segmentation: there is no profile %q.", a.profileID)
		return nil, nil
	}
	p := found[0]
	if p.ID() == "" {
		return nil, errors.New("the stored profile has no id")
	}
	now := time.Now().UTC()
	a.Profile = p
	a.Session = plugin.Session{"id": fmt.Sprintf("segmentation-%d", now.UnixNano()), "profile": map[string]any{"id": p.ID()},
		"metadata": map[string]any{"time": map[string]any{"insert": now.Format(time.RFC3339Nano)}}}
	ev := a.Event
	if ev == nil {
		ev = plugin.Event{}
		a.Event = ev
	}
	ev["type"], ev["name"] = "@segmentation", "Segmentation"
	ev["profile"] = map[string]any{"id": p.ID()}
	ev["session"] = map[string]any{"id": a.Session.ID()}
	if md, ok := ev["metadata"].(map[string]any); ok {
		md["profile_less"] = false
	}
	return plugin.Port("payload", plugin.Payload{}), nil
}

// RegisterStartSegmentation describes the segmentation flow's Start plugin.
func RegisterStartSegmentation() plugin.Plugin {
	return plugin.Plugin{
		Start: true,
		New:   func() plugin.Action { return &StartSegmentation{} },
		Spec: plugin.Spec{
			Module:    "tracflow.flow.start_segmentation",
			Aliases:   []string{tracardi + "flow.start_segmentation.plugin"},
			ClassName: "StartSegmentationAction",
			Inputs:    []string{},
			Outputs:   []string{"payload"},
			Config:    startSegmentationSpec,
			License:   "MIT",
			Version:   "1.0.0",
			Author:    "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:     "Start segmentation",
			Desc:     "Starts a segmentation workflow, run for a profile.",
			Type:     "startNode",
			Icon:     "profile",
			Group:    []string{"Flow"},
			Keywords: []string{"start node", "segmentation"},
			Tags:     []string{"start", "segment"},
			Purpose:  []string{"segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The first node of a segmentation workflow: a flow named as a segment's workflow runs with the " +
					"profile after each of its events and in the segments' re-evaluation; its nodes (Add segment, " +
					"Conditional segmentation, ...) decide the profile's segments. It emits an empty object. In a debug " +
					"run it loads the profile whose id the config gives (profile_id), with an @segmentation event and a " +
					"new session; without a profile id the debug run stops here with an error on the console.",
				Inputs: map[string]plugin.PortDoc{},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "An empty object."},
				},
			},
		},
	}
}
