// Package ux holds the palette group "UIX Widgets": nodes that add
// front-end elements (tags with attributes and content) to the tracker's
// answer. The first-party tracker (web/tracker) adds each element of the
// answer's "ux" list to the page.
package ux

const tracardi = "tracardi.process_engine.action.v1."
