package text

import (
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestParseDate(t *testing.T) {
	now := time.Date(2024, 3, 31, 23, 30, 0, 0, time.UTC)
	cases := []struct{ in, want string }{
		{"2024-03-31", "2024-03-31"},
		{"2024-03-31T14:05:00Z", "2024-03-31"},
		{"2024-03-31T23:30:00-05:00", "2024-03-31"}, // its own day, not UTC's
		{"2024-03-31 14:05:00.123456+02:00", "2024-03-31"},
		{"2024-03-31T14:05", "2024-03-31"},
		{"20240331", "2024-03-31"},
		{"Sun, 31 Mar 2024 14:05:00 GMT", "2024-03-31"},
		{"Sun, 31 Mar 2024 14:05:00 +0200", "2024-03-31"},
		{"31 Mar 2024 14:05:00 +0200", "2024-03-31"},
		{"Sunday, 31-Mar-24 14:05:00 UTC", "2024-03-31"},
		{"Sun Mar 31 14:05:00 2024", "2024-03-31"},
		{"03/31/2024", "2024-03-31"},
		{"01/02/2024", "2024-01-02"}, // month first, as Tracardi reads it
		{"31/03/2024", "2024-03-31"}, // day first when the first cannot be a month
		{"31.03.24", "2024-03-31"},
		{"3-31-99", "1999-03-31"},
		{"2024/03/31", "2024-03-31"},
		{"2024.3.31 14:05", "2024-03-31"},
		{"03/31/2024 2:05 PM", "2024-03-31"},
		{"March 31, 2024", "2024-03-31"},
		{"31 March 2024", "2024-03-31"},
		{"Mar 31 2024 14:05", "2024-03-31"},
		{"Sunday, March 31st, 2024 at 2:05 pm", "2024-03-31"},
		{"the 31st of March 2024", ""},
		{"31st of March 2024", "2024-03-31"},
		{"march 2024", "2024-03-01"},
		{"1711893900", "2024-03-31"},
		{"1711893900000", "2024-03-31"},
		{"1711893900.5", "2024-03-31"},
		{"now", "2024-03-31"},
		{"Yesterday", "2024-03-30"},
		{"tomorrow", "2024-04-01"},
		{"3 days ago", "2024-03-28"},
		{"a week ago", "2024-03-24"},
		{"in 2 weeks", "2024-04-14"},
		{"1 month ago", "2024-03-02"},
		{"abc", ""},
		{"31/02/2024", ""},
		{"13/13/2024", ""},
		{"2024-02-30", ""},
		{"3 days", ""},
		{"03/31/2024 25:00", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, err := parseDate(c.in, now)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%q: read as %s, want an error", c.in, got)
		case c.want != "" && err != nil:
			t.Errorf("%q: %v, want %s", c.in, err, c.want)
		case c.want != "" && got.Format("2006-01-02") != c.want:
			t.Errorf("%q: read as %s, want %s", c.in, got.Format("2006-01-02"), c.want)
		}
	}
}

func TestToDate(t *testing.T) {
	p := RegisterToDate()
	run := func(v any) *plugintest.Outcome {
		return plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"string": "payload@d"}, Payload: plugin.Payload{"d": v}})
	}
	if got := run("March 31, 2024").MustPort(t, "date"); got["date"] != "2024-03-31" {
		t.Errorf("date = %v", got)
	}
	if got := run(1711893900.0).MustPort(t, "date"); got["date"] != "2024-03-31" {
		t.Errorf("timestamp number: %v", got)
	}
	for _, v := range []any{"", nil} {
		if out := run(v); out.Err != nil || len(out.Results) != 0 {
			t.Errorf("%#v: results %v, error %v; want nothing, as Tracardi", v, out.Results, out.Err)
		}
	}
	out := run("not a date")
	if got := out.MustPort(t, "error"); !strings.Contains(got["message"].(string), `"not a date" is not a date in a known format`) {
		t.Errorf("error = %v", got)
	}
	if !strings.Contains(out.LogText(), "error: ") {
		t.Errorf("console = %q", out.LogText())
	}
	out = run(map[string]any{})
	if got := out.MustPort(t, "error"); !strings.Contains(got["message"].(string), "an object, not a date") {
		t.Errorf("object: %v", got)
	}
	// Tracardi's test config: the literal "abc" is no date.
	plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"string": "abc"}}).MustPort(t, "error")
	out = plugintest.Run(t, p, plugintest.Case{Config: plugin.Config{"string": "event@properties.missing"}})
	if got := out.MustPort(t, "error"); !strings.Contains(got["message"].(string), "missing") {
		t.Errorf("missing: %v", got)
	}
}

func BenchmarkParseDate(b *testing.B) {
	now := time.Now()
	for _, in := range []string{"2024-03-31T14:05:00Z", "03/31/2024", "Sunday, March 31st, 2024 at 2:05 pm", "1711893900"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseDate(in, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
