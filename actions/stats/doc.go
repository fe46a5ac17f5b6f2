// Package stats holds the palette group "Stats": counters, the key counter,
// and the views and visits counters of Tracardi 0.8.
package stats

const tracardi = "tracardi.process_engine.action.v1."
