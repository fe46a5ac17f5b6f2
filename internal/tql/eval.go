package tql

import (
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
)

var errNotCompiled = errors.New("tql: condition not compiled; use Parse")

// env is the state of one evaluation.
type env struct {
	scope  *notation.Scope
	now    time.Time
	nowSet bool
}

func (e *env) clock() time.Time {
	if !e.nowSet {
		e.now = time.Now()
		e.nowSet = true
	}
	return e.now
}

// Eval evaluates the condition against the scope. A missing field never
// fails: it makes comparisons false (and != true). Errors are real failures,
// such as an unknown time zone read from a field or a value datetime()
// cannot read as a date. now() and its relatives read the clock once per
// evaluation, so every use within one evaluation sees the same instant.
func (c *Condition) Eval(s *notation.Scope) (bool, error) {
	if c == nil || c.root == nil {
		return false, errNotCompiled
	}
	e := env{scope: s}
	return e.eval(c.root)
}

// EvalAt is Eval with now() fixed to the given time; for tests and replays.
func (c *Condition) EvalAt(s *notation.Scope, now time.Time) (bool, error) {
	if c == nil || c.root == nil {
		return false, errNotCompiled
	}
	e := env{scope: s, now: now, nowSet: true}
	return e.eval(c.root)
}

// UsesNow reports whether the condition reads the clock (now(), utcnow(),
// now.offset() ...); its result may then change over time for the same data.
func (c *Condition) UsesNow() bool { return c.usesNow }

func (e *env) eval(n *node) (bool, error) {
	switch n.kind {
	case nAnd:
		for _, k := range n.kids {
			ok, err := e.eval(k)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case nOr:
		for _, k := range n.kids {
			ok, err := e.eval(k)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case nNot:
		ok, err := e.eval(n.kids[0])
		return !ok && err == nil, err
	case nExists:
		_, found := e.scope.Lookup(n.a.ref)
		return found != n.neg, nil
	}

	a, aok, err := e.value(n.a)
	if err != nil {
		return false, err
	}
	switch n.kind {
	case nIsNull:
		return (aok && a == nil) != n.neg, nil
	case nEmpty:
		return (!aok || notation.IsEmpty(a)) != n.neg, nil
	}

	b, bok, err := e.value(n.b)
	if err != nil {
		return false, err
	}
	if !aok || !bok {
		// A missing value: only != holds.
		return n.kind == nCmp && n.op == opNe, nil
	}
	switch n.kind {
	case nCmp:
		switch n.op {
		case opEq:
			return equalOrIn(a, b), nil
		case opNe:
			return !equalOrIn(a, b), nil
		}
		r, ok := order(a, b)
		if !ok {
			return false, nil
		}
		switch n.op {
		case opLt:
			return r < 0, nil
		case opLe:
			return r <= 0, nil
		case opGt:
			return r > 0, nil
		default:
			return r >= 0, nil
		}
	case nBetween:
		lo := b
		hi, hok, err := e.value(n.c)
		if err != nil || !hok {
			return false, err
		}
		r1, ok1 := order(lo, a)
		if !ok1 || r1 > 0 {
			return false, nil
		}
		r2, ok2 := order(a, hi)
		return ok2 && r2 <= 0, nil
	case nContains:
		return contains(a, b), nil
	case nStarts:
		return startsWith(a, b), nil
	case nEnds:
		return endsWith(a, b), nil
	}
	return false, fmt.Errorf("tql: unknown condition kind %d", n.kind)
}

// value evaluates an operand. ok is false when it refers to a missing field
// (or is a function of one).
func (e *env) value(o *operand) (v any, ok bool, err error) {
	switch o.kind {
	case oLit, oList:
		return o.lit, true, nil
	case oField:
		v, ok = e.scope.Lookup(o.ref)
		return v, ok, nil
	}
	return e.call(o)
}

func (e *env) call(o *operand) (any, bool, error) {
	c := o.call
	var args [2]any
	for i, a := range c.args {
		v, ok, err := e.value(a)
		if err != nil || !ok {
			return nil, false, err
		}
		if v == nil {
			// A function of null is null.
			return nil, true, nil
		}
		args[i] = v
	}
	var now time.Time
	if fnSpecs[c.fn].usesNow {
		now = e.clock()
	}
	v, err := applyFn(c, now, args[0], args[1])
	if err != nil {
		return nil, false, fmt.Errorf("tql: %s: %w", operandString(o), err)
	}
	return v, true, nil
}
