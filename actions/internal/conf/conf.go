// Package conf converts the loosely typed fields of Tracardi-format node
// configs (JSON held as text, numbers typed into text fields, references)
// into typed values, with errors that name the field.
package conf

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// JSON returns the value of a field that holds JSON. Tracardi saves such
// fields as JSON text ("{\"a\": 1}"); a flow may also hold the value itself
// (an object or a list), which is returned as it is. Empty text is an error.
func JSON(field string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	if strings.TrimSpace(s) == "" {
		return nil, plugin.FieldErr(field, "is empty; type a JSON value, e.g. {}")
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, plugin.FieldErr(field, "is not valid JSON: %v", err)
	}
	return out, nil
}

// Number returns the value of a numeric field. Tracardi's forms save text
// fields, so a number typed as text ("2", "0.5") is accepted too.
func Number(field string, v any) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, plugin.FieldErr(field, "is missing; type a number")
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, plugin.FieldErr(field, "%q is not a number", x)
		}
		return f, nil
	case bool:
		return 0, plugin.FieldErr(field, "expected a number, got %t", x)
	}
	if f, ok := notation.ToFloat(v); ok {
		return f, nil
	}
	return 0, plugin.FieldErr(field, "expected a number, got %v", v)
}

// Ref parses a field that must hold a reference (source@path), not a
// literal.
func Ref(field, s string) (notation.Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return notation.Ref{}, plugin.FieldErr(field, "is empty; type a reference such as profile@traits.name")
	}
	ref, ok, err := notation.ParseRef(s)
	if err != nil {
		return notation.Ref{}, plugin.FieldErr(field, "%v", err)
	}
	if !ok {
		return notation.Ref{}, plugin.FieldErr(field, "%q is not a reference; write source@path with a source of %s",
			s, strings.Join(notation.Sources, ", "))
	}
	return ref, nil
}

// Target parses a field that names where a plugin writes: a reference to a
// writable source (not flow@), and not a whole source object unless whole
// is true.
func Target(field, s string, whole bool) (notation.Ref, error) {
	ref, err := Ref(field, s)
	if err != nil {
		return ref, err
	}
	if ref.Source == notation.SourceFlow {
		return ref, plugin.FieldErr(field, "%s: flow@ is read-only; write to payload, profile, session, event or memory", s)
	}
	if !whole && ref.IsWhole() {
		return ref, plugin.FieldErr(field, "%s names the whole %s; add a path such as %s@traits.name", s, ref.Source, ref.Source)
	}
	return ref, nil
}

// Value compiles a field that may hold a literal or a reference.
func Value(field, s string) (notation.Value, error) {
	v, err := notation.CompileValue(s)
	if err != nil {
		return v, plugin.FieldErr(field, "%v", err)
	}
	return v, nil
}
