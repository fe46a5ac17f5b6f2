package notation

import (
	"encoding/json"
	"reflect"
)

// DeepCopy copies JSON-like values: maps and slices are copied recursively,
// scalars are returned as they are. The common decoded-JSON types are copied
// without reflection; other map and slice types are copied through
// reflection; any other value (a pointer, a struct) is returned as is.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case nil, string, float64, bool, json.Number, int, int64:
		return v
	case map[string]any:
		return copyMap(x)
	case []any:
		return copySlice(x)
	case []string:
		if x == nil {
			return x
		}
		out := make([]string, len(x))
		copy(out, x)
		return out
	case map[string]string:
		if x == nil {
			return x
		}
		out := make(map[string]string, len(x))
		for k, s := range x {
			out[k] = s
		}
		return out
	case []map[string]any:
		if x == nil {
			return x
		}
		out := make([]map[string]any, len(x))
		for i, m := range x {
			out[i] = copyMap(m)
		}
		return out
	}
	return reflectCopy(v)
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			out[k] = copyMap(x)
		case []any:
			out[k] = copySlice(x)
		case nil, string, float64, bool:
			out[k] = v
		default:
			out[k] = DeepCopy(v)
		}
	}
	return out
}

func copySlice(s []any) []any {
	if s == nil {
		return nil
	}
	out := make([]any, len(s))
	for i, v := range s {
		switch x := v.(type) {
		case map[string]any:
			out[i] = copyMap(x)
		case []any:
			out[i] = copySlice(x)
		case nil, string, float64, bool:
			out[i] = v
		default:
			out[i] = DeepCopy(v)
		}
	}
	return out
}

// reflectCopy copies maps and slices of other types.
func reflectCopy(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(rv.Type(), rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), copyValue(it.Value(), rv.Type().Elem()))
		}
		return out.Interface()
	case reflect.Slice:
		if rv.IsNil() {
			return v
		}
		out := reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
		for i := 0; i < rv.Len(); i++ {
			out.Index(i).Set(copyValue(rv.Index(i), rv.Type().Elem()))
		}
		return out.Interface()
	}
	return v
}

// copyValue deep-copies one element and converts it back to the element type.
func copyValue(v reflect.Value, elem reflect.Type) reflect.Value {
	if !v.IsValid() {
		return reflect.Zero(elem)
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Zero(elem)
		}
		v = v.Elem()
	}
	c := reflect.ValueOf(DeepCopy(v.Interface()))
	if !c.IsValid() {
		return reflect.Zero(elem)
	}
	if c.Type() != elem && c.Type().ConvertibleTo(elem) {
		c = c.Convert(elem)
	}
	return c
}

// Merge deep-merges src into dst and returns dst: where both hold an object
// under a key, the objects are merged recursively; everything else in src
// replaces what dst has. Values taken from src are copied, so later changes
// to dst never reach src. A nil dst is created.
func Merge(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = make(map[string]any, len(src))
	}
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok && dm != nil {
				Merge(dm, sm)
				continue
			}
		}
		dst[k] = DeepCopy(sv)
	}
	return dst
}

// ToFloat converts numeric values (float64, float32, int*, uint*,
// json.Number) to float64. Booleans and strings are not numbers.
func ToFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case int32:
		return float64(n), true
	case int16:
		return float64(n), true
	case int8:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uintptr:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return 0, false
		}
		return f, true
	}
	return 0, false
}
