package regex

import "testing"

// FuzzCompilePython: any pattern either compiles or is refused with an
// error; a compiled one replaces with any template without panicking.
func FuzzCompilePython(f *testing.F) {
	for _, s := range []string{`(?P<a>\d+)-\1`, `[\w.]+@`, `x{,2}`, `(?<=a)b`, `a++`, `[]a]`, `\Z`, `(?#c)`, `[^\W]`, `\`} {
		f.Add(s, `\g<a>\1\\n`, "abc 12-12")
	}
	f.Fuzz(func(t *testing.T, pattern, tmpl, text string) {
		re, err := compilePython(pattern)
		if err != nil {
			return
		}
		_, _ = replaceAll(re, tmpl, text)
	})
}
