package tracking

import (
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/plugin"
)

// A profile remembers its latest session and when it last saw an event
// (domain.NoteActivity). That record is kept to within a thirtieth of the
// visit timeout, or of the visit-ended time when shorter (activityGap), so
// that a steady stream of events rewrites the profile once in that time,
// not each time.
//
// A request that names no session joins that session while it is open: when
// the profile saw an event within the visit timeout.
const activityGranularity = 30

// openSession returns the id of the profile's session that is still open at
// now, or "".
func (t *Tracker) openSession(profile plugin.Profile, now time.Time) string {
	id, at, ok := domain.LastActivity(profile)
	if id == "" || !ok || now.Sub(at) > t.visit {
		return ""
	}
	return id
}
