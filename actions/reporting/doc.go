// Package reporting holds the palette group "Error reporting": nodes that stop
// a flow with an error or write to the flow's log.
package reporting

const tracardi = "tracardi.process_engine.action.v1."
