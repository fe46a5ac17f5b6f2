// Package scope gives the built-in plugins the dot-notation scope of a run:
// the node's payload and the run's event, profile, session, flow and memory.
package scope

import (
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Scope is a notation.Scope that an action keeps as a field and refills for
// every run, so building it costs no allocation.
type Scope struct {
	notation.Scope
}

// For fills the scope for a run of r on payload and returns it.
func (s *Scope) For(r *plugin.ActionRunner, payload any) *notation.Scope {
	st := r.State
	s.Payload = payload
	if st == nil {
		s.Event, s.Profile, s.Session, s.Flow, s.Memory = nil, nil, nil, nil, nil
		return &s.Scope
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
	return &s.Scope
}
