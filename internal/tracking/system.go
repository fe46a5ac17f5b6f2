package tracking

import (
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
)

// System event types, in Tracardi's names, that the collector emits
// itself. Identity merging emits EventProfileMerged (identity.go) and
// segmentation segment-entered and segment-left (segments.go).
const (
	EventProfileCreated = "profile-created"
	EventSessionOpened  = "session-opened"
	EventVisitStarted   = "visit-started"
	EventVisitEnded     = "visit-ended"
)

// InternalSource marks a system event: its options.source_id, as Tracardi
// marks the events it emits itself. A system event also has
// metadata.system = true. Its source.id stays the request's, so that rules
// select it by that source and its type like any other event.
const InternalSource = "@internal"

// Bounds of system events, so that flows reacting to system events cannot
// loop (a step that emits a system event while another one runs, and so
// on).
const (
	// MaxSystemDepth is the deepest nesting of system events: a system
	// event emitted while the flows of n system events run is at depth n+1.
	MaxSystemDepth = 3
	// MaxSystemEvents is the most system events one request may emit.
	MaxSystemEvents = 64
)

// ErrSystemLoop is a system event refused by the bounds above.
var ErrSystemLoop = errors.New("system event not emitted: too many system events in one request (flows reacting to system events may be looping)")

// systemBudget counts a request's system events against the bounds.
type systemBudget struct{ depth, count int }

// enter admits one more system event, or answers ErrSystemLoop; leave
// ends an admitted one.
func (b *systemBudget) enter(typ string) error {
	if b.depth >= MaxSystemDepth || b.count >= MaxSystemEvents {
		return fmt.Errorf("%w: %s at depth %d, after %d", ErrSystemLoop, typ, b.depth+1, b.count)
	}
	b.depth++
	b.count++
	return nil
}

func (b *systemBudget) leave() { b.depth-- }

// emitSystem is the one way a step of the collector emits a system event
// of type typ with props as its properties: the event is built like the
// request's events (its profile, session, device), marked (metadata.system
// and options.source_id InternalSource), run through the rules of the
// request's source and their flows, and stored with the request's events.
// It has no context of its own. Past the bounds it adds a warning to the
// answer instead and reports false.
func (r *request) emitSystem(typ string, props map[string]any) bool {
	if err := r.system.enter(typ); err != nil {
		r.res.Warnings = append(r.res.Warnings, err.Error())
		return false
	}
	defer r.system.leave()
	if props == nil {
		props = map[string]any{}
	}
	in := &EventIn{Type: typ, Properties: props, Options: map[string]any{"source_id": InternalSource}}
	ev := r.t.buildEvent(r.p, in, r.src, r.profile, r.session, r.headers, r.now)
	ev["context"] = map[string]any{}
	delete(ev, "hit")
	ev["metadata"].(map[string]any)["system"] = true
	r.runEvent(ev)
	r.events = append(r.events, map[string]any(ev))
	return true
}

// IsSystem tells whether the event is a system event.
func IsSystem(ev plugin.Event) bool {
	md, _ := ev["metadata"].(map[string]any)
	b, _ := md["system"].(bool)
	return b
}

// systemRequest is what a request the server makes itself does.
type systemRequest int

const (
	trackerRequest  systemRequest = iota // a tracker's /track request
	endVisitRequest                      // the visit-ended job's
)

// systemEvents emits the collector's own system events, before the
// request's events: for a tracker's request profile-created for a new
// profile, session-opened for a new session, visit-started for a new or
// reopened one (its trigger-event-types property names the request's
// event types, as Tracardi's does); for the visit-ended job's, visit-ended.
// Requests that do not save their session emit none, as in Tracardi.
func (r *request) systemEvents() {
	if r.profile == nil || !r.save.session {
		return
	}
	if r.p.system == endVisitRequest {
		r.emitSystem(EventVisitEnded, r.visit.ended)
		return
	}
	if r.newProfile {
		r.emitSystem(EventProfileCreated, nil)
	}
	if r.visit.opened {
		r.emitSystem(EventSessionOpened, nil)
	}
	if r.visit.opened || r.visit.reopened {
		types := make([]any, len(r.p.Events))
		for i, e := range r.p.Events {
			types[i] = e.Type
		}
		r.emitSystem(EventVisitStarted, map[string]any{"trigger-event-types": types})
	}
}
