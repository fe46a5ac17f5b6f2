package regex

import (
	"strings"
	"testing"
)

func TestCompilePython(t *testing.T) {
	cases := []struct {
		pattern, text string
		match         string // the leftmost match; "-" for none
	}{
		{`(?P<year>\d{4})-(?P<month>\d\d)`, "on 2024-03", "2024-03"},
		{`\d+`, "abc ١٢٣ def", "١٢٣"}, // Unicode digits, as Python
		{`\w+`, "żółw!", "żółw"},
		{`[\w.]+@`, "ala.ma@kota", "ala.ma@"},
		{`a\sb`, "a\u00a0b", "a\u00a0b"},
		{`\W+`, "ab, cd", ", "},
		{`[^\d]+`, "12ab3", "ab"},
		{`x{,2}y`, "xxxy", "xxy"},
		{`end\Z`, "the end", "end"},
		{`end\Z`, "the end\n", "-"},
		{`[]a]+`, "]a]", "]a]"},
		{`(?i)HELLO`, "say hello", "hello"},
		{`a(?#a comment)b`, "ab", "ab"},
		{`\.`, "a.b", "."},
		{`\u017c+`, "ażżb", "żż"},
		{`[\u0041-\u0043]+`, "xABCD", "ABC"},
		{`\U0001F600`, "a😀", "😀"},
	}
	for _, c := range cases {
		re, err := compilePython(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		got := re.FindString(c.text)
		if !re.MatchString(c.text) {
			got = "-"
		}
		if got != c.match {
			t.Errorf("%q on %q: %q, want %q", c.pattern, c.text, got, c.match)
		}
	}
}

func TestCompilePythonRefuses(t *testing.T) {
	cases := []struct{ pattern, msg string }{
		{`(a)\1`, "backreference \\1"},
		{`(?P<q>['"]).*?(?P=q)`, "backreference (?P=q)"},
		{`foo(?=bar)`, "lookahead (?=bar)"},
		{`foo(?!bar)`, "lookahead"},
		{`(?<=\$)\d+`, "lookbehind"},
		{`(?<!x)y`, "lookbehind"},
		{`(?>a+)b`, "atomic group"},
		{`a++`, "possessive quantifier"},
		{`(a)?(?(1)b|c)`, "conditional"},
		{`(unclosed`, "not a valid regular expression: missing closing )"},
		{`a**`, "not a valid regular expression"},
	}
	for _, c := range cases {
		_, err := compilePython(c.pattern)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want one with %q", c.pattern, err, c.msg)
		}
	}
}

func TestReplaceAll(t *testing.T) {
	cases := []struct{ pattern, tmpl, src, want, err string }{
		{`(\d{3})-(\d{4})`, `\2-\1`, "call 555-1234", "call 1234-555", ""},
		{`(?P<a>\w)(?P<b>\w)`, `\g<b>\g<a>`, "abcd", "badc", ""},
		{`(\w)`, `\g<1>\g<1>`, "ab", "aabb", ""},
		{`x`, `a\\b\n`, "x", "a\\b\n", ""},
		{`x`, `$1 $$`, "x", "$1 $$", ""}, // Go's $ syntax means nothing here
		{`(a)|(b)`, `[\2]`, "ab", "[][b]", ""},
		{`x`, `\3`, "x", "", "invalid group reference 3"},
		{`x`, `\g<nope>`, "x", "", `unknown group name "nope"`},
		{`x`, `\q`, "x", "", `bad escape \q`},
		{`x*`, `-`, "abc", "-a-b-c-", ""},
	}
	for _, c := range cases {
		re, err := compilePython(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, err := replaceAll(re, c.tmpl, c.src)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q with %q: error %v, want %q", c.pattern, c.tmpl, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q with %q on %q: %q, %v; want %q", c.pattern, c.tmpl, c.src, got, err, c.want)
		}
	}
}
