package notation

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// ErrMissing is returned, wrapped, when a reference does not reach a value:
// a key is absent, an index is out of range, the path goes through a scalar,
// or the source object itself is absent (a profile-less event has no
// profile). Test for it with errors.Is.
var ErrMissing = errors.New("value not found")

// ErrReadOnly is returned, wrapped, when writing to a source that cannot be
// written (flow@).
var ErrReadOnly = errors.New("read-only source")

// Scope is the data a reference can reach. Any field may be nil (e.g. Profile
// for profile-less events); a nil source reads as missing.
type Scope struct {
	Payload any            // the node's input payload (usually map[string]any)
	Event   map[string]any // the event being processed
	Profile map[string]any // nil for profile-less events
	Session map[string]any
	Flow    map[string]any // read-only for writes: {"id","name","description",...}
	Memory  map[string]any // shared by all nodes of one flow run
}

// root returns the source object of r. present is false when it is absent.
func (s *Scope) root(src string) (v any, present bool, err error) {
	if s == nil {
		if !IsSource(src) {
			return nil, false, fmt.Errorf("notation: unknown source %q", src)
		}
		return nil, false, nil
	}
	switch src {
	case SourcePayload:
		if m, ok := s.Payload.(map[string]any); ok && m == nil {
			return nil, false, nil
		}
		return s.Payload, s.Payload != nil, nil
	case SourceProfile:
		return s.Profile, s.Profile != nil, nil
	case SourceEvent:
		return s.Event, s.Event != nil, nil
	case SourceSession:
		return s.Session, s.Session != nil, nil
	case SourceMemory:
		return s.Memory, s.Memory != nil, nil
	case SourceFlow:
		return s.Flow, s.Flow != nil, nil
	}
	return nil, false, fmt.Errorf("notation: unknown source %q", src)
}

// missing failure reasons.
const (
	reasonNoSource = iota
	reasonNoKey
	reasonRange
	reasonNotIndex
	reasonScalar
)

// missingError explains why a reference did not reach a value. The message is
// built only when asked for.
type missingError struct {
	ref    Ref
	at     int // index of the failing segment
	reason int
	n      int    // length of the list for reasonRange
	kind   string // type of the value for reasonScalar
}

func (e *missingError) Unwrap() error { return ErrMissing }

func (e *missingError) Error() string {
	r := e.ref.String()
	switch e.reason {
	case reasonNoSource:
		return fmt.Sprintf("%s: there is no %s", r, e.ref.Source)
	case reasonNoKey:
		return fmt.Sprintf("%s: key %q not found", r, e.ref.Path[e.at])
	case reasonRange:
		return fmt.Sprintf("%s: index %s out of range (list length %d)", r, e.ref.Path[e.at], e.n)
	case reasonNotIndex:
		return fmt.Sprintf("%s: %q is not an index into a list", r, e.ref.Path[e.at])
	default:
		where := e.ref.Source
		if e.at > 0 {
			where = Ref{Source: e.ref.Source, Path: e.ref.Path[:e.at]}.String()
		}
		return fmt.Sprintf("%s: cannot read %q: %s is %s, not an object or a list", r, e.ref.Path[e.at], where, e.kind)
	}
}

// Get reads the value r points to. A nil *Scope reads as an empty one. A missing key, an index out of range, a
// path through a scalar or an absent source returns an error wrapping
// ErrMissing; a stored nil reads as nil with no error. Numeric segments index
// arrays. The value is returned as stored, not copied.
func (s *Scope) Get(r Ref) (any, error) {
	root, present, err := s.root(r.Source)
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, &missingError{ref: r, reason: reasonNoSource}
	}
	v, at, reason, n := walk(root, r.Path)
	if at >= 0 {
		e := &missingError{ref: r, at: at, reason: reason, n: n}
		if reason == reasonScalar {
			e.kind = TypeName(v)
		}
		return nil, e
	}
	return v, nil
}

// Lookup reads the value r points to and reports whether it exists. It does
// not allocate; use it on hot paths where the reason for a miss is not needed.
func (s *Scope) Lookup(r Ref) (any, bool) {
	root, present, _ := s.root(r.Source)
	if !present {
		return nil, false
	}
	v, at, _, _ := walk(root, r.Path)
	return v, at < 0
}

// walk follows path from v. On failure at is the index of the failing segment
// (for reasonScalar, v is the scalar that could not be entered); on success
// at is -1.
func walk(v any, path []string) (out any, at int, reason int, n int) {
	for i, seg := range path {
		var ok bool
		switch c := v.(type) {
		case map[string]any:
			v, ok, reason = key(c, seg)
		case map[string]string:
			v, ok, reason = key(c, seg)
		case []any:
			v, ok, reason, n = item(c, seg)
		case []string:
			v, ok, reason, n = item(c, seg)
		case []map[string]any:
			v, ok, reason, n = item(c, seg)
		default:
			return v, i, reasonScalar, 0
		}
		if !ok {
			return nil, i, reason, n
		}
	}
	return v, -1, 0, 0
}

// key reads one key of an object.
func key[V any](c map[string]V, seg string) (any, bool, int) {
	x, ok := c[seg]
	if !ok {
		return nil, false, reasonNoKey
	}
	return x, true, 0
}

// item reads one element of a list; n is the list's length when the index
// is out of range.
func item[E any](c []E, seg string) (v any, ok bool, reason, n int) {
	idx, isIndex := index(seg)
	if !isIndex {
		return nil, false, reasonNotIndex, 0
	}
	if idx >= len(c) {
		return nil, false, reasonRange, len(c)
	}
	return c[idx], true, 0, 0
}

// TypeName names the JSON type of v for messages: "null", "a string", "a
// number", "a boolean", "an object", "a list".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any, map[string]string:
		return "an object"
	case []any, []string, []map[string]any:
		return "a list"
	}
	if _, ok := ToFloat(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// Set writes v where r points. Missing intermediate objects are created (a
// stored null on the way is replaced by an object). In a list, a numeric
// segment within range replaces the element and one equal to the length
// appends. Writing to flow@ fails with ErrReadOnly. Writing the whole object
// ("profile@") requires an object and replaces the contents of the existing
// map in place (clear, then copy the keys), so that every holder of the map
// sees the change; the whole payload may be replaced by any value. v is
// stored as is, not copied.
func (s *Scope) Set(r Ref, v any) error {
	if s == nil {
		return fmt.Errorf("%s: cannot write into a nil scope", r)
	}
	switch r.Source {
	case SourceFlow:
		return fmt.Errorf("%s: %w: flow@ cannot be written", r, ErrReadOnly)
	case SourcePayload:
		if len(r.Path) == 0 {
			if m, ok := s.Payload.(map[string]any); ok && m != nil {
				if src, ok := v.(map[string]any); ok {
					replaceMap(m, src)
					return nil
				}
			}
			s.Payload = v
			return nil
		}
		nv, err := setIn(s.Payload, r, 0, v)
		if err != nil {
			return err
		}
		s.Payload = nv
		return nil
	case SourceMemory:
		if s.Memory == nil {
			s.Memory = make(map[string]any)
		}
		return setMapSource(s.Memory, r, v)
	case SourceProfile:
		return setMapSource(s.Profile, r, v)
	case SourceSession:
		return setMapSource(s.Session, r, v)
	case SourceEvent:
		return setMapSource(s.Event, r, v)
	}
	return fmt.Errorf("notation: unknown source %q", r.Source)
}

func setMapSource(m map[string]any, r Ref, v any) error {
	if m == nil {
		return fmt.Errorf("%s: cannot write: there is no %s", r, r.Source)
	}
	if len(r.Path) == 0 {
		src, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: cannot replace the whole %s with %s; an object is required", r, r.Source, TypeName(v))
		}
		replaceMap(m, src)
		return nil
	}
	_, err := setIn(m, r, 0, v)
	return err
}

// replaceMap makes dst hold exactly the keys of src.
func replaceMap(dst, src map[string]any) {
	if reflect.ValueOf(dst).UnsafePointer() == reflect.ValueOf(src).UnsafePointer() {
		return
	}
	clear(dst)
	for k, v := range src {
		dst[k] = v
	}
}

// setIn writes v at r.Path[i:] inside c and returns the (possibly new)
// container, which the caller stores back in its parent.
func setIn(c any, r Ref, i int, v any) (any, error) {
	seg := r.Path[i]
	last := i == len(r.Path)-1
	switch c := c.(type) {
	case nil:
		m := make(map[string]any, 1)
		return setIn(m, r, i, v)
	case map[string]any:
		if last {
			c[seg] = v
			return c, nil
		}
		nc, err := setIn(c[seg], r, i+1, v)
		if err != nil {
			return nil, err
		}
		c[seg] = nc
		return c, nil
	case []any:
		idx, ok := index(seg)
		if !ok {
			return nil, fmt.Errorf("%s: cannot write key %q into a list; use an index", r, seg)
		}
		if idx > len(c) {
			return nil, fmt.Errorf("%s: index %d out of range (list length %d; an index equal to the length appends)", r, idx, len(c))
		}
		if idx == len(c) {
			if last {
				return append(c, v), nil
			}
			nc, err := setIn(nil, r, i+1, v)
			if err != nil {
				return nil, err
			}
			return append(c, nc), nil
		}
		if last {
			c[idx] = v
			return c, nil
		}
		nc, err := setIn(c[idx], r, i+1, v)
		if err != nil {
			return nil, err
		}
		c[idx] = nc
		return c, nil
	default:
		where := r.Source
		if i > 0 {
			where = Ref{Source: r.Source, Path: r.Path[:i]}.String()
		}
		return nil, fmt.Errorf("%s: cannot write %q: %s is %s, not an object or a list", r, seg, where, TypeName(c))
	}
}

// Delete removes the key r points to; deleting an index removes the element
// from its list. A missing key is not an error. Deleting the whole object
// empties it in place (the whole payload becomes nil). flow@ cannot be
// changed.
func (s *Scope) Delete(r Ref) error {
	if s == nil {
		return nil
	}
	switch r.Source {
	case SourceFlow:
		return fmt.Errorf("%s: %w: flow@ cannot be changed", r, ErrReadOnly)
	case SourcePayload:
		if len(r.Path) == 0 {
			if m, ok := s.Payload.(map[string]any); ok {
				clear(m)
				return nil
			}
			s.Payload = nil
			return nil
		}
		s.Payload = deleteIn(s.Payload, r.Path)
		return nil
	case SourceProfile:
		deleteMapSource(s.Profile, r)
		return nil
	case SourceSession:
		deleteMapSource(s.Session, r)
		return nil
	case SourceEvent:
		deleteMapSource(s.Event, r)
		return nil
	case SourceMemory:
		deleteMapSource(s.Memory, r)
		return nil
	}
	return fmt.Errorf("notation: unknown source %q", r.Source)
}

func deleteMapSource(m map[string]any, r Ref) {
	if m == nil {
		return
	}
	if len(r.Path) == 0 {
		clear(m)
		return
	}
	deleteIn(m, r.Path)
}

// deleteIn removes path from c and returns the (possibly new) container.
func deleteIn(c any, path []string) any {
	seg := path[0]
	switch c := c.(type) {
	case map[string]any:
		if len(path) == 1 {
			delete(c, seg)
			return c
		}
		child, ok := c[seg]
		if !ok {
			return c
		}
		c[seg] = deleteIn(child, path[1:])
		return c
	case []any:
		idx, ok := index(seg)
		if !ok || idx >= len(c) {
			return c
		}
		if len(path) == 1 {
			return slices.Delete(c, idx, idx+1)
		}
		c[idx] = deleteIn(c[idx], path[1:])
		return c
	}
	return c
}
