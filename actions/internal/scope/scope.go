// Package scope gives the built-in plugins the dot-notation scope of a run:
// the node's payload and the run's event, profile, session, flow and memory.
package scope

import (
	"reflect"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Scope is a notation.Scope that an action keeps as a field and refills for
// every run, so building it costs no allocation. The flow object (flow@) is
// built once per flow run.
type Scope struct {
	notation.Scope
	state *plugin.State
	flow  *plugin.Flow
	resp  map[string]any
}

// For fills the scope for a run of r on payload and returns it.
func (s *Scope) For(r *plugin.ActionRunner, payload any) *notation.Scope {
	st := r.State
	s.Payload = payload
	if st == nil {
		s.Event, s.Profile, s.Session, s.Flow, s.Memory = nil, nil, nil, nil, nil
		s.state, s.flow, s.resp = nil, nil, nil
		return &s.Scope
	}
	s.Event = map[string]any(st.Event)
	s.Profile = map[string]any(st.Profile)
	s.Session = map[string]any(st.Session)
	if st.Memory == nil {
		st.Memory = map[string]any{}
	}
	s.Memory = st.Memory
	if st != s.state || st.Flow != s.flow || !sameMap(st.Flow, s.resp) {
		s.state, s.flow = st, st.Flow
		s.Flow = st.FlowData()
		s.resp = nil
		if st.Flow != nil {
			s.resp = st.Flow.Response
		}
	}
	return &s.Scope
}

// Of returns a new scope for a run of r on payload, for code that runs
// rarely enough not to keep a Scope.
func Of(r *plugin.ActionRunner, payload any) *notation.Scope {
	var s Scope
	return s.For(r, payload)
}

func sameMap(f *plugin.Flow, m map[string]any) bool {
	if f == nil {
		return m == nil
	}
	if f.Response == nil || m == nil {
		return f.Response == nil && m == nil
	}
	return reflect.ValueOf(f.Response).UnsafePointer() == reflect.ValueOf(m).UnsafePointer()
}
