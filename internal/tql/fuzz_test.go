package tql

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`payload@a == 1`,
		`event@type = "page-view" and (profile@x > 2 or not profile@y exists)`,
		`payload@a.b BETWEEN -1.5 AND 2e3`,
		`datetime(payload@a) < now.offset("-1d") OR utcnow() > "2024-01-01"`,
		`payload@a == [1, 'a', null, true, 5m]`,
		`payload@a IS NOT NULL AND payload@b NOT EMPTY AND payload@c NOT EXISTS`,
		`payload@x STARTS WITH "ab" OR payload@y ENDS WITH 'x\'y' OR payload@z CONTAINS "\u00e9\x00"`,
		`payload@a["b c"][0] == now("Europe/Warsaw")`,
		`NOT NOT (payload@... EMPTY)`,
		`lowercase(uppercase(payload@a)) == datetime.timezone(payload@b, "utc")`,
		`payload@a > 1h30m`,
		`payload@a ==`,
	} {
		f.Add(s)
	}
	scope := testScope(f)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error is %T, not *SyntaxError: %v", src, err, err)
			}
			if se.Pos < 0 || se.Pos > len(src) {
				t.Fatalf("Parse(%q) error position %d outside the source", src, se.Pos)
			}
			return
		}
		out := c.String()
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", src, out, err)
		}
		if out2 := c2.String(); out2 != out {
			t.Fatalf("canonical form not stable:\n src %q\n 1st %q\n 2nd %q", src, out, out2)
		}
		r1, e1 := c.EvalAt(scope, fixedNow)
		r2, e2 := c2.EvalAt(scope, fixedNow)
		if r1 != r2 || (e1 == nil) != (e2 == nil) {
			t.Fatalf("%q and %q evaluate differently: %v/%v vs %v/%v", src, out, r1, e1, r2, e2)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"5m", "-1d", "1h30m", "2 days, 3 hours", "1.5s", "0.000000001s", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err != nil {
			return
		}
		back, err := parseDuration(formatDuration(d))
		if err != nil || back != d {
			t.Fatalf("parseDuration(%q) = %v; formatted %q reads back as %v, %v", s, d, formatDuration(d), back, err)
		}
	})
}
