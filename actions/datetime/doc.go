// Package datetime holds the plugins of Tracardi's "Time" palette group:
// time delay, time difference, today, weekend check, day or night, local
// time span, last profile visit and profile live time.
//
// "Now" is the time the event was collected (its metadata.time.insert),
// so that a flow gives the same answer when it is replayed or debugged; an
// event without that time uses the clock. Time zones come from Go's time
// zone database, embedded in the binary (time/tzdata), so they work in a
// container without /usr/share/zoneinfo.
package datetime

import _ "time/tzdata" // time zones in scratch containers
