package tracking

import (
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/plugin"
)

// A profile remembers its latest session and when it last saw an event, in
// metadata.time.visit:
//
//	"session":  the id of the session of the profile's latest event
//	"activity": when that was (a document timestamp), kept to within a
//	            thirtieth of the visit timeout, so that a steady stream of
//	            events rewrites the profile once in that time, not each time
//
// A request that names no session joins that session while it is open: when
// the profile saw an event within the visit timeout.
const (
	visitSessionKey  = "session"
	visitActivityKey = "activity"
)

// openSession returns the id of the profile's session that is still open at
// now, or "".
func (t *Tracker) openSession(profile plugin.Profile, now time.Time) string {
	visit := visitOf(profile)
	if visit == nil {
		return ""
	}
	id, _ := visit[visitSessionKey].(string)
	at, ok := visitTime(visit)
	if id == "" || !ok || now.Sub(at) > t.visit {
		return ""
	}
	return id
}

// noteActivity records that profile saw an event of session at now. It
// reports whether the profile changed (and must be stored).
func (t *Tracker) noteActivity(profile plugin.Profile, session plugin.Session, now time.Time) bool {
	if visit := visitOf(profile); visit != nil {
		id, _ := visit[visitSessionKey].(string)
		if at, ok := visitTime(visit); ok && id == session.ID() {
			if d := now.Sub(at); d >= 0 && d < t.visit/30 {
				return false
			}
		}
	}
	visit := child(child(child(profile, "metadata"), "time"), "visit")
	visit[visitSessionKey] = session.ID()
	visit[visitActivityKey] = domain.Timestamp(now)
	return true
}

func visitOf(profile plugin.Profile) map[string]any {
	md, _ := profile["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	v, _ := tm["visit"].(map[string]any)
	return v
}

func visitTime(visit map[string]any) (time.Time, bool) {
	s, _ := visit[visitActivityKey].(string)
	if s == "" {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	return at, err == nil
}
