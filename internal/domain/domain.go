// Package domain builds Tracflow's documents (profiles, sessions, events) in
// Tracardi's JSON shapes, and reads the few fields the platform relies on.
package domain

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// NewID returns a new id: a UUID of version 7 (RFC 9562), which starts
// with the time in milliseconds, so that records made one after another sit
// side by side in the database's indexes (fewer pages written per event),
// followed by 74 random bits. Ids sent by trackers are kept as they are.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	ms := uint64(time.Now().UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// Timestamp formats t the way documents store times: RFC 3339 in UTC with
// microseconds.
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// NewProfile returns an empty profile with id, created at now: the shape
// of plugin.NewProfile, which plugins use too.
func NewProfile(id string, now time.Time) plugin.Profile { return plugin.NewProfile(id, now) }

// NewSession returns a new session of profileID (empty: profile-less),
// created at now: the shape of plugin.NewSession.
func NewSession(id, profileID string, now time.Time) plugin.Session {
	return plugin.NewSession(id, profileID, now)
}

// PrepareEvent fills what an event needs to run through flows and be stored:
// id, properties, context, traits, tags and metadata (insert time, status).
// Values the event already has are kept.
func PrepareEvent(ev plugin.Event, now time.Time) plugin.Event {
	if s, _ := ev["id"].(string); s == "" {
		ev["id"] = NewID()
	}
	for _, k := range []string{"properties", "context", "traits"} {
		if _, ok := ev[k].(map[string]any); !ok {
			ev[k] = map[string]any{}
		}
	}
	if _, ok := ev["tags"].([]any); !ok {
		ev["tags"] = []any{}
	}
	md, ok := ev["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		ev["metadata"] = md
	}
	tm, ok := md["time"].(map[string]any)
	if !ok {
		tm = map[string]any{}
		md["time"] = tm
	}
	if _, ok := tm["insert"]; !ok {
		tm["insert"] = Timestamp(now)
	}
	if _, ok := tm["create"]; !ok {
		tm["create"] = tm["insert"]
	}
	if _, ok := md["status"]; !ok {
		md["status"] = "collected"
	}
	if _, ok := md["processed_by"]; !ok {
		md["processed_by"] = map[string]any{"rules": []any{}, "flows": []any{}}
	}
	return ev
}

// Str reads a string at a path of object keys; "" when absent.
func Str(doc map[string]any, path ...string) string {
	var cur any = doc
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}
