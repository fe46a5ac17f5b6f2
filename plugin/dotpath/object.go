package dotpath

import (
	"slices"
	"strings"

	"github.com/tracflow/tracflow/internal/notation"
)

// Object is a compiled object template applied the way Tracardi's plugins
// apply theirs: with "missing values equal null" on, a reference that finds
// nothing gives null; with it off, a missing reference under a key that is
// not optional ("key?") fails the whole template. It is immutable and safe
// for concurrent use.
type Object struct {
	r        *notation.Reshape
	strict   bool
	required []Ref
}

// CompileObject compiles tpl (decoded JSON: objects, lists, strings,
// numbers, booleans, null). missingAsNull chooses what a missing reference
// gives: null, or an error from Apply.
func CompileObject(tpl any, missingAsNull bool) (*Object, error) {
	r, err := notation.CompileReshape(tpl)
	if err != nil {
		return nil, err
	}
	t := &Object{r: r, strict: !missingAsNull}
	if t.strict {
		t.required = requiredRefs(tpl, false, nil)
		// Map order is random; report misses in a stable order.
		slices.SortFunc(t.required, func(a, b Ref) int { return strings.Compare(a.String(), b.String()) })
	}
	return t, nil
}

// requiredRefs lists the references of tpl that are not under an optional
// key.
func requiredRefs(v any, optional bool, out []Ref) []Ref {
	switch x := v.(type) {
	case string:
		if optional {
			return out
		}
		if val, err := notation.CompileValue(x); err == nil && val.IsRef() {
			out = append(out, val.Ref())
		}
	case map[string]any:
		for k, sub := range x {
			out = requiredRefs(sub, optional || strings.HasSuffix(k, "?"), out)
		}
	case []any:
		for _, sub := range x {
			out = requiredRefs(sub, optional, out)
		}
	}
	return out
}

// Apply builds the value from the scope. In strict mode it first checks that
// every required reference finds a value and returns the first miss (an
// error wrapping ErrMissing that names the reference).
func (t *Object) Apply(s *Scope) (any, error) {
	for _, ref := range t.required {
		if _, ok := s.Lookup(ref); !ok {
			_, err := s.Get(ref)
			return nil, err
		}
	}
	return t.r.Apply(s)
}
