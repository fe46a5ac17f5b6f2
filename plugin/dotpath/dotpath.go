// Package dotpath is the public API of Tracflow's dot notation: references
// into the data a workflow node can reach (profile@traits.x), values that are
// either references or literals, text templates ({{ profile@traits.name }})
// and object templates. Plugins compile these once, in SetUp, and apply them
// for every run against the run's Scope (plugin.ActionRunner.Scope builds
// it).
//
// # References
//
// A reference is written source@path. The source is one of
//
//	payload  the node's input payload
//	event    the event being processed
//	profile  the profile of the event (absent for profile-less events)
//	session  the session of the event
//	flow     the running flow: id, name, description (read-only)
//	memory   values shared by all nodes of one flow run
//
// The path is a list of keys separated by dots: profile@traits.address.town.
// A numeric segment indexes a list (payload@items.0.sku). A key holding a
// dot or another special character is written in brackets and double quotes:
// profile@traits["e-mail.work"]. "profile@" and "profile@..." mean the whole
// profile.
//
// Reading a missing key fails with an error wrapping ErrMissing that names
// the path (test it with errors.Is); Scope.Lookup reports the miss as a
// boolean instead. Writing creates missing objects on the way and fails for
// flow@ with an error wrapping ErrReadOnly.
//
// # Values
//
// A config string that does not start with a known source and "@" is a
// literal, so one field can hold a constant or a reference (CompileValue). A
// value in backticks is cast after it is resolved: "`42`" is the number 42,
// "`true`" the boolean, "`null`" null.
//
// At reads a plain path (no source) from any decoded JSON value; tests use it
// to check answers: dotpath.At(out, "response.views.value").
//
// # Templates
//
// CompileTemplate compiles text with {{ reference }} placeholders; Render
// inserts strings as they are, numbers in their shortest form, objects and
// lists as JSON and missing values as nothing, RenderStrict fails on a
// missing value. CompileObject compiles a JSON object template whose string
// leaves are references; a key ending in "?" is left out when its value is
// missing or empty.
//
// The types are the ones the engine uses (one implementation); this package
// is their stable public name.
package dotpath

import (
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/internal/notation"
)

// The reference sources.
const (
	SourcePayload = notation.SourcePayload
	SourceProfile = notation.SourceProfile
	SourceSession = notation.SourceSession
	SourceEvent   = notation.SourceEvent
	SourceFlow    = notation.SourceFlow
	SourceMemory  = notation.SourceMemory
)

// Sources lists the reference sources in a stable order.
var Sources = notation.Sources

// ErrMissing is wrapped by errors of reads that find no value.
var ErrMissing = notation.ErrMissing

// ErrReadOnly is wrapped by errors of writes to a read-only source (flow@).
var ErrReadOnly = notation.ErrReadOnly

// Ref is a parsed reference: a Source and a Path of keys. An empty Path means
// the whole source object. String gives its canonical text.
type Ref = notation.Ref

// Scope is the data references reach in one run: the payload and the run's
// event, profile, session, flow and memory. Get, Lookup, Set and Delete
// read and write through a Ref.
type Scope = notation.Scope

// Value is a compiled config value: a literal or a reference (IsRef, Ref),
// resolved against a Scope by Resolve.
type Value = notation.Value

// Template is a compiled text template (Render, RenderStrict, References).
type Template = notation.Template

// SyntaxError is a malformed template, with the byte offset of the problem.
type SyntaxError = notation.SyntaxError

// IsSource reports whether name is a reference source (profile, event, ...).
func IsSource(name string) bool { return notation.IsSource(name) }

// ParseRef parses a reference such as "profile@traits.a.b". ok is false when
// s does not start with a known source and "@" (s is then a literal); err is
// non-nil when the source is known but the path is malformed.
func ParseRef(s string) (ref Ref, ok bool, err error) { return notation.ParseRef(s) }

// Parse parses s, which must be a reference; a literal is an error that says
// how to write one.
func Parse(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("is empty; type a reference such as profile@traits.name")
	}
	ref, ok, err := notation.ParseRef(s)
	if err != nil {
		return Ref{}, err
	}
	if !ok {
		return Ref{}, fmt.Errorf("%q is not a reference; write source@path with a source of %s",
			s, strings.Join(Sources, ", "))
	}
	return ref, nil
}

// ParseDefault is Parse where a bare path without a source (traits.x) reads
// the given default source, as Tracardi accepts in some plugins' configs:
// ParseDefault("traits.x", "profile") is profile@traits.x.
func ParseDefault(s, source string) (Ref, error) {
	t := strings.TrimSpace(s)
	if source != "" && t != "" {
		if _, ok, _ := notation.ParseRef(t); !ok {
			return Parse(source + "@" + t)
		}
	}
	return Parse(t)
}

// MustRef is Parse that panics; for references written in code.
func MustRef(s string) Ref { return notation.MustRef(s) }

// CompileValue compiles a config string that is a reference or a literal.
// It fails only for a malformed reference.
func CompileValue(s string) (Value, error) { return notation.CompileValue(s) }

// Literal returns a Value that always resolves to v.
func Literal(v any) Value { return notation.LiteralValue(v) }

// CompileTemplate compiles a text template with {{ reference }} placeholders.
func CompileTemplate(src string) (*Template, error) { return notation.CompileTemplate(src) }

// DeepCopy copies a JSON-like value (maps, lists, scalars) so that the copy
// shares nothing with v.
func DeepCopy(v any) any { return notation.DeepCopy(v) }

// Merge deep-merges src into dst (objects merge key by key, anything else is
// replaced) and returns dst.
func Merge(dst, src map[string]any) map[string]any { return notation.Merge(dst, src) }

// ToFloat returns v as a float64 when it is a number of any Go numeric type.
func ToFloat(v any) (float64, bool) { return notation.ToFloat(v) }

// TypeName names v's JSON type for messages: "a string", "a number", "an
// object", "null", ...
func TypeName(v any) string { return notation.TypeName(v) }

// Stringify renders v as a template does: strings as they are, numbers in
// their shortest form, objects and lists as JSON, null as "".
func Stringify(v any) string { return notation.Stringify(v) }

// JoinLists returns a copy of fields in which every list value is flattened
// into text: its items stringified and joined with sep(key). Services that
// take one text per field (tags, multi-select values) want this.
func JoinLists(fields map[string]any, sep func(key string) string) map[string]any {
	out := make(map[string]any, len(fields))
	for k, x := range fields {
		if l, ok := x.([]any); ok {
			parts := make([]string, len(l))
			for i, e := range l {
				parts[i] = Stringify(e)
			}
			x = strings.Join(parts, sep(k))
		}
		out[k] = x
	}
	return out
}

// Cast converts a string the way a backtick value is cast: "true"/"false"
// to booleans, "null"/"none" to nil, decimal numbers to float64; other
// strings stay strings.
func Cast(s string) any { return notation.Cast(s) }

// At returns the value at a plain path (written as after the "@" of a
// reference, without a source) in v, a decoded JSON value or a Go value made
// of maps and slices: At(answer, "response.views.value"), At(list,
// "0.properties.total") or At(list, "[0].properties.total"). "" is v itself.
// It returns nil when the path leads nowhere (a missing key, an index out of
// range, a step into a scalar) and panics on a malformed path, which is a
// mistake in the calling code. Tests read answers with it instead of chained
// type assertions, which panic on the first missing step instead of failing
// with the value.
func At(v any, path string) any { return notation.At(v, path) }

// IsEmpty reports whether v is null, "", an empty list or an empty object.
func IsEmpty(v any) bool { return notation.IsEmpty(v) }
