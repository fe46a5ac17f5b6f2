package tql

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/tracflow/tracflow/internal/notation"
)

type fnID uint8

const (
	fNow fnID = iota
	fUTCNow
	fNowTZ
	fNowOffset
	fNowTimezone
	fNowTimezoneOffset
	fDatetime
	fDatetimeOffset
	fDatetimeTimezone
	fDatetimeFromTimestamp
	fLowercase
	fUppercase
)

type fnSpec struct {
	name    string
	arity   int
	tzArg   int // index of the time zone argument, -1 if none
	offArg  int // index of the offset argument, -1 if none
	usesNow bool
}

var fnSpecs = [...]fnSpec{
	fNow:                   {"now", 0, -1, -1, true},
	fUTCNow:                {"utcnow", 0, -1, -1, true},
	fNowTZ:                 {"now", 1, 0, -1, true},
	fNowOffset:             {"now.offset", 1, -1, 0, true},
	fNowTimezone:           {"now.timezone", 1, 0, -1, true},
	fNowTimezoneOffset:     {"now.timezone.offset", 2, 0, 1, true},
	fDatetime:              {"datetime", 1, -1, -1, false},
	fDatetimeOffset:        {"datetime.offset", 2, -1, 1, false},
	fDatetimeTimezone:      {"datetime.timezone", 2, 1, -1, false},
	fDatetimeFromTimestamp: {"datetime.from_timestamp", 1, -1, -1, false},
	fLowercase:             {"lowercase", 1, -1, -1, false},
	fUppercase:             {"uppercase", 1, -1, -1, false},
}

// lookupFn finds a function by lower-case name and argument count.
func lookupFn(name string, argc int) (fnID, bool, string) {
	var arities []string
	for id, s := range fnSpecs {
		if s.name != name {
			continue
		}
		if s.arity == argc {
			return fnID(id), true, ""
		}
		arities = append(arities, fmt.Sprint(s.arity))
	}
	if len(arities) > 0 {
		return 0, false, fmt.Sprintf("%s() takes %s argument(s), not %d", name, strings.Join(arities, " or "), argc)
	}
	return 0, false, fmt.Sprintf("unknown function %q; known functions: %s", name, strings.Join(fnNames(), ", "))
}

func fnNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range fnSpecs {
		if !seen[s.name] {
			seen[s.name] = true
			out = append(out, s.name)
		}
	}
	sort.Strings(out)
	return out
}

var zoneCache sync.Map // name -> *time.Location

// loadZone loads a time zone by IANA name. Names are matched without regard
// to case ("europe/warsaw" is Europe/Warsaw), as Tracardi did.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := loadZoneUncached(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

func loadZoneUncached(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("unknown time zone %q; use an IANA name such as Europe/Warsaw or UTC", name)
	}
	for _, candidate := range []string{name, titleZone(name), strings.ToUpper(name)} {
		if loc, err := time.LoadLocation(candidate); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("unknown time zone %q; use an IANA name such as Europe/Warsaw or UTC", name)
}

// titleZone capitalises each word of a zone name: america/new_york ->
// America/New_York.
func titleZone(name string) string {
	b := []byte(strings.ToLower(name))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}

var durationUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// parseDuration reads an offset such as "5m", "-1d", "+2h", "1h30m",
// "1.5h" or "2 days 3 hours". Units: s, m, h, d, w and their long forms.
func parseDuration(s string) (time.Duration, error) {
	orig := s
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("cannot read %q as a duration; write it like 30s, 5m, 1h, 2d, -1d or 1h30m", orig)
	}
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = strings.TrimSpace(s[1:])
	}
	if s == "" {
		return bad()
	}
	var total time.Duration
	for s != "" {
		i := 0
		var whole, frac int64
		var fracDigits int
		digits := 0
		for i < len(s) && isDigit(s[i]) {
			if whole > math.MaxInt64/10 {
				return bad()
			}
			whole = whole*10 + int64(s[i]-'0')
			i++
			digits++
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && isDigit(s[i]) {
				if fracDigits < 18 {
					frac = frac*10 + int64(s[i]-'0')
					fracDigits++
				}
				i++
				digits++
			}
		}
		if digits == 0 {
			return bad()
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		u := i
		for i < len(s) && isLetter(s[i]) {
			i++
		}
		unit, ok := durationUnits[strings.ToLower(s[u:i])]
		if !ok {
			return bad()
		}
		if whole > int64(math.MaxInt64/unit) {
			return bad()
		}
		d := time.Duration(whole) * unit
		if frac > 0 {
			scale := math.Pow10(fracDigits)
			d += time.Duration(float64(frac) * (float64(unit) / scale))
		}
		if d < 0 || total > math.MaxInt64-d {
			return bad()
		}
		total += d
		s = strings.TrimLeft(s[i:], " ,")
	}
	if neg {
		total = -total
	}
	return total, nil
}

// formatDuration writes d so that parseDuration reads it back exactly.
func formatDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		// Durations come from parseDuration, which never yields MinInt64.
		sign = "-"
		d = -d
	}
	switch {
	case d == 0:
		return "0s"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%s%dd", sign, d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%s%dh", sign, d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%s%dm", sign, d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%s%ds", sign, d/time.Second)
	}
	frac := fmt.Sprintf("%09d", d%time.Second)
	frac = strings.TrimRight(frac, "0")
	return fmt.Sprintf("%s%d.%ss", sign, d/time.Second, frac)
}

var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
}

var namedLayouts = []string{time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC}

// parseTime reads a date or a date and time: ISO 8601 / RFC 3339 forms
// ("2024-05-01", "2024-05-01T10:00:00Z", "2024-05-01 10:00:00.123+02:00")
// and RFC 1123. A time without a zone is taken as UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}, false
	}
	if isDigit(s[0]) {
		if s[4] != '-' && s[4] != '/' {
			return time.Time{}, false
		}
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	for _, layout := range namedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// toTime converts a function argument to a time.
func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		if t, ok := parseTime(x); ok {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("cannot read %q as a date; use a form like 2024-05-01 or 2024-05-01T10:00:00Z", x)
	}
	if _, ok := notation.ToFloat(v); ok {
		return time.Time{}, fmt.Errorf("got the number %s, not a date; use datetime.from_timestamp() for Unix timestamps", notation.Stringify(v))
	}
	return time.Time{}, fmt.Errorf("got %s, not a date", describeValue(v))
}

// toOffset converts a function argument to a duration.
func toOffset(v any) (time.Duration, error) {
	switch x := v.(type) {
	case time.Duration:
		return x, nil
	case string:
		return parseDuration(x)
	}
	if f, ok := notation.ToFloat(v); ok && !math.IsNaN(f) && math.Abs(f) < 9e9 {
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("got %s, not a time offset such as \"-1d\"", describeValue(v))
}

func toZone(v any) (*time.Location, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("got %s, not a time zone name", describeValue(v))
	}
	return loadZone(s)
}

func describeValue(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the boolean %v", v)
	case time.Time:
		return "a date"
	case time.Duration:
		return "a duration"
	case []any, []string:
		return "a list"
	case map[string]any, map[string]string:
		return "an object"
	}
	if _, ok := notation.ToFloat(v); ok {
		return "the number " + notation.Stringify(v)
	}
	return fmt.Sprintf("a %T", v)
}

// applyFn runs a function on evaluated arguments. now is the evaluation time.
func applyFn(c *call, now time.Time, a0, a1 any) (any, error) {
	spec := &fnSpecs[c.fn]
	var loc *time.Location
	var off time.Duration
	var err error
	args := [2]any{a0, a1}
	if spec.tzArg >= 0 {
		if c.loc != nil {
			loc = c.loc
		} else if loc, err = toZone(args[spec.tzArg]); err != nil {
			return nil, err
		}
	}
	if spec.offArg >= 0 {
		if c.hasOff {
			off = c.offset
		} else if off, err = toOffset(args[spec.offArg]); err != nil {
			return nil, err
		}
	}
	switch c.fn {
	case fNow:
		return now, nil
	case fUTCNow:
		return now.UTC(), nil
	case fNowTZ, fNowTimezone:
		return now.In(loc), nil
	case fNowOffset:
		return now.Add(off), nil
	case fNowTimezoneOffset:
		return now.In(loc).Add(off), nil
	case fDatetime:
		return toTime(a0)
	case fDatetimeOffset:
		t, err := toTime(a0)
		if err != nil {
			return nil, err
		}
		return t.Add(off), nil
	case fDatetimeTimezone:
		t, err := toTime(a0)
		if err != nil {
			return nil, err
		}
		return t.In(loc), nil
	case fDatetimeFromTimestamp:
		f, ok := notation.ToFloat(a0)
		if !ok {
			if t, isTime := a0.(time.Time); isTime {
				return t, nil
			}
			return nil, fmt.Errorf("got %s, not a Unix timestamp in seconds", describeValue(a0))
		}
		if math.IsNaN(f) || math.Abs(f) > 1e15 {
			return nil, fmt.Errorf("timestamp %s is out of range", notation.Stringify(a0))
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	case fLowercase:
		if s, ok := a0.(string); ok {
			return strings.ToLower(s), nil
		}
		return a0, nil
	case fUppercase:
		if s, ok := a0.(string); ok {
			return strings.ToUpper(s), nil
		}
		return a0, nil
	}
	return nil, fmt.Errorf("function %s is not implemented", spec.name)
}
