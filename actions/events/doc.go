// Package events holds the palette groups "Events" and "Sessions": nodes
// that load stored events and sessions (inject an event by id, the
// profile's previous event or session) through the run's plugin.Data.
package events

const tracardi = "tracardi.process_engine.action.v1."
