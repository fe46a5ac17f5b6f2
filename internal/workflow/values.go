package workflow

import (
	"encoding/json"
	"math"
	"reflect"
	"unsafe"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

func mapPtr(m plugin.Payload) unsafe.Pointer {
	return reflect.ValueOf(m).UnsafePointer()
}

func deepCopyMap(m plugin.Payload) plugin.Payload {
	if m == nil {
		return nil
	}
	return notation.DeepCopy(m).(map[string]any)
}

// fingerprint hashes a JSON-like value without allocating. Map entries are
// combined order-independently, so equal documents hash equally whatever
// their map iteration order. The engine compares fingerprints before and
// after a run to tell whether a flow changed the profile or the session.
func fingerprint(v any) uint64 {
	switch x := v.(type) {
	case nil:
		return 0x8f1bbcdcbfa53e0a
	case map[string]any:
		h := uint64(0x243f6a8885a308d3) ^ uint64(len(x))
		if len(x) == 0 {
			return mix(h) // documents hold many empty objects: no iterator
		}
		for k, e := range x {
			h += mix(hashString(k) ^ mix(fingerprint(e)+0x9e3779b97f4a7c15))
		}
		return mix(h)
	case []any:
		h := uint64(0x13198a2e03707344) ^ uint64(len(x))
		for _, e := range x {
			h = mix(h ^ fingerprint(e))
		}
		return h
	case string:
		return hashString(x) ^ 0x1
	case float64:
		return mix(math.Float64bits(x) ^ 0x2)
	case bool:
		if x {
			return 0x3
		}
		return 0x4
	case int:
		return mix(math.Float64bits(float64(x)) ^ 0x2)
	case int64:
		return mix(math.Float64bits(float64(x)) ^ 0x2)
	case json.Number:
		return hashString(string(x)) ^ 0x5
	case []string:
		h := uint64(0x13198a2e03707344) ^ uint64(len(x))
		for _, e := range x {
			h = mix(h ^ hashString(e) ^ 0x1)
		}
		return h
	case plugin.Profile:
		return fingerprint(map[string]any(x))
	case plugin.Session:
		return fingerprint(map[string]any(x))
	case plugin.Event:
		return fingerprint(map[string]any(x))
	default:
		// Rare types (structs a plugin stored): hash their JSON form.
		b, err := json.Marshal(x)
		if err != nil {
			return 0x6
		}
		return hashString(string(b)) ^ 0x7
	}
}

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
