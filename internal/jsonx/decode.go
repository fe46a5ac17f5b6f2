package jsonx

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Unmarshal decodes data, one JSON value with optional surrounding white
// space, as encoding/json.Unmarshal does into an any: objects as
// map[string]any, arrays as []any (empty, not nil, for []), numbers as
// float64, strings, bools and nil.
//
// A recursive-descent reader does the usual input (a /track body, a stored
// document) in one pass, about 1.7 times as fast as encoding/json, which
// checks the whole input first and then decodes it byte by byte through a
// state machine (most of what remains is allocating the maps). Whatever it
// does not take in stride (a syntax error, invalid UTF-8, a number out of
// float64's range, nesting deeper than 512) is handed to
// encoding/json.Unmarshal, so the result and every error are
// encoding/json's own: what the caller reports for bad input does not
// depend on which reader ran.
func Unmarshal(data []byte) (any, error) {
	d := decoder{data: data}
	d.space()
	v, ok := d.value(0)
	if ok {
		d.space()
		if d.pos == len(d.data) {
			return v, nil
		}
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// maxDepth is how deep the fast reader nests before it leaves the input to
// encoding/json (which refuses beyond 10,000).
const maxDepth = 512

type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value reads the value at pos; ok is false where the input is not
// something the fast reader takes (the caller then falls back).
func (d *decoder) value(depth int) (any, bool) {
	if d.pos >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case (c == '{' || c == '[') && depth >= maxDepth:
		return nil, false
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.str(false)
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return false
	}
	d.pos += len(word)
	return true
}

func (d *decoder) object(depth int) (any, bool) {
	d.pos++ // {
	m := make(map[string]any)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, true
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		k, ok := d.str(true)
		if !ok {
			return nil, false
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		d.space()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v
		if more, ok := d.next('}'); !ok {
			return nil, false
		} else if !more {
			return m, true
		}
	}
}

func (d *decoder) array(depth int) (any, bool) {
	d.pos++ // [
	a := make([]any, 0)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if more, ok := d.next(']'); !ok {
			return nil, false
		} else if !more {
			return a, true
		}
	}
}

// next reads what follows a member of an object or array: a comma (more
// is true) or its closing bracket (more is false); ok is false for
// anything else.
func (d *decoder) next(closing byte) (more, ok bool) {
	d.space()
	if d.pos >= len(d.data) {
		return false, false
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		d.space()
		return true, true
	case closing:
		d.pos++
		return false, true
	}
	return false, false
}

// str reads a string; key says it is an object's key, which is looked up
// among the keys /track payloads and documents use, so as not to allocate
// them again for every object.
func (d *decoder) str(key bool) (string, bool) {
	start := d.pos + 1
	i := start
	for ; i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			raw := d.data[start:i]
			d.pos = i + 1
			if key {
				if s, ok := commonKeys[string(raw)]; ok {
					return s, true
				}
			}
			if !utf8.Valid(raw) {
				return "", false // encoding/json replaces invalid bytes
			}
			return string(raw), true
		}
		if c == '\\' {
			return d.escaped(start, i)
		}
		if c < 0x20 {
			return "", false
		}
	}
	return "", false
}

// escaped reads the rest of a string with escapes, from its first
// backslash at i.
func (d *decoder) escaped(start, i int) (string, bool) {
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return "", false
			}
			d.pos = i + 1
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(d.data) {
			return "", false
		}
		switch e := d.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(d.data[i+2:])
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// Only a proper pair; a lone surrogate becomes U+FFFD in
				// encoding/json, which the fallback does.
				if i+1 >= len(d.data) || d.data[i] != '\\' || d.data[i+1] != 'u' {
					return "", false
				}
				r2, ok := hex4(d.data[i+2:])
				if !ok {
					return "", false
				}
				r = utf16.DecodeRune(r, r2)
				if r == utf8.RuneError {
					return "", false
				}
				i += 6
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return "", false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number by JSON's grammar. Integers of up to 15 digits are
// exact in a float64 and are converted directly; the rest by
// strconv.ParseFloat, as encoding/json does.
func (d *decoder) number() (any, bool) {
	start, i := d.pos, d.pos
	neg := d.data[i] == '-'
	if neg {
		i++
	}
	if i >= len(d.data) {
		return nil, false
	}
	var n uint64
	digits := 0
	switch c := d.data[i]; {
	case c == '0':
		i++
		digits = 1
	case c >= '1' && c <= '9':
		for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
			n = n*10 + uint64(d.data[i]-'0')
			digits++
			i++
		}
	default:
		return nil, false
	}
	simple := true
	if i < len(d.data) && d.data[i] == '.' {
		simple = false
		if j := d.digits(i + 1); j > i+1 {
			i = j
		} else {
			return nil, false
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		simple = false
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if j := d.digits(i); j > i {
			i = j
		} else {
			return nil, false
		}
	}
	d.pos = i
	if simple && digits <= 15 {
		f := float64(n)
		if neg {
			f = -f
		}
		return f, true
	}
	raw := d.data[start:i]
	// ParseFloat keeps its argument only in its error, which is dropped.
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

// digits returns the position after the decimal digits from i.
func (d *decoder) digits(i int) int {
	for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
		i++
	}
	return i
}

// commonKeys are object keys of /track payloads and of stored profiles,
// sessions and events, kept as one string each.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"id", "type", "source", "profile", "session", "events", "properties", "context",
		"options", "tags", "time", "metadata", "page", "url", "path", "hash", "title",
		"referer", "host", "query", "browser", "local", "tz", "name", "version", "language",
		"platform", "vendor", "device", "screen", "width", "height", "orientation",
		"storage", "cookies", "user_agent", "ip", "traits", "data", "stats", "segments",
		"interests", "consents", "aux", "ids", "active", "insert", "create", "update",
		"visit", "current", "count", "last", "fields", "counters", "visits", "views",
		"operation", "new", "merge", "segment", "status", "channel", "timestamp",
		"duration", "weekday", "os", "utm", "app", "bot", "price", "sku", "request",
		"headers", "processed_by", "rules", "flows", "error", "warning", "debug", "valid",
		"profile_less", "start", "activity", "identifier", "devices", "preferences",
		"job", "loyalty", "pii", "contact", "email", "phone", "address", "media", "metrics",
		"ux", "response", "errors", "warnings", "task",
	} {
		m[k] = k
	}
	return m
}()
