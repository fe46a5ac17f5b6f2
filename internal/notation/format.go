package notation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Stringify renders a value as text, the way templates do: strings as they
// are, numbers in their shortest form (3, not 3.0; 1.5), booleans as
// true/false, objects and lists as compact JSON, nil as the empty string.
func Stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return string(appendFloat(nil, x))
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return string(appendValue(nil, v))
}

// appendValue appends the text form of v to b.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return b
	case string:
		return append(b, x...)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		return appendFloat(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case json.Number:
		return append(b, x...)
	case time.Time:
		return x.AppendFormat(b, time.RFC3339Nano)
	case map[string]any, []any, map[string]string, []string, []map[string]any:
		return appendJSON(b, v)
	}
	if f, ok := ToFloat(v); ok {
		return appendFloat(b, f)
	}
	return appendJSON(b, v)
}

// appendFloat writes f like encoding/json does: shortest form, exponent only
// for very large or very small magnitudes. NaN and infinities are written as
// NaN, +Inf and -Inf.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendJSON writes v as compact JSON without HTML escaping. Values JSON
// cannot hold (NaN, channels) fall back to fmt's %v.
func appendJSON(b []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Appendf(b, "%v", v)
	}
	out := buf.Bytes()
	if n := len(out); n > 0 && out[n-1] == '\n' {
		out = out[:n-1]
	}
	return append(b, out...)
}
