// Package operations holds the palette group "Operations": joining branches
// and deciding whether the profile is saved.
package operations

const tracardi = "tracardi.process_engine.action.v1."
