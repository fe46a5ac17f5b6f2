// Package eventmap copies event properties into profile fields: the
// built-in event types (sign-in, identification, purchase-order, ...) and
// the event→profile mappings users configure. The collector applies them to
// each event before its rules run.
package eventmap

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/tracflow/tracflow/internal/notation"
)

// Operations of a copy.
const (
	OpEqual       = "equal"                // set the field
	OpIfNotExists = "equals_if_not_exists" // set the field only when it holds nothing
	OpAppend      = "append"               // add the value (or each of a list) to a list, once
	OpAdd         = "add"                  // add a number to the field's number
	OpIncrement   = "increment"            // add 1 to the field's number (the event field is not read)
	OpDelete      = "delete"               // remove the field (the event field is not read)
)

// Ops lists the operations a mapping may use.
var Ops = []string{OpEqual, OpIfNotExists, OpAppend, OpAdd, OpIncrement, OpDelete}

// Copy takes the value at Event (a dot path in the event, e.g.
// "properties.email") to Profile (a dot path in the profile, e.g.
// "data.contact.email.main") with Op. A missing event value copies nothing.
type Copy struct {
	Event   string `json:"event"`
	Profile string `json:"profile"`
	Op      string `json:"op"`
	// Plain copies only a string, number or boolean (an object at Event
	// is left for another copy).
	Plain bool `json:"-"`
}

// Apply runs the copies on event and profile and reports whether the
// profile changed.
func Apply(event, profile map[string]any, copies []Copy) bool {
	changed := false
	for _, c := range copies {
		if applyOne(event, profile, c) {
			changed = true
		}
	}
	return changed
}

func applyOne(event, profile map[string]any, c Copy) bool {
	path := split(c.Profile)
	if len(path) == 0 {
		return false
	}
	cur, has := get(profile, path)
	switch c.Op {
	case OpIncrement:
		n, _ := notation.ToFloat(cur)
		return set(profile, path, n+1)
	case OpDelete:
		if !has {
			return false
		}
		return del(profile, path)
	}
	v, ok := get(event, split(c.Event))
	if !ok || v == nil {
		return false
	}
	if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" {
		return false
	}
	if c.Plain {
		switch v.(type) {
		case map[string]any, []any:
			return false
		}
	}
	v = notation.DeepCopy(v)
	switch c.Op {
	case OpIfNotExists:
		if has && cur != nil && cur != "" {
			return false
		}
		return set(profile, path, v)
	case OpAppend:
		list, _ := cur.([]any)
		if cur != nil && list == nil {
			list = []any{cur}
		}
		add := []any{v}
		if l, ok := v.([]any); ok {
			add = l
		}
		n := len(list)
		for _, x := range add {
			if !contains(list, x) {
				list = append(list, x)
			}
		}
		if len(list) == n && cur != nil {
			return false
		}
		return set(profile, path, list)
	case OpAdd:
		f, ok := notation.ToFloat(v)
		if !ok {
			return false
		}
		n, _ := notation.ToFloat(cur)
		return set(profile, path, n+f)
	}
	if has && reflect.DeepEqual(cur, v) {
		return false
	}
	return set(profile, path, v)
}

func contains(list []any, x any) bool {
	for _, y := range list {
		if reflect.DeepEqual(x, y) {
			return true
		}
	}
	return false
}

// split reads a dot path, without an "event@" or "profile@" prefix.
func split(p string) []string {
	p = strings.TrimSpace(p)
	if i := strings.Index(p, "@"); i >= 0 && !strings.Contains(p[:i], ".") {
		p = p[i+1:]
	}
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

func get(doc map[string]any, path []string) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	var cur any = doc
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func set(doc map[string]any, path []string, v any) bool {
	m := doc
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			if m[k] != nil {
				return false // a plain value is not replaced by an object
			}
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
	return true
}

func del(doc map[string]any, path []string) bool {
	m := doc
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return false
		}
		m = next
	}
	delete(m, path[len(path)-1])
	return true
}

// CheckPath reports what is wrong with a mapping's dot path ("" when
// nothing is). root names the document it must point into.
func CheckPath(p, root string) string {
	s := strings.TrimSpace(p)
	if s == "" {
		return "is required"
	}
	if i := strings.Index(s, "@"); i >= 0 {
		if s[:i] != root {
			return fmt.Sprintf("%q must point into the %s (%s@... or a plain path)", p, root, root)
		}
		s = s[i+1:]
	}
	if len(s) > 200 {
		return "is longer than 200 characters"
	}
	for _, seg := range strings.Split(s, ".") {
		if seg == "" {
			return fmt.Sprintf("%q has an empty segment", p)
		}
	}
	if root == "profile" {
		switch strings.Split(s, ".")[0] {
		case "id", "ids", "metadata", "operation":
			return fmt.Sprintf("%q: the profile's %s is kept by the server and cannot be mapped to", p, strings.Split(s, ".")[0])
		}
	}
	return ""
}
