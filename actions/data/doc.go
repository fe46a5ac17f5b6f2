// Package data holds the palette group "Data processing": nodes that copy,
// append, delete and cut out values, render templates and build the
// tracker's response.
package data

import (
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

// writable reports whether the run has the object ref writes into, and logs
// a warning naming what was skipped when it has not: events are not changed
// by these nodes (as in Tracardi), and profile-less or session-less events
// have nothing to write to.
func writable(r *plugin.ActionRunner, ref dotpath.Ref, what string) bool {
	switch ref.Source {
	case dotpath.SourceEvent:
		r.Console.Warning("%s skipped for %s: events cannot be changed in a workflow.", what, ref)
		return false
	case dotpath.SourceProfile:
		if r.Profile == nil {
			r.Console.Warning("%s skipped for %s: this event has no profile.", what, ref)
			return false
		}
	case dotpath.SourceSession:
		if r.Session == nil {
			r.Console.Warning("%s skipped for %s: this event has no session.", what, ref)
			return false
		}
	}
	return true
}

// payloadOf returns the payload as the scope holds it after writes to
// payload@, or the original when a write replaced it by a non-object.
func payloadOf(s *dotpath.Scope, orig plugin.Payload) plugin.Payload {
	if m, ok := s.Payload.(map[string]any); ok {
		return m
	}
	return orig
}
