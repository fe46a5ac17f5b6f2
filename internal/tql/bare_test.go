package tql

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDefaultBarePaths(t *testing.T) {
	scope := testScope(t)
	tests := []struct {
		cond string
		want bool
	}{
		{`traits.age == 30`, true},
		{`traits.age > 40`, false},
		{`traits["first name"] == "Ann"`, true},
		{`traits.tags CONTAINS "vip" AND traits.age BETWEEN 18 AND 65`, true},
		{`traits EXISTS AND NOT missing.key EXISTS`, true},
		{`traits.nothing IS NULL OR traits.age IS NOT NULL`, true},
		{`lowercase(traits["first name"]) == "ann"`, true},
		{`now () > "2020-01-01"`, true},
		// a source still reaches other objects
		{`event@type == "page-view" AND traits.age >= 30`, true},
		{`profile@traits.age == 30`, true},
		{`traits.age == null`, false},
		{`TRUE == true AND traits.age != NULL`, true},
	}
	for _, tc := range tests {
		c, err := ParseDefault(tc.cond, "profile")
		if err != nil {
			t.Errorf("ParseDefault(%q): %v", tc.cond, err)
			continue
		}
		got, err := c.EvalAt(scope, fixedNow)
		if err != nil {
			t.Errorf("%q: %v", tc.cond, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%q = %v, want %v", tc.cond, got, tc.want)
		}
		for _, f := range c.Fields() {
			if f.Source == "" {
				t.Errorf("%q: field %v has no source", tc.cond, f)
			}
		}
	}
}

func TestParseDefaultFieldsAndErrors(t *testing.T) {
	c, err := ParseDefault(`traits.age > 3 AND metadata.time.insert > now.offset("-1d")`, "event")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range c.Fields() {
		got = append(got, f.String())
	}
	if strings.Join(got, " ") != "event@traits.age event@metadata.time.insert" {
		t.Errorf("fields = %v", got)
	}
	// Without a default source a bare word is still an error.
	if _, err := Parse(`traits.age > 3`); err == nil {
		t.Error("Parse accepted a bare path")
	}
	var se *SyntaxError
	_, err = ParseDefault(`traits.age >`, "profile")
	if !errors.As(err, &se) || se.Pos != 12 {
		t.Errorf("error = %v, want a SyntaxError at 12", err)
	}
	if _, err := ParseDefault(`a == 1`, "nowhere"); err == nil {
		t.Error("unknown default source accepted")
	}
}

func FuzzParseDefault(f *testing.F) {
	for _, s := range []string{`traits.a == 1`, `a["b c"] EXISTS and not b.c empty`, `x.y(1) == 2`, `now() > metadata.time.insert`, `a.`, `a[`} {
		f.Add(s)
	}
	scope := testScope(f)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseDefault(src, "profile")
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseDefault(%q) error is %T, not *SyntaxError: %v", src, err, err)
			}
			if se.Pos < 0 || se.Pos > len(src) {
				t.Fatalf("ParseDefault(%q) error position %d outside the source", src, se.Pos)
			}
			return
		}
		// The canonical form names every source, so plain Parse reads it.
		if _, err := Parse(c.String()); err != nil {
			t.Fatalf("Parse(%q) (from %q): %v", c.String(), src, err)
		}
		_, _ = c.EvalAt(scope, fixedNow)
	})
}

func TestTerms(t *testing.T) {
	tests := []struct {
		cond  string
		terms string
		whole bool
	}{
		{`type == "purchase"`, `event@type=[purchase]`, true},
		{`"purchase" == type AND source.id == ["a", "b"]`, `event@type=[purchase] event@source.id=[a b]`, true},
		{`type == "purchase" AND properties.value > 10`, `event@type=[purchase]`, false},
		{`type == "purchase" OR type == "x"`, ``, false},
		{`type != "purchase"`, ``, false},
		{`type == 1`, ``, false},
		{`type == ["a", 1]`, ``, false},
		{`type == []`, ``, false},
		{`NOT type == "a"`, ``, false},
		{`type == properties.kind`, ``, false},
	}
	for _, tc := range tests {
		c, err := ParseDefault(tc.cond, "event")
		if err != nil {
			t.Fatalf("%q: %v", tc.cond, err)
		}
		terms, whole := c.Terms()
		var got []string
		for _, tm := range terms {
			got = append(got, tm.Field.String()+"=["+strings.Join(tm.Values, " ")+"]")
		}
		if strings.Join(got, " ") != tc.terms || whole != tc.whole {
			t.Errorf("%q: terms %v whole %v, want %s %v", tc.cond, got, whole, tc.terms, tc.whole)
		}
	}
}
