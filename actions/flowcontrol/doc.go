// Package flowcontrol holds the palette group "Flow control": nodes that
// choose the branch a payload takes.
package flowcontrol

const tracardi = "tracardi.process_engine.action.v1."
