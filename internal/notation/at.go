package notation

import (
	"fmt"
	"reflect"
)

// At returns the value at path in v, a decoded JSON value or a Go value made
// of maps and slices: "response.views.value", "result.0.type" or
// "result[0].type". The path is written as after the "@" of a reference
// (keys joined by dots, a numeric segment indexes a list, a key holding a dot
// in brackets and quotes: traits["e-mail.work"]); "" is v itself. Maps with
// string keys and slices of any named type (plugin.Profile, []string, ...)
// are entered too. At returns nil when the path leads nowhere: a missing key,
// an index out of range, a step into a scalar. A malformed path is a mistake
// in the calling code and panics, as MustRef does.
//
// Tests read answers with it instead of chained type assertions, which panic
// on the first missing step instead of failing with the value.
func At(v any, path string) any {
	if path == "" {
		return v
	}
	segs, err := parsePath(path)
	if err != nil {
		panic(fmt.Sprintf("notation.At: path %q: %v", path, err))
	}
	for _, seg := range segs {
		var ok bool
		if v, ok = step(v, seg); !ok {
			return nil
		}
	}
	return v
}

// step reads one segment of a path from v.
func step(v any, seg string) (any, bool) {
	switch c := v.(type) {
	case map[string]any:
		x, ok := c[seg]
		return x, ok
	case []any:
		i, ok := index(seg)
		if !ok || i >= len(c) {
			return nil, false
		}
		return c[i], true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		x := rv.MapIndex(reflect.ValueOf(seg).Convert(rv.Type().Key()))
		if !x.IsValid() {
			return nil, false
		}
		return x.Interface(), true
	case reflect.Slice, reflect.Array:
		i, ok := index(seg)
		if !ok || i >= rv.Len() {
			return nil, false
		}
		return rv.Index(i).Interface(), true
	}
	return nil, false
}
