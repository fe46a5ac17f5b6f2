package plugin

import (
	"context"
	"fmt"
	"reflect"

	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Event is a tracked event as a JSON document in Tracardi's shape:
// {"id", "type", "source": {"id"}, "session": {"id"}, "profile": {"id"},
// "properties": {}, "context": {}, "traits": {}, "metadata": {...}, ...}.
type Event map[string]any

// ID returns the event's id.
func (e Event) ID() string { return str(e["id"]) }

// Type returns the event's type, e.g. "page-view".
func (e Event) Type() string { return str(e["type"]) }

// Properties returns the event's properties object (nil when absent).
func (e Event) Properties() map[string]any { return obj(e["properties"]) }

// Profile is a customer profile as a JSON document in Tracardi's shape:
// {"id", "ids": [], "metadata": {...}, "stats": {...}, "traits": {},
// "segments": [], "interests": {}, "consents": {}, "data": {...}, ...}.
type Profile map[string]any

// ID returns the profile's id.
func (p Profile) ID() string { return str(p["id"]) }

// Traits returns the profile's traits, creating the object when missing.
func (p Profile) Traits() map[string]any { return child(p, "traits") }

// Session is a visit as a JSON document in Tracardi's shape.
type Session map[string]any

// ID returns the session's id.
func (s Session) ID() string { return str(s["id"]) }

// Flow is the flow being run. Response is the object the flow adds to the
// tracker's answer (flows' responses are deep-merged into /track's
// "response").
type Flow struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Response    map[string]any `json:"response"`
}

// UX is a front-end snippet returned to the tracker ({"tag", "props", "content"}).
type UX = map[string]any

// Resources gives plugins the credentials of stored resources. In debug runs
// it answers the resource's test credentials, otherwise the production ones.
type Resources interface {
	Credentials(ctx context.Context, resourceID string) (map[string]any, error)
}

// State is the state of one flow run, shared by every node of that run (and,
// in the collector, by every flow that one event starts).
type State struct {
	Event   Event
	Profile Profile // nil for profile-less events
	Session Session // nil when the event has no session
	Flow    *Flow
	Memory  map[string]any // one object per flow run, shared by all nodes
	UX      []UX
	Debug   bool
	// Resources reaches stored credentials; nil where no storage is attached.
	Resources Resources
	// Data reads stored events, sessions, profiles and sources; nil where
	// no storage is attached (see StoredData).
	Data Data

	Logs []Log

	profileFlag SaveFlag
	sessionFlag SaveFlag

	flowData flowData // FlowData's object, built once per run
}

type flowData struct {
	m    map[string]any
	flow Flow // the values m was built from
}

// Log is one console message.
type Log struct {
	Level   string `json:"level"` // debug, info, warning, error
	NodeID  string `json:"nodeId"`
	Message string `json:"message"`
}

// SaveFlag is what plugins asked of the run's profile or session: whether
// it is saved at the end of the run.
type SaveFlag int8

// The save flags.
const (
	// SaveIfChanged (no plugin asked): the document is saved when the run
	// changed it.
	SaveIfChanged SaveFlag = 0
	// SaveForced: the last call was UpdateProfile (UpdateSession); the
	// document is saved whatever changed.
	SaveForced SaveFlag = 1
	// SaveDiscarded: the last call was DiscardProfileUpdate; the document is
	// not saved, whatever changed.
	SaveDiscarded SaveFlag = -1
)

// String names the flag.
func (f SaveFlag) String() string {
	switch f {
	case SaveForced:
		return "forced"
	case SaveDiscarded:
		return "discarded"
	case SaveIfChanged:
		return "if changed"
	}
	return fmt.Sprintf("SaveFlag(%d)", int8(f))
}

// ProfileFlag reports what plugins asked for the profile.
func (s *State) ProfileFlag() SaveFlag { return s.profileFlag }

// SessionFlag is ProfileFlag for the session.
func (s *State) SessionFlag() SaveFlag { return s.sessionFlag }

// ActionRunner is embedded by actions to see the state of the flow run they
// serve. The engine fills it in before every Run.
type ActionRunner struct {
	*State
	// Node is the node this instance serves.
	Node *Node
	// Console writes messages tagged with this node's id into the run's log.
	Console Console

	scope dotpath.Scope // refilled by Scope for every run
}

// Runner gives the engine access to the embedded ActionRunner.
func (r *ActionRunner) Runner() *ActionRunner { return r }

// Runnable is implemented by every action that embeds ActionRunner.
type Runnable interface {
	Runner() *ActionRunner
}

// NodeConsole returns a console that writes into this run's log, tagged with
// nodeID.
func (s *State) NodeConsole(nodeID string) Console { return Console{state: s, nodeID: nodeID} }

// Scope returns the dot-notation scope of this run: payload is what
// payload@ reads, and the run's event, profile, session, flow and memory
// are what event@, profile@, session@, flow@ and memory@ read and write.
// The scope belongs to the action instance and is refilled by every call,
// so it costs no allocation; do not keep it across runs.
func (r *ActionRunner) Scope(payload any) *dotpath.Scope {
	s := &r.scope
	s.Payload = payload
	st := r.State
	if st == nil {
		s.Event, s.Profile, s.Session, s.Flow, s.Memory = nil, nil, nil, nil, nil
		return s
	}
	s.Event = map[string]any(st.Event)
	s.Profile = map[string]any(st.Profile)
	s.Session = map[string]any(st.Session)
	s.Flow = st.FlowData()
	if st.Memory == nil {
		// Writes to memory@ must land in the run's memory, not in a map
		// only this scope holds.
		st.Memory = map[string]any{}
	}
	s.Memory = st.Memory
	return s
}

// Writable reports whether the run has the object ref writes into: a
// profile@ reference needs a profile (profile-less events have none) and a
// session@ one a session. When it is missing a warning naming what (e.g.
// "Append") is logged, and false returned, so the plugin skips the write.
func (r *ActionRunner) Writable(ref dotpath.Ref, what string) bool {
	switch {
	case ref.Source == dotpath.SourceProfile && r.Profile == nil:
		r.Console.Warning("%s to %s skipped: this event has no profile.", what, ref)
		return false
	case ref.Source == dotpath.SourceSession && r.Session == nil:
		r.Console.Warning("%s to %s skipped: this event has no session.", what, ref)
		return false
	}
	return true
}

// UpdateProfile marks the profile to be saved at the end of the run. Changes
// a flow makes to the profile are detected and saved anyway; UpdateProfile
// forces the save, and cancels an earlier DiscardProfileUpdate.
func (r *ActionRunner) UpdateProfile() {
	if r.Profile == nil {
		r.Console.Warning("Can not update profile: this event has no profile.")
		return
	}
	r.State.profileFlag = SaveForced
}

// DiscardProfileUpdate cancels saving the profile for this run, whatever
// changed, unless UpdateProfile is called later.
func (r *ActionRunner) DiscardProfileUpdate() {
	if r.Profile == nil {
		r.Console.Warning("Can not discard profile update: this event has no profile.")
		return
	}
	r.State.profileFlag = SaveDiscarded
}

// UpdateSession marks the session to be saved at the end of the run.
func (r *ActionRunner) UpdateSession() {
	if r.Session == nil {
		r.Console.Warning("Can not update session: this event has no session.")
		return
	}
	r.State.sessionFlag = SaveForced
}

// Console writes messages into the flow run's log, tagged with the node id.
type Console struct {
	state  *State
	nodeID string
}

func (c Console) add(level, msg string) {
	if c.state == nil {
		return
	}
	c.state.Logs = append(c.state.Logs, Log{Level: level, NodeID: c.nodeID, Message: msg})
}

// Debug logs a debug message.
func (c Console) Debug(format string, args ...any) { c.add("debug", sprintf(format, args)) }

// Log logs an informational message.
func (c Console) Log(format string, args ...any) { c.add("info", sprintf(format, args)) }

// Warning logs a warning; the event is marked as having warnings.
func (c Console) Warning(format string, args ...any) { c.add("warning", sprintf(format, args)) }

// Error logs an error; the event is marked as having errors.
func (c Console) Error(format string, args ...any) { c.add("error", sprintf(format, args)) }

func sprintf(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func child(m map[string]any, key string) map[string]any {
	if c, ok := m[key].(map[string]any); ok {
		return c
	}
	c := map[string]any{}
	m[key] = c
	return c
}

// FlowData returns the flow as the object dot notation reads as "flow@":
// {"id", "name", "description", "response"}. It is built once per run (every
// node of the run that reads flow@ shares it, so treat it as read-only) and
// rebuilt only when the flow's fields or its response object are replaced.
func (s *State) FlowData() map[string]any {
	if s.Flow == nil {
		return nil
	}
	c := &s.flowData
	f := s.Flow
	if c.m == nil || c.flow.ID != f.ID || c.flow.Name != f.Name || c.flow.Description != f.Description ||
		!sameMap(c.flow.Response, f.Response) {
		c.m = map[string]any{"id": f.ID, "name": f.Name, "description": f.Description, "response": f.Response}
		c.flow = *f
	}
	return c.m
}

func sameMap(a, b map[string]any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
