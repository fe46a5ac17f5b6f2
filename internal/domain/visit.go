package domain

import (
	"time"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// A profile remembers its latest session and when it last saw an event, in
// metadata.time.visit:
//
//	"session":  the id of the session of the profile's latest event
//	"activity": when that was (a document timestamp)
//
// beside Tracardi's own visit fields ("last", "current", "count", "tz").
const (
	visitSessionKey  = "session"
	visitActivityKey = "activity"
)

// StartVisit records on profile that a new visit (session) began at now:
// metadata.time.visit.count grows by one, the visit's "current" time moves
// to "last", and the session's time zone, when it has one, becomes the
// visit's. As in Tracardi, stats.visits is left to flows (the Increase
// visits plugin), so a Tracardi flow that counts visits counts each once.
func StartVisit(profile plugin.Profile, session plugin.Session, now time.Time) {
	visit := visitMap(profile)
	visit["last"] = visit["current"]
	visit["current"] = Timestamp(now)
	visit["count"] = number(visit["count"]) + 1
	if tz := Str(session, "context", "time", "tz"); tz != "" {
		visit["tz"] = tz
	}
}

// LastActivity reads which session profile last saw an event of, and when.
// ok is false when the profile has no such record.
func LastActivity(profile plugin.Profile) (sessionID string, at time.Time, ok bool) {
	md, _ := profile["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	visit, _ := tm["visit"].(map[string]any)
	if visit == nil {
		return "", time.Time{}, false
	}
	sessionID, _ = visit[visitSessionKey].(string)
	s, _ := visit[visitActivityKey].(string)
	if s == "" {
		return sessionID, time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	return sessionID, at, err == nil
}

// NoteActivity records that profile saw an event of sessionID at now. To
// spare writes, a record of the same session younger than minGap is left as
// it is. It reports whether the profile changed.
func NoteActivity(profile plugin.Profile, sessionID string, now time.Time, minGap time.Duration) bool {
	if id, at, ok := LastActivity(profile); ok && id == sessionID {
		if d := now.Sub(at); d >= 0 && d < minGap {
			return false
		}
	}
	visit := visitMap(profile)
	visit[visitSessionKey] = sessionID
	visit[visitActivityKey] = Timestamp(now)
	return true
}

// Settle readies a document (profile or session) for storing at the end of
// a request: its transient operation.new flag, which flows read, is not a
// stored fact. A changed profile gets metadata.time.update = now.
func Settle(doc map[string]any, changed bool, now time.Time) {
	if doc == nil {
		return
	}
	if op, ok := doc["operation"].(map[string]any); ok {
		op["new"] = false
	}
	if !changed {
		return
	}
	if md, ok := doc["metadata"].(map[string]any); ok {
		if tm, ok := md["time"].(map[string]any); ok {
			tm["update"] = Timestamp(now)
		}
	}
}

// IsNew reports the transient operation.new flag of a profile or session:
// true while the request that created it runs.
func IsNew(doc map[string]any) bool {
	op, _ := doc["operation"].(map[string]any)
	return op["new"] == true
}

// Child returns m[key] as an object, creating it when it is missing or not
// an object.
func Child(m map[string]any, key string) map[string]any {
	if c, ok := m[key].(map[string]any); ok {
		return c
	}
	c := map[string]any{}
	m[key] = c
	return c
}

func visitMap(profile plugin.Profile) map[string]any {
	return Child(Child(Child(profile, "metadata"), "time"), "visit")
}

func number(v any) float64 {
	f, _ := notation.ToFloat(v)
	return f
}
