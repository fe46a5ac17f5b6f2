package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// FieldError says what is wrong with one configuration field. Field is a dot
// path into the config, e.g. "increment" or "conditions.0.value".
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

// ConfigError is a configuration that failed validation, field by field.
type ConfigError struct {
	Errors []FieldError `json:"errors"`
}

func (e *ConfigError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Error()
	}
	return "invalid config: " + strings.Join(parts, "; ")
}

// FieldErr returns a *ConfigError for one field.
func FieldErr(field, format string, args ...any) error {
	return &ConfigError{Errors: []FieldError{{Field: field, Message: sprintf(format, args)}}}
}

// AsConfigError returns err as a *ConfigError: its own when it is (or wraps)
// one, otherwise a ConfigError with one field-less message.
func AsConfigError(err error) *ConfigError {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ce
	}
	var fe FieldError
	if errors.As(err, &fe) {
		return &ConfigError{Errors: []FieldError{fe}}
	}
	return &ConfigError{Errors: []FieldError{{Message: err.Error()}}}
}

// ConfigChecker is implemented by config structs that check themselves after
// decoding; Decode calls Check.
type ConfigChecker interface {
	Check() error
}

// Decode decodes a node's config into dst, a pointer to a struct whose fields
// carry json tags. Set dst's defaults before calling it: fields absent from
// config keep them. Keys dst does not know are ignored (flows exported from
// Tracardi carry extra keys). A value of the wrong type is reported as a
// *ConfigError naming the field. When dst implements ConfigChecker, Check is
// called after decoding.
func Decode(config Config, dst any) error {
	b, err := json.Marshal(config)
	if err != nil {
		return &ConfigError{Errors: []FieldError{{Message: "config is not valid JSON: " + err.Error()}}}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &ConfigError{Errors: []FieldError{{
				Field:   te.Field,
				Message: fmt.Sprintf("expected %s, got %s", jsonKind(te.Type.Kind().String()), te.Value),
			}}}
		}
		return &ConfigError{Errors: []FieldError{{Message: err.Error()}}}
	}
	if c, ok := dst.(ConfigChecker); ok {
		if err := c.Check(); err != nil {
			return AsConfigError(err)
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
