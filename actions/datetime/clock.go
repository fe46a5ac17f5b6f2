package datetime

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

const tracardi = "tracardi.process_engine.action.v1."

// Clock returns the current time. Register functions use time.Now; tests
// give a fixed one.
type Clock func() time.Time

// now is the run's current time: the event's collection time
// (metadata.time.insert) when it has one, otherwise the clock's.
func now(ev plugin.Event, clock Clock) time.Time {
	if md, ok := ev["metadata"].(map[string]any); ok {
		if tm, ok := md["time"].(map[string]any); ok {
			if s, ok := tm["insert"].(string); ok {
				if t, err := parseText(s, time.Time{}); err == nil {
					return t
				}
			}
		}
	}
	if clock == nil {
		clock = time.Now
	}
	return clock().UTC()
}

// errNotDate is wrapped by parseDate's errors.
var errNotDate = errors.New("not a date")

// layouts are the date formats parseDate reads, tried in order. A layout
// without a zone reads as UTC.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.ANSIC,
	"Jan 2 2006 15:04:05",
	"Jan 2 2006",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006",
	"January 2, 2006 15:04:05",
	"January 2, 2006",
}

// timeLayouts are times of day; they take the date of "now", as Tracardi's
// date parser does.
var timeLayouts = []string{"15:04:05.999999999", "15:04"}

// parseDate reads a date: "now", text in one of many common formats (ISO
// 8601 first), or a number of seconds since 1970. Dates without a zone are
// UTC.
func parseDate(v any, nowT time.Time) (time.Time, error) {
	switch x := v.(type) {
	case string:
		return parseText(x, nowT)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			break
		}
		sec, frac := math.Modf(x)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	case int:
		return time.Unix(int64(x), 0).UTC(), nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	case time.Time:
		return x, nil
	case nil:
		return time.Time{}, fmt.Errorf("%w: the value is null", errNotDate)
	}
	return time.Time{}, fmt.Errorf("%w: expected text or a number of seconds, got %v", errNotDate, describe(v))
}

func parseText(s string, nowT time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: the text is empty", errNotDate)
	}
	if strings.EqualFold(s, "now") {
		if nowT.IsZero() {
			return time.Time{}, fmt.Errorf("%w: %q", errNotDate, s)
		}
		return nowT, nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if !nowT.IsZero() {
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				y, m, d := nowT.Date()
				return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%w: could not parse %q", errNotDate, s)
}

func describe(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// isoformat writes t as Python's datetime.isoformat does (Tracardi's JSON
// dates): microseconds only when not zero, the offset as +00:00.
func isoformat(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05-07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000-07:00")
}

// span is a time difference in several units, as Tracardi reports it.
func span(d time.Duration) map[string]any {
	s := d.Seconds()
	return map[string]any{
		"seconds": s,
		"minutes": s / 60,
		"hours":   s / 3600,
		"days":    s / 86400,
		"weeks":   s / (86400 * 7),
	}
}

// loadZone reads a time zone name such as Europe/Paris or UTC.
func loadZone(v any) (*time.Location, error) {
	name, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("the time zone must be text such as Europe/Paris, got %s", describe(v))
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errors.New("the time zone is empty; expected a name such as Europe/Paris")
	}
	if strings.EqualFold(name, "local") {
		// time.LoadLocation("Local") is the server's zone; a flow means a real zone.
		return nil, fmt.Errorf("%q is not a time zone; expected a name such as Europe/Paris", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not a time zone; expected a name such as Europe/Paris", name)
	}
	return loc, nil
}
