package tql

import "github.com/tracflow/tracflow/internal/notation"

// Term is a field compared with == to a string or to a list of strings:
// event@type == "purchase", event@type == ["purchase", "refund"].
type Term struct {
	Field  notation.Ref
	Values []string
}

// Terms lists the equality terms of the condition's top-level AND (or the
// condition itself when it is one): the parts that compare a field with ==
// to a string or to a list of strings, in either order. whole reports
// whether the condition is nothing but those terms.
//
// Every value the condition accepts satisfies each term: the field holds
// one of the values (or, when it holds a list, contains one). A store can
// use them to narrow a search through an index before evaluating the
// condition on what is left; when whole is true and the field is known to
// hold a string, the terms are the condition.
func (c *Condition) Terms() (terms []Term, whole bool) {
	if c == nil || c.root == nil {
		return nil, false
	}
	parts := []*node{c.root}
	if c.root.kind == nAnd {
		parts = c.root.kids
	}
	whole = true
	for _, n := range parts {
		t, ok := equalityTerm(n)
		if !ok {
			whole = false
			continue
		}
		terms = append(terms, t)
	}
	return terms, whole
}

func equalityTerm(n *node) (Term, bool) {
	if n.kind != nCmp || n.op != opEq {
		return Term{}, false
	}
	field, val := n.a, n.b
	if field.kind != oField {
		field, val = val, field
	}
	if field.kind != oField {
		return Term{}, false
	}
	switch val.kind {
	case oLit:
		s, ok := val.lit.(string)
		if !ok {
			return Term{}, false
		}
		return Term{Field: field.ref, Values: []string{s}}, true
	case oList:
		items, _ := val.lit.([]any)
		if len(items) == 0 {
			return Term{}, false
		}
		vals := make([]string, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				return Term{}, false
			}
			vals[i] = s
		}
		return Term{Field: field.ref, Values: vals}, true
	}
	return Term{}, false
}
