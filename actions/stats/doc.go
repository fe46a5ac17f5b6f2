// Package stats holds the palette group "Stats": counters.
package stats

const tracardi = "tracardi.process_engine.action.v1."
