package tracking

import (
	"context"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// segmentsBefore is the profile's segments before an event's flows run
// (nil for a profile-less request).
func segmentsBefore(profile plugin.Profile) []string {
	if profile == nil {
		return nil
	}
	return segments.List(profile)
}

// segmentAfterEvent is post-event segmentation: once an event's flows have
// run, the segmentation workflows of the defined segments run, then their
// conditions are evaluated against the profile (segments limited to other
// event types are skipped, unless a Force segmentation node ran), and for
// every segment the
// profile entered or left since before (by a condition or by a flow's
// plugin) a segment-entered or segment-left system event is emitted: built
// like the request's events, run through the rules of the request's source
// and answered for storing. Segmentation does not run again after those
// system events' flows, so a flow cannot loop. out.profileUpdated reports
// whether the profile's segments (or the system events' flows) changed it.
func (t *Tracker) segmentAfterEvent(ctx context.Context, snap *catalog.Snapshot, p *Payload, src map[string]any, ev plugin.Event,
	before []string, profile *plugin.Profile, session *plugin.Session, headers map[string]any, now time.Time, res *Result) (emitted []store.Doc, out runOutcome) {
	if *profile == nil {
		return nil, out
	}
	set, err := t.segmentSet(ctx, snap)
	if err != nil {
		res.Warnings = append(res.Warnings, "segmentation skipped: "+err.Error())
	} else {
		eventType := ev.Type()
		if forcedSegmentation(*profile) {
			eventType = "" // Force segmentation: every segment, whatever its event types
		}
		for _, id := range set.Workflows(eventType) {
			o := t.runSegmentationFlow(ctx, snap, id, ev, profile, session, res)
			out.profileUpdated = out.profileUpdated || o.profileUpdated
			out.sessionUpdated = out.sessionUpdated || o.sessionUpdated
		}
		if *profile != nil {
			set.Apply(*profile, eventType, now)
		}
	}
	if *profile == nil {
		return nil, out
	}
	ch := segments.Diff(before, segments.List(*profile))
	if ch.Empty() {
		return nil, out
	}
	out.profileUpdated = true
	emit := func(typ, id string) {
		in := &EventIn{Type: typ, Properties: map[string]any{"segment": id}}
		sys := t.buildEvent(p, in, src, *profile, *session, headers, now)
		sys["context"] = map[string]any{}
		sys["metadata"].(map[string]any)["system"] = true
		if o := t.runRules(ctx, snap, p, sys, profile, session, res); o.sessionUpdated {
			out.sessionUpdated = true
		}
		emitted = append(emitted, map[string]any(sys))
	}
	for _, id := range ch.Entered {
		emit(segments.EventEntered, id)
	}
	for _, id := range ch.Left {
		emit(segments.EventLeft, id)
	}
	return emitted, out
}

// forcedSegmentation reads and clears the profile's operation.segment, set
// by the Force segmentation node.
func forcedSegmentation(profile plugin.Profile) bool {
	op, _ := profile["operation"].(map[string]any)
	if op["segment"] != true {
		return false
	}
	op["segment"] = false
	return true
}

// runSegmentationFlow runs a segment's segmentation workflow (a deployed
// flow) for the event's profile; its errors are the request's errors.
func (t *Tracker) runSegmentationFlow(ctx context.Context, snap *catalog.Snapshot, flowID string, ev plugin.Event,
	profile *plugin.Profile, session *plugin.Session, res *Result) runOutcome {
	var out runOutcome
	f, ok := snap.Flows[flowID]
	if !ok {
		res.Warnings = append(res.Warnings, fmt.Sprintf("segmentation flow %q has no production version", flowID))
		return out
	}
	o := f.Run(ctx, workflow.Input{Event: ev, Profile: *profile, Session: *session, UX: res.UX, Resources: t.res, Data: t.data, Limits: t.lim})
	res.UX = o.UX
	*profile, *session = o.Profile, o.Session
	out.profileUpdated, out.sessionUpdated = o.ProfileUpdated, o.SessionUpdated
	for _, e := range o.Errors {
		msg := fmt.Sprintf("segmentation flow %q", f.Name)
		if e.NodeID != "" {
			msg += fmt.Sprintf(" node %q", e.NodeID)
		}
		res.Errors = append(res.Errors, msg+": "+e.Message)
	}
	return out
}

// segmentSet answers the compiled segments of the snapshot's configuration.
func (t *Tracker) segmentSet(ctx context.Context, snap *catalog.Snapshot) (*segments.Set, error) {
	t.segOnce.Do(func() { t.segs = segments.NewCache(t.st) })
	return t.segs.Set(ctx, snap.Version)
}
