package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// FieldError says what is wrong with one field of an input: a plugin's
// configuration, a flow, an API body. Field is a dot path into that input,
// e.g. "increment" or "conditions.0.value"; it is empty for a problem with
// the input as a whole. It is the one field-error type of Tracflow: find it
// in any error with errors.As (a FieldErrors holding it matches too).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// FieldErrors is every problem found in one input, field by field. A
// configuration spec's Parse returns all of them at once, not only the
// first.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, f := range es {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// As lets errors.As find the first FieldError of the list.
func (es FieldErrors) As(target any) bool {
	if t, ok := target.(*FieldError); ok && len(es) > 0 {
		*t = es[0]
		return true
	}
	return false
}

// FieldErr returns a FieldErrors holding one error for field.
func FieldErr(field, format string, args ...any) error {
	return FieldErrors{{Field: field, Message: sprintf(format, args)}}
}

// AsFieldErrors returns the field errors err holds: its own list when it is
// (or wraps) a FieldErrors or a FieldError, otherwise one field-less error
// with err's message. It returns nil for a nil err.
func AsFieldErrors(err error) FieldErrors {
	if err == nil {
		return nil
	}
	var es FieldErrors
	if errors.As(err, &es) {
		return es
	}
	var fe FieldError
	if errors.As(err, &fe) {
		return FieldErrors{fe}
	}
	return FieldErrors{{Message: err.Error()}}
}

// ConfigChecker is implemented by config structs that check themselves after
// Decode.
type ConfigChecker interface {
	Check() error
}

// Decode decodes a node's config into dst, a pointer to a struct whose fields
// carry json tags: a lower-level alternative to a ConfigSpec. Set dst's
// defaults before calling it. Keys dst does not know are ignored. A value of
// the wrong type is reported as FieldErrors naming the field. When dst
// implements ConfigChecker, Check is called after decoding.
func Decode(config Config, dst any) error {
	b, err := json.Marshal(config)
	if err != nil {
		return FieldErrors{{Message: "config is not valid JSON: " + err.Error()}}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return FieldErrors{{
				Field:   te.Field,
				Message: fmt.Sprintf("expected %s, got %s", jsonKind(te.Type.Kind().String()), te.Value),
			}}
		}
		return FieldErrors{{Message: err.Error()}}
	}
	if c, ok := dst.(ConfigChecker); ok {
		if err := c.Check(); err != nil {
			return AsFieldErrors(err)
		}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	}
	return goKind
}

// Encode turns a config struct back into a Config (its normalised form).
func Encode(src any) (Config, error) {
	b, err := json.Marshal(src)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return c, nil
}
