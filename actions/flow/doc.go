// Package flow holds the palette group "Flow": the nodes that start and end
// a workflow.
package flow

const tracardi = "tracardi.process_engine.action.v1."
