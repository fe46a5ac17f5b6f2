package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/plugin"
)

// bodyRule says what readJSON accepts besides a JSON value.
type bodyRule int

const (
	// bodyEmptyOK leaves v as it is for an empty body (otherwise 400).
	bodyEmptyOK bodyRule = 1 << iota
	// bodyStrict refuses object fields the struct v does not have (a
	// misspelt "were" would otherwise search everything).
	bodyStrict
)

// readJSON is the one reader of JSON request bodies: it reads the body
// (bounded by MaxBody) and decodes it into v. Its errors are 400 (not JSON,
// or empty without bodyEmptyOK), 408 (sent too slowly), 413 (too large) and
// 422 with plugin.FieldErrors (a NUL character in a key or a string, a
// value of the wrong type, an unknown field with bodyStrict).
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any, rules ...bodyRule) error {
	var rule bodyRule
	for _, x := range rules {
		rule |= x
	}
	b, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if rule&bodyEmptyOK != 0 {
			return nil
		}
		return errorf(http.StatusBadRequest, "request body is empty; expected JSON")
	}
	if err := checkNUL(b); err != nil {
		return err
	}
	pv, anyTarget := v.(*any)
	switch {
	case rule&bodyStrict != 0:
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil && len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
			err = fmt.Errorf("more than one JSON value (at byte %d)", dec.InputOffset())
		}
	case anyTarget:
		*pv, err = jsonx.Unmarshal(b) // the collector's bodies: see jsonx.Unmarshal
	default:
		err = json.Unmarshal(b, v)
	}
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errorf(http.StatusBadRequest, "request body is not valid JSON: %v (at byte %d)", se, se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return plugin.FieldErr("(body)", "expected a JSON %s, got %s", strings.TrimPrefix(strings.TrimPrefix(jsonKind(te.Type), "a "), "an "), te.Value)
		}
		return plugin.FieldErr(te.Field, "expected %s, got %s", jsonKind(te.Type), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return plugin.FieldErr(name, "unknown field; expected one of: %s", strings.Join(jsonFields(v), ", "))
	}
	return errorf(http.StatusBadRequest, "request body is not valid JSON: %v", err)
}

// readDoc reads a JSON object body.
func (s *Server) readDoc(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	var v any
	if err := s.readJSON(w, r, &v); err != nil {
		return nil, err
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, plugin.FieldErr("(body)", "expected a JSON object")
	}
	if err := checkDocIDs(d); err != nil {
		return nil, err
	}
	return d, nil
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a value"
}

// jsonFields lists the JSON names of a request struct's fields.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}
