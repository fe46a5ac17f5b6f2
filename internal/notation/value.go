package notation

import (
	"strconv"
	"strings"
)

// Value is a compiled config value: a literal or a reference, optionally
// cast. A config field may hold either; CompileValue decides once.
//
// A string wrapped in backticks, such as "`payload@count`" or "`true`", is
// resolved (reference or literal) and then cast when the result is a string:
// "true"/"false" (any case) become booleans, "null"/"none" become nil, and
// decimal numbers such as "12", "-3" or "1.5" become float64.
type Value struct {
	ref   Ref
	isRef bool
	cast  bool
	lit   any // the literal, already cast when cast is set
	src   string
}

// CompileValue compiles a config string. It fails only for a malformed
// reference (a known source prefix with a bad path).
func CompileValue(s string) (Value, error) {
	v := Value{src: s}
	body := s
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		v.cast = true
		body = s[1 : len(s)-1]
	}
	ref, ok, err := ParseRef(body)
	if err != nil {
		return Value{}, err
	}
	if ok {
		v.ref, v.isRef = ref, true
		return v, nil
	}
	if v.cast {
		v.lit = Cast(body)
	} else {
		v.lit = body
	}
	return v, nil
}

// MustValue is CompileValue that panics on error.
func MustValue(s string) Value {
	v, err := CompileValue(s)
	if err != nil {
		panic(err)
	}
	return v
}

// LiteralValue returns a Value that always resolves to v.
func LiteralValue(v any) Value { return Value{lit: v} }

// IsRef reports whether the value is a reference.
func (v Value) IsRef() bool { return v.isRef }

// Ref returns the reference; the zero Ref when the value is a literal.
func (v Value) Ref() Ref { return v.ref }

// String returns the source text the value was compiled from.
func (v Value) String() string { return v.src }

// Resolve returns the value: a literal as it is (a string for uncast
// literals), a reference read from the scope. A missing reference returns an
// error wrapping ErrMissing.
func (v Value) Resolve(s *Scope) (any, error) {
	if !v.isRef {
		return v.lit, nil
	}
	x, err := s.Get(v.ref)
	if err != nil {
		return nil, err
	}
	if v.cast {
		if str, ok := x.(string); ok {
			return Cast(str), nil
		}
	}
	return x, nil
}

// Cast converts text the way backtick values are cast: "true"/"false" (any
// case) to bool, "null"/"none" to nil, a decimal number to float64; anything
// else is returned unchanged.
func Cast(s string) any {
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	case "null", "none":
		return nil
	}
	if isDecimal(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return s
}

// isDecimal accepts an optional minus sign, digits and at most one dot, with
// at least one digit: "12", "-3", "1.5", ".5", "2.".
func isDecimal(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}
