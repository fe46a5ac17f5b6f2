package notation

import (
	"fmt"
	"strconv"
	"strings"
)

// SyntaxError reports a malformed template with the byte offset where the
// problem starts.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("notation: template: at %d: %s", e.Offset, e.Msg)
}

// Template is a compiled text template: text with {{ source@path }}
// placeholders. It is immutable and safe for concurrent use.
type Template struct {
	parts   []part
	litLen  int
	refs    []Ref
	hasRefs bool
}

type part struct {
	text  string
	ref   Ref
	isRef bool
}

// CompileTemplate compiles text holding {{ reference }} placeholders, for
// example "Hello {{ profile@data.pii.firstname }}". Spaces inside the braces
// are ignored. It fails, giving the byte offset, on an unclosed "{{" and on a
// placeholder that is not a valid reference. A "}}" without an opening "{{"
// is plain text.
func CompileTemplate(src string) (*Template, error) {
	t := &Template{}
	i := 0
	for i < len(src) {
		open := strings.Index(src[i:], "{{")
		if open < 0 {
			t.addText(src[i:])
			break
		}
		open += i
		if open > i {
			t.addText(src[i:open])
		}
		end, ok := placeholderEnd(src, open+2)
		if !ok {
			return nil, &SyntaxError{Offset: open, Msg: `unclosed "{{" (a placeholder ends with "}}")`}
		}
		inner := strings.TrimSpace(src[open+2 : end])
		ref, isRef, err := ParseRef(inner)
		switch {
		case inner == "":
			return nil, &SyntaxError{Offset: open, Msg: `empty placeholder "{{}}"; put a reference inside, e.g. {{ profile@traits.name }}`}
		case err != nil:
			return nil, &SyntaxError{Offset: open, Msg: err.Error()}
		case !isRef:
			return nil, &SyntaxError{Offset: open, Msg: fmt.Sprintf("%q is not a reference; expected source@path with a source of %s", inner, strings.Join(Sources, ", "))}
		}
		t.parts = append(t.parts, part{ref: ref, isRef: true})
		t.refs = append(t.refs, ref)
		i = end + 2
	}
	t.hasRefs = len(t.refs) > 0
	return t, nil
}

// MustTemplate is CompileTemplate that panics on error.
func MustTemplate(src string) *Template {
	t, err := CompileTemplate(src)
	if err != nil {
		panic(err)
	}
	return t
}

func (t *Template) addText(s string) {
	t.parts = append(t.parts, part{text: s})
	t.litLen += len(s)
}

// placeholderEnd finds the "}}" closing a placeholder whose content starts
// at i, skipping quoted path segments (["..."]) that may hold braces.
func placeholderEnd(src string, i int) (int, bool) {
	for i < len(src) {
		c := src[i]
		if c == '"' && i > 0 && src[i-1] == '[' {
			i++
			for i < len(src) && src[i] != '"' {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
			continue
		}
		if c == '}' && i+1 < len(src) && src[i+1] == '}' {
			return i, true
		}
		i++
	}
	return 0, false
}

// References lists the references the template reads, in order.
func (t *Template) References() []Ref {
	out := make([]Ref, len(t.refs))
	copy(out, t.refs)
	return out
}

// HasReferences reports whether the template holds any placeholder; a
// template without one renders to its text.
func (t *Template) HasReferences() bool { return t.hasRefs }

// Render fills the placeholders: strings as they are, numbers in shortest
// form (3, 1.5), booleans as true/false, objects and lists as compact JSON,
// null and missing values as the empty string.
func (t *Template) Render(s *Scope) string {
	if !t.hasRefs {
		if len(t.parts) == 0 {
			return ""
		}
		return t.parts[0].text
	}
	var b strings.Builder
	b.Grow(t.litLen + 16*len(t.refs))
	for i := range t.parts {
		p := &t.parts[i]
		if !p.isRef {
			b.WriteString(p.text)
			continue
		}
		v, ok := s.Lookup(p.ref)
		if !ok {
			continue
		}
		writeValue(&b, v)
	}
	return b.String()
}

// RenderStrict is Render that fails when a placeholder's reference does not
// reach a value (Tracardi's templates raise on a missing key): the error
// wraps ErrMissing and names the reference. A stored null still renders as
// nothing.
func (t *Template) RenderStrict(s *Scope) (string, error) {
	for i := range t.parts {
		if p := &t.parts[i]; p.isRef {
			if _, ok := s.Lookup(p.ref); !ok {
				_, err := s.Get(p.ref)
				if err == nil {
					err = fmt.Errorf("%s: %w", p.ref, ErrMissing)
				}
				return "", err
			}
		}
	}
	return t.Render(s), nil
}

// writeValue writes the text form of v, avoiding temporary strings for the
// common scalar types.
func writeValue(b *strings.Builder, v any) {
	var scratch [32]byte
	switch x := v.(type) {
	case nil:
	case string:
		b.WriteString(x)
	case float64:
		b.Write(appendFloat(scratch[:0], x))
	case bool:
		b.Write(strconv.AppendBool(scratch[:0], x))
	case int:
		b.Write(strconv.AppendInt(scratch[:0], int64(x), 10))
	default:
		b.Write(appendValue(scratch[:0], v))
	}
}

// String returns the template source in canonical form.
func (t *Template) String() string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.isRef {
			b.WriteString("{{ ")
			b.WriteString(p.ref.String())
			b.WriteString(" }}")
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}
