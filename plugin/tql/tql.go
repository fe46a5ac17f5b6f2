// Package tql is the public API of TQL, Tracardi's condition language, for
// plugins: compile a condition once, in SetUp, and evaluate it for every run
// against the run's scope.
//
//	cond, err := tql.Parse(`event@type == "purchase" AND profile@stats.visits > 2`)
//	...
//	ok, err := cond.Eval(a.Scope(payload))
//
// A missing field never fails an evaluation: it makes comparisons false.
// Eval's errors are real failures, such as an unknown time zone. The syntax
// (operators, functions, dates) is described in docs/server.md; the type is
// the one the engine uses (one implementation), this package is its stable
// public name.
package tql

import "github.com/tracflow/tracflow/internal/tql"

// Condition is a compiled condition: immutable and safe for concurrent use.
// Eval(scope) evaluates it; EvalAt fixes the clock; Fields lists the
// references it reads; String gives its canonical text.
type Condition = tql.Condition

// SyntaxError is a condition that does not parse, with the byte offset of
// the problem.
type SyntaxError = tql.SyntaxError

// Parse compiles a condition. A syntax error is a *SyntaxError.
func Parse(src string) (*Condition, error) { return tql.Parse(src) }

// ParseDefault is Parse where a field may be a bare path that reads the given
// source: with source "profile", traits.country == "PL" means
// profile@traits.country == "PL".
func ParseDefault(src, source string) (*Condition, error) { return tql.ParseDefault(src, source) }
