// Package jsonx encodes and decodes decoded-JSON values (map[string]any,
// []any, strings, float64, bool, nil) quickly, for the collector's path.
//
// Encoding uses a type switch instead of reflection, and object keys in map
// order instead of sorted. The output is valid JSON that decodes to the same
// value as encoding/json's; other types are handed to encoding/json.
//
// Decoding (Unmarshal) reads in one pass what encoding/json checks and then
// decodes in two, and hands what it does not take in stride to
// encoding/json, so that values and errors are encoding/json's.
package jsonx

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Append appends the JSON encoding of v to dst.
func Append(dst []byte, v any) ([]byte, error) { return encoder{}.append(dst, v) }

// AppendString appends s as a JSON string.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// AppendSorted is Append with every object's keys in sorted order, as
// encoding/json writes them: the same value always gives the same bytes.
func AppendSorted(dst []byte, v any) ([]byte, error) { return encoder{sorted: true}.append(dst, v) }

// encoder writes objects' keys in map order, or sorted; objects known
// already are copied from known.
type encoder struct {
	sorted bool
	known  *Known
}

func (e encoder) append(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, x), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case float64:
		return appendFloat(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case json.Number:
		if x == "" {
			return append(dst, '0'), nil
		}
		return append(dst, x...), nil
	case map[string]any:
		return e.appendMap(dst, x)
	case []any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, v := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = e.append(dst, v); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, m := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = e.appendMap(dst, m); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, e)
		}
		return append(dst, ']'), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// Marshal returns the JSON encoding of v, in a slice of its own exact
// size: it is encoded into a scratch buffer and copied out, so that neither
// the buffer's growth nor its spare capacity is garbage.
func Marshal(v any) ([]byte, error) {
	bp := GetScratch()
	defer PutScratch(bp)
	b, err := Append((*bp)[:0], v)
	*bp = b
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(b))
	copy(out, b)
	return out, nil
}

// GetScratch lends an empty buffer to encode into (with Append); keep what
// Append returns in it, and give it back with PutScratch once its bytes
// are written or copied.
func GetScratch() *[]byte {
	bp := scratch.Get().(*[]byte)
	*bp = (*bp)[:0]
	return bp
}

// PutScratch gives a buffer back; one grown past maxScratch (a huge
// document) is dropped rather than kept.
func PutScratch(bp *[]byte) {
	if cap(*bp) <= maxScratch {
		scratch.Put(bp)
	}
}

var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxScratch = 256 << 10

func (e encoder) appendMap(dst []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	if e.known != nil {
		if raw, ok := e.known.lookup(m); ok {
			return append(dst, raw...), nil
		}
	}
	if e.sorted && len(m) > 1 {
		return e.appendSortedMap(dst, m)
	}
	dst = append(dst, '{')
	first := true
	for k, v := range m {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		var err error
		if dst, err = e.appendEntry(dst, k, v); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func (e encoder) appendSortedMap(dst []byte, m map[string]any) ([]byte, error) {
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = e.appendEntry(dst, k, m[k]); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func (e encoder) appendEntry(dst []byte, k string, v any) ([]byte, error) {
	dst = appendString(dst, k)
	dst = append(dst, ':')
	return e.append(dst, v)
}

// appendFloat writes numbers as encoding/json does.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, fmt.Errorf("json: unsupported value: %v", f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

const hex = "0123456789abcdef"

// appendString writes s quoted, escaping what JSON requires; invalid UTF-8
// becomes U+FFFD, as with encoding/json.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
