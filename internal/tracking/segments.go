package tracking

import (
	"context"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
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
// run, the defined segments are evaluated against the profile (those
// limited to other event types are skipped), and for every segment the
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
		set.Apply(*profile, ev.Type(), now)
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

// segmentSet answers the compiled segments of the snapshot's configuration.
func (t *Tracker) segmentSet(ctx context.Context, snap *catalog.Snapshot) (*segments.Set, error) {
	t.segOnce.Do(func() { t.segs = segments.NewCache(t.st) })
	return t.segs.Set(ctx, snap.Version)
}
