package tracking

import (
	"math/bits"
	"reflect"
)

// docSize estimates the bytes a decoded JSON document (maps, lists,
// strings, float64, bool, nil) takes on the Go heap, for the cache's byte
// bound. It follows the runtime's layout closely enough (within about a
// fifth, see TestDocSizeMatchesTheHeap): a map's header and slot groups,
// boxed strings, numbers and slices, string bytes rounded up to the
// allocator's 8-byte granule. Values shared between documents are counted
// in each.
func docSize(v any) int64 {
	switch x := v.(type) {
	case map[string]any:
		n := mapSize(len(x))
		if len(x) == 0 {
			return n // documents hold many empty objects: no iterator
		}
		for k, e := range x {
			n += round8(len(k)) + valueSize(e)
		}
		return n
	default:
		return valueSize(v)
	}
}

// valueSize is what v costs when held in an interface (a map slot or a
// list element), beyond the interface itself.
func valueSize(v any) int64 {
	switch x := v.(type) {
	case nil, bool:
		return 0
	case string:
		return 16 + round8(len(x))
	case float64:
		return 8
	case map[string]any:
		return docSize(x)
	case []any:
		n := 24 + 16*int64(cap(x))
		for _, e := range x {
			n += valueSize(e)
		}
		return n
	default:
		return otherSize(reflect.ValueOf(v))
	}
}

// otherSize covers what flows may leave in a document besides decoded JSON:
// named map and slice types (plugin.Payload, plugin.Profile, []string, ...)
// and other scalars.
func otherSize(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Map:
		n := mapSize(v.Len())
		for it := v.MapRange(); it.Next(); {
			n += valueSize(it.Key().Interface()) + valueSize(it.Value().Interface())
		}
		return n
	case reflect.Slice:
		n := 24 + int64(v.Cap())*int64(v.Type().Elem().Size())
		for i := range v.Len() {
			n += valueSize(v.Index(i).Interface())
		}
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return int64(v.Type().Elem().Size()) + otherSize(v.Elem())
	default:
		return 32 // another scalar, boxed
	}
}

// mapSize is the heap a map[string]any of n entries takes without its keys'
// and values' own allocations: a header, then groups of 8 slots (a 16-byte
// key and a 16-byte value each, plus a control byte) filled to 7/8 at most,
// rounded up by the allocator's size classes (about an eighth).
func mapSize(n int) int64 {
	const header = 48
	if n == 0 {
		return header
	}
	slots := 8
	if n > 8 {
		slots = 1 << bits.Len(uint((n*8+6)/7-1))
	}
	return header + int64(slots)*33*9/8 + 32
}

func round8(n int) int64 { return int64(n+7) &^ 7 }
