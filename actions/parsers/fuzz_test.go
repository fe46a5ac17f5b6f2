package parsers

import (
	"strings"
	"testing"
)

// FuzzParseURL: any text parses, and the hostname is lowercase.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://a:b@[::1]:80/x;y?q=1&r=%zz#f", "mailto:x", "//host", "[", "a%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := parseURL(s)
		if h, ok := out["hostname"].(string); ok && h != strings.ToLower(h) {
			t.Errorf("%q: hostname %q is not lowercase", s, h)
		}
	})
}
