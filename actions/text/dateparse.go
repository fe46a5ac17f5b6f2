package text

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parseDate reads a date written in one of the common forms (see
// dateFormatsDoc) and returns it as a time; now is the moment relative
// dates (today, 2 days ago) count from. Dates with a zone keep it.
func parseDate(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("the text is empty")
	}
	if t, ok := relativeDate(strings.ToLower(s), now); ok {
		return t, nil
	}
	if t, ok := timestamp(s); ok {
		return t, nil
	}
	if isoLike(s) {
		for _, l := range isoLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, nil
			}
		}
	}
	if t, ok := numericDate(s); ok {
		return t, nil
	}
	n := normalizeDate(s)
	if t, ok := numericDate(n); ok {
		return t, nil
	}
	if !isoLike(s) {
		for _, l := range rfcLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, nil
			}
		}
		for _, l := range namedLayouts(n) {
			if t, err := time.Parse(l, n); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date in a known format", s)
}

// dateFormatsDoc documents what parseDate reads.
const dateFormatsDoc = "ISO 8601 (2024-03-31, 2024-03-31T14:05:00Z, 2024-03-31 14:05:00+02:00, " +
	"20240331); RFC 1123, 2822 and 850 (Sun, 31 Mar 2024 14:05:00 GMT; 31 Mar 2024 14:05:00 +0200); " +
	"numbers with / - or . between them: 2024/03/31 (year first), 03/31/2024 (month first, as " +
	"Tracardi's parser reads them in English) or 31/03/2024 (day first, when the first number " +
	"cannot be a month), two-digit years meaning 1969-2068; month names (31 March 2024, March 31, " +
	"2024, Mar 31 2024, Sunday, 31st of March 2024), with an optional time (14:05, 2:05 pm); " +
	"unix timestamps in seconds (1711893900), milliseconds, microseconds or nanoseconds; and now, " +
	"today, yesterday, tomorrow, N days (weeks, hours, minutes, months, years) ago, in N days. " +
	"A date with a zone or offset gives its own day there; timestamps and relative dates are in UTC."

// isoLike reports whether s starts as ISO 8601 does: four digits and a
// dash, or eight digits.
func isoLike(s string) bool {
	digits := 0
	for digits < len(s) && digits < 8 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	return digits == 8 || (digits == 4 && len(s) > 4 && s[4] == '-')
}

var isoLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00", "2006-01-02 15:04:05 MST", "2006-01-02 15:04", "2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.999999999-0700", "2006-01-02 15:04:05-0700", "2006-01-02", "20060102", "20060102T150405Z07:00",
	"2006-01",
}

var rfcLayouts = []string{
	time.RFC1123, time.RFC1123Z, time.RFC822, time.RFC822Z, time.RFC850, time.ANSIC, time.UnixDate, time.RubyDate,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04 -0700", "2 Jan 2006 15:04 -0700",
}

// The layouts of dates with month names, for normalized text (no weekday,
// no commas, no ordinal suffixes, single spaces, "of" and "at" dropped):
// a date part, chosen by whether the text starts with a digit, and a time
// part, chosen by what the text holds.
var (
	dayFirstDates   = []string{"2 January 2006", "2 Jan 2006", "2006 January 2", "2006 Jan 2"}
	monthFirstDates = []string{"January 2 2006", "Jan 2 2006", "January 2006", "Jan 2006"}
	clockTimes      = []string{" 15:04", " 15:04:05", " 3:04 PM", " 3:04PM", " 3:04:05 PM", " 15:04:05 MST", " 15:04:05 -0700", " 15:04 MST"}
	hourTimes       = []string{" 3 PM", " 3PM"}
)

func namedLayouts(n string) []string {
	dates := monthFirstDates
	if n != "" && n[0] >= '0' && n[0] <= '9' {
		dates = dayFirstDates
	}
	times := []string{""}
	switch {
	case strings.Contains(n, ":"):
		times = clockTimes
	case strings.HasSuffix(n, "M"):
		times = hourTimes
	}
	out := make([]string, 0, len(dates)*len(times))
	for _, d := range dates {
		for _, t := range times {
			out = append(out, d+t)
		}
	}
	return out
}

var (
	weekday   = regexp.MustCompile(`(?i)^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|urday)?\.?,?\s+`)
	ordinal   = regexp.MustCompile(`(?i)\b(\d{1,2})(st|nd|rd|th)\b`)
	fillWords = regexp.MustCompile(`(?i)\s+(of|at)\s+`)
	spaces    = regexp.MustCompile(`\s+`)
	ampm      = regexp.MustCompile(`(?i)\b([ap])\.?m\.?$`)
)

func normalizeDate(s string) string {
	s = weekday.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, ",", " ")
	s = ordinal.ReplaceAllString(s, "$1")
	s = fillWords.ReplaceAllString(s, " ")
	s = spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	s = ampm.ReplaceAllStringFunc(s, func(m string) string { return strings.ToUpper(m[:1]) + "M" })
	return s
}

var (
	numeric   = regexp.MustCompile(`^(\d{1,4})([/.-])(\d{1,2})([/.-])(\d{1,4})(?:[ T](.+))?$`)
	clockTime = regexp.MustCompile(`(?i)^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([AP]M)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$`)
)

// numericDate reads year-first (2024/03/31), month-first (03/31/2024) or,
// when the first number is over 12, day-first (31/03/2024) dates, with an
// optional time.
func numericDate(s string) (time.Time, bool) {
	m := numeric.FindStringSubmatch(s)
	if m == nil || m[2] != m[4] {
		return time.Time{}, false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	c, _ := strconv.Atoi(m[5])
	var y, mo, d int
	switch {
	case len(m[1]) == 4:
		y, mo, d = a, b, c
		if len(m[5]) > 2 {
			return time.Time{}, false
		}
	case len(m[5]) == 4 || len(m[5]) == 2:
		y, mo, d = c, a, b
		if a > 12 {
			mo, d = b, a
		}
		if len(m[5]) == 2 {
			y = twoDigitYear(c)
		}
	default:
		return time.Time{}, false
	}
	loc := time.UTC
	hh, mm, ss := 0, 0, 0
	if m[6] != "" {
		t := clockTime.FindStringSubmatch(strings.TrimSpace(m[6]))
		if t == nil || (t[2] == "" && t[4] == "") {
			return time.Time{}, false
		}
		hh, _ = strconv.Atoi(t[1])
		mm, _ = strconv.Atoi(t[2])
		ss, _ = strconv.Atoi(t[3])
		if t[4] != "" {
			if hh < 1 || hh > 12 {
				return time.Time{}, false
			}
			hh %= 12
			if strings.EqualFold(t[4], "PM") {
				hh += 12
			}
		}
		if hh > 23 || mm > 59 || ss > 60 {
			return time.Time{}, false
		}
		if z := t[5]; len(z) > 0 && (z[0] == '+' || z[0] == '-') {
			digits := strings.ReplaceAll(z[1:], ":", "")
			zh, _ := strconv.Atoi(digits[:2])
			zm, _ := strconv.Atoi(digits[2:])
			off := zh*3600 + zm*60
			if z[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	t := time.Date(y, time.Month(mo), d, hh, mm, ss, 0, loc)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, false // 31/02 and the like
	}
	return t, true
}

// twoDigitYear maps 69-99 to 1969-1999 and 00-68 to 2000-2068, as Python's
// strptime does.
func twoDigitYear(y int) int {
	if y < 69 {
		return 2000 + y
	}
	return 1900 + y
}

var epoch = regexp.MustCompile(`^\d{9,19}(\.\d+)?$`)

// timestamp reads unix time: 9-11 digits are seconds, 12-14 milliseconds,
// 15-17 microseconds, 18-19 nanoseconds (an optional fraction is kept).
func timestamp(s string) (time.Time, bool) {
	if !epoch.MatchString(s) {
		return time.Time{}, false
	}
	digits := strings.IndexByte(s, '.')
	if digits < 0 {
		digits = len(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false
	}
	switch {
	case digits <= 11:
	case digits <= 14:
		f /= 1e3
	case digits <= 17:
		f /= 1e6
	default:
		f /= 1e9
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

var relative = regexp.MustCompile(`^(?:in\s+)?(\d+|an?|one)\s+(second|minute|hour|day|week|fortnight|month|year)s?(\s+ago)?$`)

// relativeDate reads now, today, yesterday, tomorrow, "3 days ago" and
// "in 2 weeks".
func relativeDate(s string, now time.Time) (time.Time, bool) {
	now = now.UTC()
	switch s {
	case "now", "today", "right now":
		return now, true
	case "yesterday":
		return now.AddDate(0, 0, -1), true
	case "tomorrow":
		return now.AddDate(0, 0, 1), true
	}
	m := relative.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	n := 1
	if v, err := strconv.Atoi(m[1]); err == nil {
		n = v
	}
	ago := m[3] != ""
	if ago == strings.HasPrefix(s, "in") {
		return time.Time{}, false // "in 3 days ago", or "3 days" alone
	}
	if ago {
		n = -n
	}
	switch m[2] {
	case "second":
		return now.Add(time.Duration(n) * time.Second), true
	case "minute":
		return now.Add(time.Duration(n) * time.Minute), true
	case "hour":
		return now.Add(time.Duration(n) * time.Hour), true
	case "day":
		return now.AddDate(0, 0, n), true
	case "week":
		return now.AddDate(0, 0, 7*n), true
	case "fortnight":
		return now.AddDate(0, 0, 14*n), true
	case "month":
		return now.AddDate(0, n, 0), true
	default:
		return now.AddDate(n, 0, 0), true
	}
}
