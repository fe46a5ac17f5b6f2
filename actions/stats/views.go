package stats

import (
	"context"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// profileStat adds 1 to profile@stats.<name>.
func profileStat(r *plugin.ActionRunner, name string) {
	stats, ok := r.Profile["stats"].(map[string]any)
	if !ok {
		stats = map[string]any{}
		r.Profile["stats"] = stats
	}
	n, _ := dotpath.ToFloat(stats[name])
	if _, isBool := stats[name].(bool); isBool {
		n = 0
	}
	stats[name] = n + 1
	r.UpdateProfile()
}

// IncreaseViews adds 1 to the profile's views.
type IncreaseViews struct{ plugin.ActionRunner }

// Run counts the view and passes the payload on.
func (a *IncreaseViews) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Warning("Can not increase profile views: this event has no profile.")
	} else {
		profileStat(&a.ActionRunner, "views")
	}
	return plugin.Port("payload", payload), nil
}

// IncreaseVisits adds 1 to the profile's visits when the session is new.
type IncreaseVisits struct{ plugin.ActionRunner }

// Run counts the visit and passes the payload on.
func (a *IncreaseVisits) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	switch {
	case a.Profile == nil:
		a.Console.Warning("Can not increase profile visits: this event has no profile.")
	case a.Session != nil && sessionIsNew(a.Session):
		profileStat(&a.ActionRunner, "visits")
	}
	return plugin.Port("payload", payload), nil
}

func sessionIsNew(s plugin.Session) bool {
	op, _ := s["operation"].(map[string]any)
	isNew, _ := op["new"].(bool)
	return isNew
}

func statPlugin(module, class, name, desc, tutorial string, newAction func() plugin.Action) plugin.Plugin {
	return plugin.Plugin{
		New: newAction,
		Spec: plugin.Spec{
			Module: tracardi + module, ClassName: class,
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: name, Desc: desc,
			Type: "flowNode", Icon: "plus", Group: []string{"Stats"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: tutorial,
				Inputs:   map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs:  map[string]plugin.PortDoc{"payload": {Desc: "The input payload."}},
			},
		},
	}
}

// RegisterIncreaseViews describes the Increase views plugin (installed by
// Tracardi up to 0.8.1; flows made then still use it).
func RegisterIncreaseViews() plugin.Plugin {
	return statPlugin("increase_views_action", "IncreaseViewsAction", "Increase views",
		"Adds 1 to the profile's views (profile@stats.views) and passes the payload on.",
		"The profile is saved. On an event without a profile nothing changes and a warning is logged.",
		func() plugin.Action { return &IncreaseViews{} })
}

// RegisterIncreaseVisits describes the Increase visits plugin (installed by
// Tracardi up to 0.8.1; flows made then still use it).
func RegisterIncreaseVisits() plugin.Plugin {
	return statPlugin("increase_visits_action", "IncreaseVisitsAction", "Increase visits",
		"Adds 1 to the profile's visits (profile@stats.visits) on the first event of a session, and passes the payload on.",
		"Only the first event of a new session counts (the session's operation.new), so a visit counts once. "+
			"The profile is saved. On an event without a profile nothing changes and a warning is logged. "+
			"Tracflow's collector already counts visits; this node is for flows written for Tracardi 0.8 and earlier.",
		func() plugin.Action { return &IncreaseVisits{} })
}
