package plugin

import "time"

// timestamp writes t as the records' times are written (UTC, microseconds).
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// NewProfile returns an empty profile with id, created at now, in the shape
// the collector gives new profiles (operation.new is true).
func NewProfile(id string, now time.Time) Profile {
	ts := timestamp(now)
	return Profile{
		"id":  id,
		"ids": []any{},
		"metadata": map[string]any{
			"time": map[string]any{
				"insert": ts, "create": ts, "update": ts, "segmentation": nil,
				"visit": map[string]any{"last": nil, "current": nil, "count": 0.0, "tz": nil},
			},
			"fields": map[string]any{},
			"aux":    map[string]any{},
		},
		"operation": map[string]any{"new": true, "update": false, "segment": false, "merge": []any{}},
		"stats":     map[string]any{"visits": 0.0, "views": 0.0, "counters": map[string]any{}},
		"traits":    map[string]any{},
		"segments":  []any{},
		"interests": map[string]any{},
		"consents":  map[string]any{},
		"active":    true,
		"aux":       map[string]any{},
		"data": map[string]any{
			"pii": map[string]any{},
			"contact": map[string]any{
				"email":   map[string]any{},
				"phone":   map[string]any{},
				"app":     map[string]any{},
				"address": map[string]any{},
			},
			"identifier":  map[string]any{},
			"devices":     map[string]any{},
			"media":       map[string]any{},
			"preferences": map[string]any{},
			"job":         map[string]any{},
			"metrics":     map[string]any{},
			"loyalty":     map[string]any{},
		},
	}
}

// NewSession returns a new session of profileID ("" for a profile-less
// one), started at now, in the shape the collector gives new sessions
// (operation.new is true).
func NewSession(id, profileID string, now time.Time) Session {
	s := Session{
		"id": id,
		"metadata": map[string]any{
			"time": map[string]any{
				"insert":    timestamp(now),
				"timestamp": float64(now.Unix()),
				"duration":  0.0,
				"weekday":   float64(now.UTC().Weekday()),
			},
			"channel": nil,
			"status":  "started",
		},
		"operation":  map[string]any{"new": true},
		"device":     map[string]any{},
		"os":         map[string]any{},
		"app":        map[string]any{},
		"utm":        map[string]any{},
		"context":    map[string]any{},
		"properties": map[string]any{},
		"traits":     map[string]any{},
	}
	if profileID != "" {
		s["profile"] = map[string]any{"id": profileID}
	} else {
		s["profile"] = nil
	}
	return s
}
