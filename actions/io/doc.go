// Package io holds the palette group "Input/Output": nodes that put data
// into a flow.
package io

const tracardi = "tracardi.process_engine.action.v1."
