package text

import (
	"testing"
	"time"
)

// FuzzParseDate: any text is read as a date or refused, never a panic.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-03-31", "03/31/2024 2:05 PM +02:00", "Sunday, March 31st, 2024", "1711893900.5", "3 days ago", "31.02.24"} {
		f.Add(s)
	}
	now := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseDate(s, now); err == nil && d.IsZero() {
			t.Errorf("%q read as the zero time", s)
		}
	})
}
