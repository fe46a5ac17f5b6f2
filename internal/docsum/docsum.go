// Package docsum walks a decoded JSON document (maps, lists, strings,
// float64, bool, nil, and the few other types flows leave in one) once, and
// tells what the collector needs to know about it:
//
//   - its fingerprint, a hash equal for equal documents whatever the order
//     of their maps, which tells whether a flow changed a profile or a
//     session and so whether it must be stored;
//   - the bytes it takes on the Go heap, which the document cache counts
//     against its bound.
//
// Measure gives both from one walk, so that the cache can keep a stored
// document's fingerprint for the next request's flows at the cost of the
// walk it makes anyway.
package docsum

import (
	"encoding/json"
	"math"
	"math/bits"
	"reflect"

	"github.com/tracflow/tracflow/plugin"
)

// Fingerprint hashes v without allocating. Map entries are combined
// order-independently, so equal documents hash equally whatever their map
// iteration order.
func Fingerprint(v any) uint64 {
	h, _ := walk(v)
	return h
}

// Measure returns v's fingerprint (as Fingerprint) and an estimate of the
// bytes v takes on the Go heap. The estimate follows the runtime's layout
// closely enough (within about a fifth for decoded JSON): a map's header
// and slot groups, boxed strings, numbers and slices, string bytes rounded
// up to the allocator's 8-byte granule. Values shared between documents are
// counted in each.
func Measure(v any) (fingerprint uint64, size int64) {
	return walk(v)
}

// walk returns v's fingerprint and what v costs when held in an interface
// (a map slot or a list element), beyond the interface itself. A map is a
// pointer, so for a document (a map) that is the document's whole size.
func walk(v any) (uint64, int64) {
	switch x := v.(type) {
	case nil:
		return 0x8f1bbcdcbfa53e0a, 0
	case map[string]any:
		return walkMap(x)
	case []any:
		h := uint64(0x13198a2e03707344) ^ uint64(len(x))
		n := 24 + 16*int64(cap(x))
		for _, e := range x {
			eh, en := walk(e)
			h = mix(h ^ eh)
			n += en
		}
		return h, n
	case string:
		return hashString(x) ^ 0x1, 16 + round8(len(x))
	case float64:
		return mix(math.Float64bits(x) ^ 0x2), 8
	case bool:
		if x {
			return 0x3, 0
		}
		return 0x4, 0
	case int:
		return mix(math.Float64bits(float64(x)) ^ 0x2), 32
	case int64:
		return mix(math.Float64bits(float64(x)) ^ 0x2), 32
	case json.Number:
		return hashString(string(x)) ^ 0x5, 16 + round8(len(x))
	case []string:
		h := uint64(0x13198a2e03707344) ^ uint64(len(x))
		n := 24 + 16*int64(cap(x))
		for _, e := range x {
			h = mix(h ^ hashString(e) ^ 0x1)
			n += round8(len(e))
		}
		return h, n
	case plugin.Profile:
		return walkMap(x)
	case plugin.Session:
		return walkMap(x)
	case plugin.Event:
		return walkMap(x)
	default:
		// Rare types (structs a plugin stored): hash their JSON form.
		h := uint64(0x6)
		if b, err := json.Marshal(x); err == nil {
			h = hashString(string(b)) ^ 0x7
		}
		return h, otherSize(reflect.ValueOf(v))
	}
}

func walkMap(x map[string]any) (uint64, int64) {
	h := uint64(0x243f6a8885a308d3) ^ uint64(len(x))
	n := mapSize(len(x))
	if len(x) == 0 {
		return mix(h), n // documents hold many empty objects: no iterator
	}
	for k, e := range x {
		eh, en := walk(e)
		h += mix(hashString(k) ^ mix(eh+0x9e3779b97f4a7c15))
		n += round8(len(k)) + en
	}
	return mix(h), n
}

// otherSize covers the sizes of types a flow may leave in a document
// besides decoded JSON and the types walk knows: named map and slice types
// and other scalars.
func otherSize(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Map:
		n := mapSize(v.Len())
		for it := v.MapRange(); it.Next(); {
			_, kn := walk(it.Key().Interface())
			_, en := walk(it.Value().Interface())
			n += kn + en
		}
		return n
	case reflect.Slice:
		n := 24 + int64(v.Cap())*int64(v.Type().Elem().Size())
		for i := range v.Len() {
			_, en := walk(v.Index(i).Interface())
			n += en
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

// hashString hashes 8 bytes at a time (a multiply-xorshift per word), the
// tail byte by byte.
func hashString(s string) uint64 {
	h := uint64(len(s)) * 0x9e3779b97f4a7c15
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ w) * 0xbf58476d1ce4e5b9
		h ^= h >> 29
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 0x94d049bb133111eb
	}
	return mix(h)
}

func mix(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}
