package tracking

import (
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
)

// System event types, in Tracardi's names. The collector emits
// profile-created, session-opened, visit-started and visit-ended itself;
// profile merging and segmentation emit the others through EmitSystem.
const (
	EventProfileCreated = "profile-created"
	EventSessionOpened  = "session-opened"
	EventVisitStarted   = "visit-started"
	EventVisitEnded     = "visit-ended"
	EventProfileMerged  = "profile-merged"
	EventSegmentEntered = "segment-entered"
	EventSegmentLeft    = "segment-left"
)

// InternalSource marks a system event: its options.source_id, as Tracardi
// marks the events it emits itself. A system event also has
// metadata.system = true. Its source.id stays the request's, so that rules
// select it by that source and its type like any other event.
const InternalSource = "@internal"

// Bounds of system events, so that flows reacting to system events cannot
// loop (a segment-entered flow that makes the profile leave the segment,
// whose segment-left flow puts it back, ...).
const (
	// MaxSystemDepth is the longest chain of system events: an event a
	// tracker sent causes system events of depth 1; a system event of depth
	// n causes ones of depth n+1, up to this.
	MaxSystemDepth = 3
	// MaxSystemEvents is the most system events one request may add.
	MaxSystemEvents = 64
)

// ErrSystemLoop is a system event refused by the bounds above.
var ErrSystemLoop = errors.New("system event not emitted: too many system events in one request (a flow reacting to system events may be looping)")

// EmitSystem adds a system event of type typ, with props as its
// properties, to the request: it is stored and runs through the rules
// like the tracker's events, after the events before it. cause is the
// index in p.Events of the event whose processing emitted it (-1 for the
// request itself); it sets the new event's depth. It answers
// ErrSystemLoop, and adds nothing, past MaxSystemDepth or
// MaxSystemEvents.
//
// The collector's steps (identity merging: profile-merged; segmentation:
// segment-entered, segment-left) call it while they process a request.
func (p *Payload) EmitSystem(cause int, typ string, props map[string]any) error {
	depth := 1
	if cause >= 0 && cause < len(p.Events) {
		depth = p.Events[cause].depth + 1
	}
	if depth > MaxSystemDepth || p.emitted >= MaxSystemEvents {
		return fmt.Errorf("%w: %s at depth %d", ErrSystemLoop, typ, depth)
	}
	if props == nil {
		props = map[string]any{}
	}
	p.Events = append(p.Events, EventIn{Type: typ, Properties: props,
		Options: map[string]any{"source_id": InternalSource}, depth: depth})
	p.emitted++
	return nil
}

// IsSystem tells whether the event is a system event.
func IsSystem(ev plugin.Event) bool {
	md, _ := ev["metadata"].(map[string]any)
	b, _ := md["system"].(bool)
	return b
}

// markSystem marks a built event as a system event when in is one.
func markSystem(ev plugin.Event, in *EventIn) {
	if in.depth == 0 {
		return
	}
	if md, ok := ev["metadata"].(map[string]any); ok {
		md["system"] = true
	}
}

// systemRequest is what a request the server makes itself does.
type systemRequest int

const (
	trackerRequest  systemRequest = iota // a tracker's /track request
	endVisitRequest                      // the visit-ended job's
)

// addSystemEvents emits the collector's own system events for a request
// of a tracker: profile-created for a new profile, session-opened for a new
// session, visit-started for a new or reopened one. The events that
// caused visit-started are named in its trigger-event-types property, as
// Tracardi does.
func (t *Tracker) addSystemEvents(p *Payload, profile plugin.Profile, newProfile bool, v visitChange) []string {
	if profile == nil || p.system != trackerRequest || !saveOptions(p.Options).session {
		return nil
	}
	var types []any
	for _, e := range p.Events {
		types = append(types, e.Type)
	}
	var warnings []string
	emit := func(typ string, props map[string]any) {
		if err := p.EmitSystem(-1, typ, props); err != nil {
			warnings = append(warnings, err.Error())
		}
	}
	if newProfile {
		emit(EventProfileCreated, nil)
	}
	if v.opened {
		emit(EventSessionOpened, nil)
	}
	if v.opened || v.reopened {
		emit(EventVisitStarted, map[string]any{"trigger-event-types": types})
	}
	return warnings
}
