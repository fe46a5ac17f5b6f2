package testenv

import (
	"reflect"
	"strconv"
	"strings"
)

// At returns the value at a dot path in decoded JSON, e.g.
// "response.views.value" or "result[0].properties.total" (a number, bare or
// in brackets, indexes a list); nil when the path leads nowhere. Tests read
// answers with it instead of chained type assertions, which panic on the
// first missing step instead of failing with the answer.
func At(v any, path string) any {
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	for _, step := range strings.Split(path, ".") {
		if step == "" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			// Named map and list types (store.Doc, plugin.Profile, ...).
			rv := reflect.ValueOf(v)
			switch {
			case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
				e := rv.MapIndex(reflect.ValueOf(step).Convert(rv.Type().Key()))
				if !e.IsValid() {
					return nil
				}
				v = e.Interface()
			case rv.Kind() == reflect.Slice:
				i, err := strconv.Atoi(step)
				if err != nil || i < 0 || i >= rv.Len() {
					return nil
				}
				v = rv.Index(i).Interface()
			default:
				return nil
			}
		}
	}
	return v
}

// At returns the value at a dot path in the answer's body (see At).
func (r *Response) At(path string) any { return At(r.Body, path) }
