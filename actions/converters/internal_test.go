package converters

import (
	"math"
	"strings"
	"testing"
)

func TestPyJSON(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{map[string]any{"b": 1.0, "a": []any{true, nil, "x"}}, `{"a": [true, null, "x"], "b": 1}`},
		{"é \"q\" \\ \n\t\x01 \u007f 😀 <&>/", `"\u00e9 \"q\" \\ \n\t\u0001 ` + "\u007f" + ` \ud83d\ude00 <&>/"`},
		{1.5, "1.5"},
		{-0.0001, "-0.0001"},
		{0.00001, "1e-05"},
		{1234567.5, "1234567.5"},
		{1e16 + 0.5, "10000000000000000"},
		{1.5e300, "1.5e+300"},
		{123456789.0, "123456789"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "-Infinity"},
		{map[string]any{}, "{}"},
		{[]any{}, "[]"},
	}
	for _, c := range cases {
		got, err := pyJSON(c.in)
		if err != nil || got != c.want {
			t.Errorf("pyJSON(%#v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	var deep any = "x"
	for i := 0; i < maxDepth+2; i++ {
		deep = []any{deep}
	}
	if _, err := pyJSON(deep); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestLenientBase64(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"aGVsbG8=", "hello", ""},
		{"aGVsbG8", "hello", ""}, // missing padding is forgiven
		{"aGVs\nbG8 =", "hello", ""},
		{"aGVsbA==", "hell", ""},
		{"aGVsbA==aGVs", "hell", ""}, // decoding stops at the padding that ends a group
		{"QUJD", "ABC", ""},
		{"Q", "", "number of data characters (1)"},
		{"aGVsbG8é", "", "only ASCII"},
		{"", "", ""},
	}
	for _, c := range cases {
		got, err := lenientBase64(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error with %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestEncodings(t *testing.T) {
	for _, o := range encodingOptions {
		name, err := lookupEncoding(o.name)
		if err != nil {
			t.Errorf("%s: %v", o.name, err)
			continue
		}
		b, err := encodeText(name, "hello")
		if err != nil {
			t.Errorf("%s: encode: %v", o.name, err)
			continue
		}
		if s, err := decodeText(name, b); err != nil || s != "hello" {
			t.Errorf("%s: round trip %q, %v", o.name, s, err)
		}
	}
	for in, want := range map[string]string{"UTF-8": "utf_8", "utf8": "utf_8", "": "utf_8", "Latin-1": "latin_1", "windows-1250": "cp1250", "UTF-16-LE": "utf_16_le"} {
		if got, err := lookupEncoding(in); got != want || err != nil {
			t.Errorf("lookupEncoding(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := lookupEncoding("klingon"); err == nil || !strings.Contains(err.Error(), `"klingon" is not a known text encoding`) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := encodeText("ascii", "é"); err == nil {
		t.Error("ASCII wrote é")
	}
	if _, err := encodeText("latin_1", "ż"); err == nil {
		t.Error("Latin-1 wrote ż")
	}
	if _, err := decodeText("utf_8", []byte{0xff}); err == nil {
		t.Error("0xff read as UTF-8")
	}
	if _, err := decodeText("euc_jp", []byte{0x8e}); err == nil {
		t.Error("a lone 0x8e read as EUC-JP")
	}
}
