package plugin

import (
	"context"
	"strings"
	"time"
)

// ConsentType is a consent a profile may grant, as configured in the
// Consents menu (Tracardi's consent type).
type ConsentType struct {
	ID          string
	Name        string
	Description string
	// Revokable consents last RevokeAfter from their grant; the others
	// last until revoked.
	Revokable   bool
	RevokeAfter time.Duration
	// Default is "grant" or "deny".
	Default  string
	Required bool
	Enabled  bool
}

// ConsentTypes is implemented by a Data provider that reads the configured
// consent types. Plugins reach it with a type assertion on State.Data:
//
//	ct, ok := data.(plugin.ConsentTypes)
type ConsentTypes interface {
	// ConsentType loads a consent type by id; ErrNotFound when there is
	// none.
	ConsentType(ctx context.Context, id string) (ConsentType, error)
}

// ConsentInForce reports whether profile holds consent id, granted and not
// revoked at now: an entry in profile["consents"] whose "revoke" time is
// null, missing or after now. A revoke time that cannot be read makes the
// consent not in force.
func ConsentInForce(profile map[string]any, id string, now time.Time) bool {
	all, _ := profile["consents"].(map[string]any)
	c, ok := all[id]
	if !ok {
		return false
	}
	entry, _ := c.(map[string]any)
	rv, has := entry["revoke"]
	if !has || rv == nil {
		return true
	}
	at, ok := ParseTime(rv)
	if !ok {
		return false
	}
	return at.After(now)
}

// ParseTime reads a stored time: an RFC 3339 string (a time without a zone
// is UTC, as Python's isoformat writes it) or a Unix time in seconds.
func ParseTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case string:
		s := strings.TrimSpace(t)
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
			if at, err := time.Parse(layout, s); err == nil {
				return at.UTC(), true
			}
		}
	case float64:
		return time.Unix(0, int64(t*float64(time.Second))).UTC(), true
	case int:
		return time.Unix(int64(t), 0).UTC(), true
	case int64:
		return time.Unix(t, 0).UTC(), true
	}
	return time.Time{}, false
}
