package notation

import (
	"fmt"
	"strings"
)

// Source names a top-level object a reference can reach.
const (
	SourcePayload = "payload"
	SourceProfile = "profile"
	SourceSession = "session"
	SourceEvent   = "event"
	SourceFlow    = "flow"
	SourceMemory  = "memory"
)

// Sources lists the known reference sources in a stable order.
var Sources = []string{SourcePayload, SourceProfile, SourceSession, SourceEvent, SourceFlow, SourceMemory}

// IsSource reports whether name is a known reference source.
func IsSource(name string) bool {
	switch name {
	case SourcePayload, SourceProfile, SourceSession, SourceEvent, SourceFlow, SourceMemory:
		return true
	}
	return false
}

// Ref is a parsed reference "source@path". Parse once, use many times.
// An empty Path means the whole source object.
type Ref struct {
	Source string
	Path   []string
}

// IsWhole reports whether the reference means the whole source object.
func (r Ref) IsWhole() bool { return len(r.Path) == 0 }

// String returns the canonical text of the reference. ParseRef(r.String())
// gives back an equal Ref. The whole object is written "source@...".
// Segments that hold a dot, a bracket, a quote, white space or a character
// that ends a reference inside a condition or a template are written in
// bracket form: profile@traits["first name"].
func (r Ref) String() string {
	var b strings.Builder
	b.Grow(len(r.Source) + 1 + 8*len(r.Path))
	b.WriteString(r.Source)
	b.WriteByte('@')
	if len(r.Path) == 0 {
		b.WriteString("...")
		return b.String()
	}
	for i, seg := range r.Path {
		if plainSegment(seg) {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
			continue
		}
		b.WriteString(`["`)
		for j := 0; j < len(seg); j++ {
			c := seg[j]
			if c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteString(`"]`)
	}
	return b.String()
}

// plainSegment reports whether seg can be written without brackets and still
// be read back the same way by ParseRef, by the condition language and by
// text templates.
func plainSegment(seg string) bool {
	if seg == "" {
		return false
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c <= ' ' || c == 0x7f {
			return false
		}
		switch c {
		case '.', '[', ']', '"', '\'', '\\', '(', ')', '=', '!', '<', '>', ',', '{', '}', '`':
			return false
		}
		if c >= 0x80 {
			// Keep non-ASCII text plain only when it is valid UTF-8 without
			// spaces; anything else is quoted to survive a round trip.
			return plainUnicode(seg)
		}
	}
	return true
}

func plainUnicode(seg string) bool {
	for _, r := range seg {
		if r == 0xFFFD || r == 0x85 || r == 0xA0 || r == 0x2028 || r == 0x2029 || r == 0x3000 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x202F || r == 0x205F || r == 0xFEFF {
			return false
		}
		if r < 0x80 {
			if r <= ' ' || r == 0x7f || strings.ContainsRune(".[]\"'\\()=!<>,{}`", r) {
				return false
			}
		}
	}
	return true
}

// ParseRef parses a reference such as "profile@traits.a.b".
//
// ok is false (and ref is zero) when s does not start with a known source
// followed by "@": s is then a literal. err is non-nil when s has a known
// source prefix but the path is malformed, for example "profile@a..b".
//
// "profile@", "profile@." and "profile@..." all mean the whole object.
// Segments are separated by dots; a segment holding dots or other special
// characters is written in brackets and double quotes: profile@traits["a.b"],
// with \" and \\ as escapes. A bracketed number, items[0], is the same as
// items.0. Numeric segments index arrays when the value at that point is an
// array, and are ordinary keys in objects.
func ParseRef(s string) (ref Ref, ok bool, err error) {
	at := strings.IndexByte(s, '@')
	if at <= 0 || !IsSource(s[:at]) {
		return Ref{}, false, nil
	}
	src := s[:at]
	rest := s[at+1:]
	if rest == "" || rest == "." || rest == "..." {
		return Ref{Source: src}, true, nil
	}
	path, err := parsePath(rest)
	if err != nil {
		return Ref{}, true, fmt.Errorf("invalid reference %q: %w", s, err)
	}
	return Ref{Source: src, Path: path}, true, nil
}

// parsePath splits the part after "@" into segments.
func parsePath(p string) ([]string, error) {
	n := 1 + strings.Count(p, ".")
	path := make([]string, 0, n)
	i := 0
	for {
		// At the start of a segment.
		if i < len(p) && p[i] == '[' {
			seg, next, err := parseBracket(p, i)
			if err != nil {
				return nil, err
			}
			path = append(path, seg)
			i = next
		} else {
			start := i
			for i < len(p) && p[i] != '.' && p[i] != '[' && p[i] != ']' {
				i++
			}
			if i < len(p) && p[i] == ']' {
				return nil, fmt.Errorf("unexpected \"]\" at offset %d", i)
			}
			if i == start {
				return nil, fmt.Errorf("empty path segment at offset %d", start)
			}
			path = append(path, p[start:i])
		}
		// After a segment: end, ".", or "[".
		for i < len(p) && p[i] == '[' {
			seg, next, err := parseBracket(p, i)
			if err != nil {
				return nil, err
			}
			path = append(path, seg)
			i = next
		}
		if i == len(p) {
			return path, nil
		}
		if p[i] != '.' {
			return nil, fmt.Errorf("expected \".\" or \"[\" at offset %d, found %q", i, p[i])
		}
		i++
		if i == len(p) {
			return nil, fmt.Errorf("path ends with \".\"")
		}
	}
}

// parseBracket reads ["key"] or [digits] starting at p[i] == '['.
func parseBracket(p string, i int) (seg string, next int, err error) {
	start := i
	i++
	if i < len(p) && p[i] == '"' {
		i++
		var b []byte
		for {
			if i >= len(p) {
				return "", 0, fmt.Errorf("unclosed quoted segment at offset %d", start)
			}
			c := p[i]
			if c == '\\' {
				if i+1 >= len(p) || (p[i+1] != '"' && p[i+1] != '\\') {
					return "", 0, fmt.Errorf("bad escape in quoted segment at offset %d (only \\\" and \\\\)", i)
				}
				b = append(b, p[i+1])
				i += 2
				continue
			}
			if c == '"' {
				i++
				break
			}
			b = append(b, c)
			i++
		}
		if i >= len(p) || p[i] != ']' {
			return "", 0, fmt.Errorf("expected \"]\" at offset %d", i)
		}
		return string(b), i + 1, nil
	}
	ds := i
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	if i == ds || i >= len(p) || p[i] != ']' {
		return "", 0, fmt.Errorf("bracket at offset %d must hold a quoted key or an index: [\"key\"] or [0]", start)
	}
	return p[ds:i], i + 1, nil
}

// MustRef is ParseRef for references known to be valid; it panics otherwise.
func MustRef(s string) Ref {
	r, ok, err := ParseRef(s)
	if err != nil {
		panic(err)
	}
	if !ok {
		panic(fmt.Sprintf("notation: %q is not a reference (expected source@path)", s))
	}
	return r
}

// index parses an array index segment without allocating.
func index(seg string) (int, bool) {
	if seg == "" || len(seg) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
