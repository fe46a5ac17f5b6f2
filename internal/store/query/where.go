package query

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tql"
	"github.com/tracflow/tracflow/plugin"
)

// Bounds of a where condition. A condition's field == value terms joined
// by AND become one SQL expression each: the databases refuse trees too
// deep or too many parameters, so Where bounds them first.
const (
	WhereMaxTerms  = 64
	WhereMaxValues = 10_000
)

// EvalErrors counts records a where condition could not be evaluated on
// (they are left out of the answer).
type EvalErrors struct {
	mu    sync.Mutex
	n     int
	first string
}

// Warning says how many records of kind the condition left out, and why
// the first was; "" when none was.
func (e *EvalErrors) Warning(kind string) string {
	if e == nil {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == 0 {
		return ""
	}
	return fmt.Sprintf("where could not be evaluated on %d %s(s), which are left out; the first: %s", e.n, kind, e.first)
}

// Where compiles a TQL condition on records of kind into q: the
// field == "text" terms of its top-level AND that a text column answers go
// to q.Equal, and unless they are the whole condition, the condition itself
// becomes q.Filter. A bad condition is a plugin.FieldErrors at the field
// "where". The EvalErrors (nil when no filter runs) count the records the
// filter could not evaluate, once the query ran.
func Where(kind, src string, q *store.Query) (*EvalErrors, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	cond, err := tql.ParseDefault(src, kind)
	if err != nil {
		var se *tql.SyntaxError
		if errors.As(err, &se) {
			return nil, plugin.FieldErr("where", "at %d: %s", se.Pos, se.Msg)
		}
		return nil, plugin.FieldErr("where", "%v", err)
	}
	fields := cond.Fields()
	paths := make([][]string, 0, len(fields))
	for _, f := range fields {
		if f.Source != kind {
			return nil, plugin.FieldErr("where", "%s search reads fields of the %s: write %s@%s or just %s; %s is not part of %s",
				Article(kind), kind, kind, examplePath(kind), examplePath(kind), f.String(), Article(kind))
		}
		paths = append(paths, f.Path)
	}
	terms, whole := cond.Terms()
	eq := store.EqualFields(kind)
	pushed, values := 0, 0
	for _, t := range terms {
		name := strings.Join(t.Field.Path, ".")
		// A column holds NULL for "": such a term stays with the filter.
		if slices.ContainsFunc(t.Field.Path, func(s string) bool { return strings.Contains(s, ".") }) || !slices.Contains(eq, name) || slices.Contains(t.Values, "") {
			continue
		}
		q.Equal = append(q.Equal, store.Equal{Field: name, Values: t.Values})
		pushed++
		values += len(t.Values)
	}
	if pushed > WhereMaxTerms || values > WhereMaxValues {
		return nil, plugin.FieldErr("where", "the condition compares %d fields with %d values (field == value terms joined by AND); at most %d terms and %d values: "+
			"use field == [\"a\", \"b\"] for several values of one field, or narrow the search", pushed, values, WhereMaxTerms, WhereMaxValues)
	}
	if whole && pushed == len(terms) {
		return nil, nil // the columns answer the whole condition
	}
	ee := &EvalErrors{}
	now := time.Now() // one instant for the whole search
	q.Filter = &store.Filter{Fields: paths, Match: func(d store.Doc) bool {
		var scope notation.Scope
		switch kind {
		case store.KindProfile:
			scope.Profile = d
		case store.KindEvent:
			scope.Event = d
		default:
			scope.Session = d
		}
		ok, err := cond.EvalAt(&scope, now)
		if err != nil {
			ee.mu.Lock()
			if ee.n == 0 {
				ee.first = err.Error()
			}
			ee.n++
			ee.mu.Unlock()
			return false
		}
		return ok
	}}
	return ee, nil
}

// Article is "a profile", "an event", "a session".
func Article(kind string) string {
	if kind == store.KindEvent {
		return "an " + kind
	}
	return "a " + kind
}

func examplePath(kind string) string {
	switch kind {
	case store.KindProfile:
		return "traits.plan"
	case store.KindEvent:
		return "type"
	}
	return "metadata.channel"
}
