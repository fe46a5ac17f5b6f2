// Package segmentation holds the palette group "Segmentation": nodes that
// put profiles into segments, take them out, test membership, and keep the
// profile's interests.
//
// A profile's segments are the names in profile["segments"]; its interests
// are numbers in profile["interests"] by name. Segments defined in the
// Segments menu are also kept up to date by post-event segmentation after
// every event; these nodes change membership from a flow.
package segmentation

import (
	"slices"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

const tracardi = "tracardi.process_engine.action.v1."

// def is what a plugin of this package declares; register makes the record.
type def struct {
	new     func() plugin.Action
	module  string // Tracflow's id, after "tracflow.segmentation."
	alias   string // Tracardi's module, after "tracardi.process_engine.action.v1."
	class   string
	outputs []string
	config  *plugin.ConfigSpec
	typ     string
	name    string
	desc    string
	icon    string
	tags    []string
	manual  string
	input   string
	ports   plugin.Ports
}

func register(d def) plugin.Plugin {
	doc := plugin.Documented(plugin.Ports{"payload": d.input}, d.ports)
	doc.Tutorial = d.manual
	typ := d.typ
	if typ == "" {
		typ = "flowNode"
	}
	icon := d.icon
	if icon == "" {
		icon = "segment"
	}
	return plugin.Plugin{
		New: d.new,
		Spec: plugin.Spec{
			Module: "tracflow.segmentation." + d.module, Aliases: []string{tracardi + d.alias}, ClassName: d.class,
			Inputs: []string{"payload"}, Outputs: d.outputs, Config: d.config,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: d.name, Desc: d.desc, Type: typ, Icon: icon, Group: []string{"Segmentation"},
			Tags: d.tags, Purpose: []string{"collection", "segmentation"}, Documentation: doc,
		},
	}
}

// profileLess reports whether the event is processed without a profile.
func profileLess(ev plugin.Event) bool {
	md, _ := ev["metadata"].(map[string]any)
	b, _ := md["profile_less"].(bool)
	return b
}

// noProfile logs why a node did nothing: a warning for a profile-less
// event, an error when a profile was expected but is missing.
func noProfile(r *plugin.ActionRunner, what string) string {
	if profileLess(r.Event) {
		msg := "Can not " + what + ": this event is processed without a profile."
		r.Console.Warning("%s", msg)
		return msg
	}
	msg := "Can not " + what + ": the profile is empty."
	r.Console.Error("%s", msg)
	return msg
}

// segmentsOf reads a profile's segments (strings, without repeats).
func segmentsOf(p plugin.Profile) []string {
	l, _ := p["segments"].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func setSegments(p plugin.Profile, list []string) {
	l := make([]any, len(list))
	for i, s := range list {
		l[i] = s
	}
	p["segments"] = l
}

// eventTime is when the event was collected (now when it cannot be read):
// the time a flow's segmentation is dated by.
func eventTime(ev plugin.Event) time.Time {
	md, _ := ev["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	if t, ok := plugin.ParseTime(tm["insert"]); ok {
		return t
	}
	return time.Now().UTC()
}

// stamp sets the profile's metadata.time.segmentation to at.
func stamp(p plugin.Profile, at time.Time) {
	md, ok := p["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		p["metadata"] = md
	}
	tm, ok := md["time"].(map[string]any)
	if !ok {
		tm = map[string]any{}
		md["time"] = tm
	}
	tm["segmentation"] = at.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// addSegments adds names to the profile's segments and answers whether any
// was new (then the segmentation time is stamped).
func addSegments(p plugin.Profile, at time.Time, names ...string) bool {
	list := segmentsOf(p)
	added := false
	for _, n := range names {
		if !slices.Contains(list, n) {
			list = append(list, n)
			added = true
		}
	}
	if added {
		setSegments(p, list)
		stamp(p, at)
	}
	return added
}

// removeSegment takes a name out of the profile's segments and answers
// whether it was there.
func removeSegment(p plugin.Profile, at time.Time, name string) bool {
	list := segmentsOf(p)
	if !slices.Contains(list, name) {
		return false
	}
	setSegments(p, slices.DeleteFunc(list, func(s string) bool { return s == name }))
	stamp(p, at)
	return true
}
