package tracking

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// noteSegments records the profile's segments before the events run, so
// that segment checks after each event can tell what changed.
func (r *request) noteSegments() {
	if r.profile != nil {
		r.segments = segments.List(r.profile)
	}
}

// segment is post-event segmentation, after each event's flows: the
// segmentation workflows of the defined segments run with the profile,
// then their conditions are evaluated (segments limited to other event
// types are skipped, unless a Force segmentation node ran). For every
// segment the profile entered or left since the last check (by a condition,
// a workflow or any flow's plugin) a segment-entered or segment-left system
// event is emitted ({"segment": id} in its properties): built like the
// request's events, run through the rules of the request's source, and
// stored after the event. Segmentation does not run again for those system
// events, so their flows cannot loop; a segment they change is noticed
// after the request's next event.
func (r *request) segment(ev plugin.Event) {
	if r.profile == nil {
		return
	}
	set, err := r.t.segmentSet(r.ctx, r.snap)
	if err != nil {
		r.res.Warnings = append(r.res.Warnings, "segmentation skipped: "+err.Error())
	} else {
		eventType := ev.Type()
		if forcedSegmentation(r.profile) {
			eventType = "" // every segment, whatever its event types
		}
		for _, id := range set.Workflows(eventType) {
			r.runSegmentationFlow(id, ev)
		}
		if r.profile != nil {
			set.Apply(r.profile, eventType, r.now)
		}
	}
	if r.profile == nil {
		return
	}
	after := segments.List(r.profile)
	ch := segments.Diff(r.segments, after)
	r.segments = after
	if ch.Empty() {
		return
	}
	r.profileChanged = true
	for _, id := range ch.Entered {
		r.emitSegmentEvent(segments.EventEntered, id)
	}
	for _, id := range ch.Left {
		r.emitSegmentEvent(segments.EventLeft, id)
	}
}

// emitSegmentEvent builds a segment-entered or segment-left event, runs the
// rules of the request's source for it, and adds it to the events stored.
// It is a system event: metadata.system is true and it has no context of
// its own.
func (r *request) emitSegmentEvent(typ, id string) {
	r.emitSystem(typ, map[string]any{"segment": id})
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
func (r *request) runSegmentationFlow(flowID string, ev plugin.Event) {
	f, ok := r.snap.Flows[flowID]
	if !ok {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("segmentation flow %q has no production version", flowID))
		return
	}
	t := r.t
	o := f.Run(r.ctx, workflow.Input{Event: ev, Profile: r.profile, Session: r.session, UX: r.res.UX, Resources: t.res, Data: t.data, Limits: t.lim})
	r.res.UX = o.UX
	r.profile, r.session = o.Profile, o.Session
	r.profileChanged = r.profileChanged || o.ProfileUpdated
	r.sessionChanged = r.sessionChanged || o.SessionUpdated
	for _, e := range o.Errors {
		msg := fmt.Sprintf("segmentation flow %q", f.Name)
		if e.NodeID != "" {
			msg += fmt.Sprintf(" node %q", e.NodeID)
		}
		r.res.Errors = append(r.res.Errors, msg+": "+e.Message)
	}
}

// segmentSet answers the compiled segments of the snapshot's configuration.
func (t *Tracker) segmentSet(ctx context.Context, snap *catalog.Snapshot) (*segments.Set, error) {
	t.segOnce.Do(func() { t.segs = segments.NewCache(t.st) })
	return t.segs.Set(ctx, snap.Version)
}
