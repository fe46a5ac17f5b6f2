package notation

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Reshape is a compiled object template. Every string leaf is a Value (a
// reference is resolved, a literal passes through), recursively through
// objects and lists; other leaves (numbers, booleans, null) pass through.
//
// A key ending in "?" is written without the "?" and is omitted when its
// value is missing, null, "", an empty list or an empty object.
//
// A reference that is missing, under a key without "?", resolves to null:
// reshaping never fails because the data lacks a field.
//
// Objects and lists read through references are deep-copied into the
// result, so the result never shares structure with the scope.
type Reshape struct {
	root rnode
}

type rkind uint8

const (
	rLiteral rkind = iota
	rValue
	rObject
	rList
)

type rnode struct {
	kind  rkind
	lit   any
	val   Value
	keys  []rkey
	items []rnode
}

type rkey struct {
	name     string
	optional bool
	node     rnode
}

// CompileReshape compiles a template given as decoded JSON (objects,
// lists, strings, numbers, booleans, null).
func CompileReshape(tpl any) (*Reshape, error) {
	n, err := compileNode(tpl, "")
	if err != nil {
		return nil, err
	}
	return &Reshape{root: n}, nil
}

func compileNode(v any, at string) (rnode, error) {
	switch x := v.(type) {
	case string:
		val, err := CompileValue(x)
		if err != nil {
			return rnode{}, fmt.Errorf("notation: reshape template at %s: %w", where(at), err)
		}
		if !val.IsRef() {
			lit, _ := val.Resolve(nil)
			return rnode{kind: rLiteral, lit: lit}, nil
		}
		return rnode{kind: rValue, val: val}, nil
	case map[string]any:
		n := rnode{kind: rObject, keys: make([]rkey, 0, len(x))}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			sub := x[k]
			child, err := compileNode(sub, at+"."+k)
			if err != nil {
				return rnode{}, err
			}
			name, opt := strings.CutSuffix(k, "?")
			n.keys = append(n.keys, rkey{name: name, optional: opt, node: child})
		}
		return n, nil
	case []any:
		n := rnode{kind: rList, items: make([]rnode, len(x))}
		for i, sub := range x {
			child, err := compileNode(sub, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return rnode{}, err
			}
			n.items[i] = child
		}
		return n, nil
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return compileNode(m, at)
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return compileNode(l, at)
	}
	return rnode{kind: rLiteral, lit: v}, nil
}

func where(at string) string {
	if at == "" {
		return "the top"
	}
	return strings.TrimPrefix(at, ".")
}

// Apply builds the reshaped value from the scope: a value of its own, that
// the caller may change.
func (r *Reshape) Apply(s *Scope) (any, error) {
	return r.root.apply(s, true)
}

// ApplyShared builds the reshaped value as Apply does, except that the
// values it takes from the scope and the template are shared, not copied:
// for a caller that only reads the result (to encode it, say) before the
// scope's documents change.
func (r *Reshape) ApplyShared(s *Scope) (any, error) {
	return r.root.apply(s, false)
}

func (n *rnode) apply(s *Scope, own bool) (any, error) {
	keep := func(v any) any {
		if own {
			return DeepCopy(v)
		}
		return v
	}
	switch n.kind {
	case rLiteral:
		return keep(n.lit), nil
	case rValue:
		v, err := n.val.Resolve(s)
		if err != nil {
			if errors.Is(err, ErrMissing) {
				return nil, nil
			}
			return nil, err
		}
		return keep(v), nil
	case rObject:
		out := make(map[string]any, len(n.keys))
		for i := range n.keys {
			k := &n.keys[i]
			v, err := k.node.apply(s, own)
			if err != nil {
				return nil, err
			}
			if k.optional && isEmpty(v) {
				continue
			}
			out[k.name] = v
		}
		return out, nil
	case rList:
		out := make([]any, len(n.items))
		for i := range n.items {
			v, err := n.items[i].apply(s, own)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, nil
}

// IsEmpty reports whether v is null, "", an empty list or an empty object.
func IsEmpty(v any) bool { return isEmpty(v) }

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	case map[string]string:
		return len(x) == 0
	case []map[string]any:
		return len(x) == 0
	}
	return false
}
