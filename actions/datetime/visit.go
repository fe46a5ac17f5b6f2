package datetime

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// profileTime reads a date at metadata.time.<keys> of the profile.
func profileTime(p plugin.Profile, keys ...string) (any, bool) {
	var cur any = map[string]any(p)
	for _, k := range append([]string{"metadata", "time"}, keys...) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil && cur != ""
}

// LastVisit reports how long ago the profile's current visit started.
type LastVisit struct {
	plugin.ActionRunner
	clock Clock
}

// Run sends the last visit on visit; without a profile or a visit time it
// logs an error and sends the payload on error.
func (a *LastVisit) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Error("Can not get the last profile visit: this event has no profile.")
		return plugin.Port("error", payload), nil
	}
	v, ok := profileTime(a.Profile, "visit", "current")
	if !ok {
		v, ok = profileTime(a.Profile, "insert")
	}
	if !ok {
		a.Console.Error("The profile has no visit time (metadata.time.visit.current or metadata.time.insert).")
		return plugin.Port("error", payload), nil
	}
	n := now(a.Event, a.clock)
	last, err := parseDate(v, n)
	if err != nil {
		a.Console.Error("The profile's last visit is not a date: %v.", err)
		return plugin.Port("error", payload), nil
	}
	return plugin.Port("visit", plugin.Payload{"last": isoformat(last), "difference": span(n.Sub(last))}), nil
}

// RegisterLastVisit describes the Last profile visit time plugin.
func RegisterLastVisit() plugin.Plugin { return registerLastVisit(time.Now) }

func registerLastVisit(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &LastVisit{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.last_profile_visit.plugin", ClassName: "LastVisitAction",
			Inputs: []string{"payload"}, Outputs: []string{"visit", "error"},
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Last profile visit time",
			Desc: "Returns when the profile's last visit started and how long ago that was.",
			Type: "flowNode", Icon: "time", Group: []string{"Time"},
			Tags: []string{"previous", "last"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The visit is the profile's metadata.time.visit.current, or its metadata.time.insert " +
					"when it has none. The difference is measured up to the time the event was collected.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"visit": {Desc: "{\"last\": date, \"difference\": {\"seconds\", \"minutes\", \"hours\", \"days\", \"weeks\"}}."},
					"error": {Desc: "The input payload, when the event has no profile or the profile no visit time (an error is logged)."},
				},
			},
		},
	}
}

// LiveTime reports how long ago the profile was created.
type LiveTime struct {
	plugin.ActionRunner
	clock Clock
}

// Run sends the profile's age on live-time; without a profile or a
// creation time it logs an error and sends the payload on error.
func (a *LiveTime) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Profile == nil {
		a.Console.Error("Can not get the profile live time: this event has no profile.")
		return plugin.Port("error", payload), nil
	}
	v, ok := profileTime(a.Profile, "insert")
	if !ok {
		a.Console.Error("The profile has no creation time (metadata.time.insert).")
		return plugin.Port("error", payload), nil
	}
	n := now(a.Event, a.clock)
	created, err := parseDate(v, n)
	if err != nil {
		a.Console.Error("The profile's metadata.time.insert is not a date: %v.", err)
		return plugin.Port("error", payload), nil
	}
	return plugin.Port("live-time", plugin.Payload{"last": isoformat(created), "time": span(n.Sub(created))}), nil
}

// RegisterLiveTime describes the Profile live time plugin.
func RegisterLiveTime() plugin.Plugin { return registerLiveTime(time.Now) }

func registerLiveTime(clock Clock) plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &LiveTime{clock: clock} },
		Spec: plugin.Spec{
			Module: tracardi + "time.profile_live_time.plugin", ClassName: "ProfileLiveTimeAction",
			Inputs: []string{"payload"}, Outputs: []string{"live-time", "error"},
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Profile live time",
			Desc: "Returns how long ago the profile was created.",
			Type: "flowNode", Icon: "time", Group: []string{"Time"},
			Tags: []string{"previous", "last"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The age is measured from the profile's metadata.time.insert up to the time the event was collected.",
				Inputs:   map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"live-time": {Desc: "{\"last\": creation date, \"time\": {\"seconds\", \"minutes\", \"hours\", \"days\", \"weeks\"}}."},
					"error":     {Desc: "The input payload, when the event has no profile or the profile no creation time (an error is logged)."},
				},
			},
		},
	}
}
