package tql

import (
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
)

// Values are compared without type coercion: a string never equals a
// number. Numbers compare numerically whatever their Go type. A date
// compares with a date, or with a string that reads as a date. A duration
// compares with a duration, or with a number of seconds.

// equal reports whether a and b are the same value.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case time.Time:
			t, ok := parseTime(x)
			return ok && t.Equal(y)
		}
		return false
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		if d, ok := b.(time.Duration); ok {
			return d.Seconds() == x
		}
		y, ok := notation.ToFloat(b)
		return ok && x == y
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Equal(y)
		case string:
			t, ok := parseTime(y)
			return ok && x.Equal(t)
		}
		return false
	case time.Duration:
		switch y := b.(type) {
		case time.Duration:
			return x == y
		default:
			f, ok := notation.ToFloat(b)
			return ok && x.Seconds() == f
		}
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	if n, ok := listLen(a); ok {
		m, ok := listLen(b)
		if !ok || n != m {
			return false
		}
		for i := 0; i < n; i++ {
			if !equal(listAt(a, i), listAt(b, i)) {
				return false
			}
		}
		return true
	}
	if f, ok := notation.ToFloat(a); ok {
		if d, isDur := b.(time.Duration); isDur {
			return d.Seconds() == f
		}
		g, ok := notation.ToFloat(b)
		return ok && f == g
	}
	if m, ok := a.(map[string]string); ok {
		y, ok := b.(map[string]string)
		if !ok || len(m) != len(y) {
			return false
		}
		for k, v := range m {
			if yv, ok := y[k]; !ok || yv != v {
				return false
			}
		}
		return true
	}
	return false
}

// listLen reports the length of a list value.
func listLen(v any) (int, bool) {
	switch x := v.(type) {
	case []any:
		return len(x), true
	case []string:
		return len(x), true
	case []map[string]any:
		return len(x), true
	}
	return 0, false
}

func listAt(v any, i int) any {
	switch x := v.(type) {
	case []any:
		return x[i]
	case []string:
		return x[i]
	case []map[string]any:
		return x[i]
	}
	return nil
}

// inList reports whether v equals an element of list.
func inList(list, v any) bool {
	n, _ := listLen(list)
	for i := 0; i < n; i++ {
		if equal(listAt(list, i), v) {
			return true
		}
	}
	return false
}

// isList reports whether v is a list.
func isList(v any) bool {
	_, ok := listLen(v)
	return ok
}

// equalOrIn is == in conditions: comparing a value to a list means "is in
// the list"; two lists are compared element by element.
func equalOrIn(a, b any) bool {
	la, lb := isList(a), isList(b)
	switch {
	case lb && !la:
		return inList(b, a)
	case la && !lb:
		return inList(a, b)
	}
	return equal(a, b)
}

// order compares a and b: -1, 0 or +1, and ok=false when they cannot be
// ordered (different types, NaN, objects).
func order(a, b any) (int, bool) {
	switch x := a.(type) {
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(x, y), true
		case time.Time:
			t, ok := parseTime(x)
			if !ok {
				return 0, false
			}
			return t.Compare(y), true
		}
		return 0, false
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Compare(y), true
		case string:
			t, ok := parseTime(y)
			if !ok {
				return 0, false
			}
			return x.Compare(t), true
		}
		return 0, false
	case time.Duration:
		if y, ok := b.(time.Duration); ok {
			return cmpFloat(float64(x), float64(y))
		}
		if f, ok := notation.ToFloat(b); ok {
			return cmpFloat(x.Seconds(), f)
		}
		return 0, false
	case bool, nil:
		return 0, false
	}
	f, ok := notation.ToFloat(a)
	if !ok {
		return 0, false
	}
	if d, isDur := b.(time.Duration); isDur {
		return cmpFloat(f, d.Seconds())
	}
	g, ok := notation.ToFloat(b)
	if !ok {
		return 0, false
	}
	return cmpFloat(f, g)
}

func cmpFloat(x, y float64) (int, bool) {
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	case x == y:
		return 0, true
	}
	return 0, false // NaN
}

// contains: a substring of a string, or an element of a list.
func contains(container, v any) bool {
	if s, ok := container.(string); ok {
		sub, ok := v.(string)
		return ok && strings.Contains(s, sub)
	}
	if isList(container) {
		return inList(container, v)
	}
	return false
}

// startsWith: a string prefix, or the first element of a list.
func startsWith(container, v any) bool {
	if s, ok := container.(string); ok {
		p, ok := v.(string)
		return ok && strings.HasPrefix(s, p)
	}
	if n, ok := listLen(container); ok {
		return n > 0 && equal(listAt(container, 0), v)
	}
	return false
}

// endsWith: a string suffix, or the last element of a list.
func endsWith(container, v any) bool {
	if s, ok := container.(string); ok {
		p, ok := v.(string)
		return ok && strings.HasSuffix(s, p)
	}
	if n, ok := listLen(container); ok {
		return n > 0 && equal(listAt(container, n-1), v)
	}
	return false
}
