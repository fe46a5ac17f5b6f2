// Package confdoc checks the fields that configuration documents (consent
// types, segments, destinations, ...) have in common: the body itself,
// text fields, true/false flags with their defaults, and tags. Every error
// is a plugin.FieldErrors naming the field.
package confdoc

import (
	"fmt"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Invalid is the error for one bad field.
func Invalid(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

// Copy answers a shallow copy of d to normalise, or an error on the body
// when there is no document; what names it, e.g. "a segment".
func Copy(d store.Doc, what string) (store.Doc, error) {
	if d == nil {
		return nil, Invalid("(body)", "expected "+what+" object")
	}
	out := make(store.Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out, nil
}

// Strings checks that the fields keys, where given and not null, are text.
func Strings(d store.Doc, keys ...string) error {
	for _, k := range keys {
		if v, ok := d[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return Invalid(k, fmt.Sprintf("expected a string, got %T", v))
			}
		}
	}
	return nil
}

// Bool checks that the field key, where given and not null, is true or
// false, and sets it in out to def where it is not.
func Bool(d, out store.Doc, key string, def bool) error {
	v, ok := d[key]
	if ok && v != nil {
		if _, isBool := v.(bool); !isBool {
			return Invalid(key, "expected true or false")
		}
		return nil
	}
	out[key] = def
	return nil
}

// Tags checks that "tags", where given and not null, is a list of strings,
// and sets it in out to an empty list where it is not given.
func Tags(d, out store.Doc) error {
	tags, ok := d["tags"]
	if !ok || tags == nil {
		out["tags"] = []any{}
		return nil
	}
	l, isList := tags.([]any)
	if !isList {
		return Invalid("tags", "expected a list of strings")
	}
	for i, t := range l {
		if _, isStr := t.(string); !isStr {
			return Invalid(fmt.Sprintf("tags[%d]", i), "expected a string")
		}
	}
	return nil
}
