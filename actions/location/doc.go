// Package location holds the plugins of Tracardi's "Location" palette
// group: a circular geo-fence, the distance between two places, and
// MaxMind's GeoIP lookup, which Tracflow answers from a local GeoLite2 or
// GeoIP2 City database file.
package location

const tracardi = "tracardi.process_engine.action.v1."
