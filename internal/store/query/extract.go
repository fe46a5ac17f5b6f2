package query

import (
	"encoding/json"
	"errors"
)

// Extractor finds the values at a set of paths in JSON text in one pass,
// without decoding anything it does not return. Backends whose database
// parses JSON slowly (SQLite here: its parser, translated to Go, costs more
// than this pass) read the document and extract in Go.
type Extractor struct {
	root *trie
}

type trie struct {
	kids map[string]*trie
	out  int // index of the path ending here, or -1
}

// NewExtractor prepares paths (non-empty, none inside another, as
// Plan.Extract holds them).
func NewExtractor(paths [][]string) *Extractor {
	root := &trie{out: -1}
	for i, p := range paths {
		n := root
		for _, seg := range p {
			if n.kids == nil {
				n.kids = map[string]*trie{}
			}
			k := n.kids[seg]
			if k == nil {
				k = &trie{out: -1}
				n.kids[seg] = k
			}
			n = k
		}
		n.out = i
	}
	return &Extractor{root: root}
}

var errBadJSON = errors.New("malformed JSON")

// Extract sets out[i] to the JSON text of the value at path i (a slice of
// doc), or nil when the document has no value there.
func (x *Extractor) Extract(doc []byte, out [][]byte) error {
	for i := range out {
		out[i] = nil
	}
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return errBadJSON
	}
	_, err := x.object(doc, i, x.root, out)
	return err
}

// object reads the object at doc[i] == '{', recording the values its trie
// node asks for, and returns the index after it.
func (x *Extractor) object(doc []byte, i int, n *trie, out [][]byte) (int, error) {
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(doc) || doc[i] != '"' {
			return 0, errBadJSON
		}
		kstart := i
		end, escaped, err := skipString(doc, i)
		if err != nil {
			return 0, err
		}
		var k *trie
		if n.kids != nil {
			if escaped {
				var key string
				if json.Unmarshal(doc[kstart:end], &key) != nil {
					return 0, errBadJSON
				}
				k = n.kids[key]
			} else {
				k = n.kids[string(doc[kstart+1:end-1])]
			}
		}
		i = skipSpace(doc, end)
		if i >= len(doc) || doc[i] != ':' {
			return 0, errBadJSON
		}
		i = skipSpace(doc, i+1)
		vstart := i
		if k != nil && k.kids != nil && i < len(doc) && doc[i] == '{' {
			i, err = x.object(doc, i, k, out)
		} else {
			i, err = skipValue(doc, i)
		}
		if err != nil {
			return 0, err
		}
		if k != nil && k.out >= 0 {
			out[k.out] = doc[vstart:i]
		}
		i = skipSpace(doc, i)
		if i >= len(doc) {
			return 0, errBadJSON
		}
		switch doc[i] {
		case ',':
			i = skipSpace(doc, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, errBadJSON
		}
	}
}

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\n' || doc[i] == '\t' || doc[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string at doc[i] == '"' and
// whether it holds escapes.
func skipString(doc []byte, i int) (int, bool, error) {
	escaped := false
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			return i + 1, escaped, nil
		}
	}
	return 0, false, errBadJSON
}

// skipValue returns the index after the value at doc[i].
func skipValue(doc []byte, i int) (int, error) {
	if i >= len(doc) {
		return 0, errBadJSON
	}
	switch doc[i] {
	case '"':
		end, _, err := skipString(doc, i)
		return end, err
	case '{', '[':
		depth := 0
		for ; i < len(doc); i++ {
			switch doc[i] {
			case '"':
				end, _, err := skipString(doc, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errBadJSON
	}
	// A number, true, false or null: up to the next delimiter.
	start := i
	for i < len(doc) {
		switch doc[i] {
		case ',', '}', ']', ' ', '\n', '\t', '\r':
			if i == start {
				return 0, errBadJSON
			}
			return i, nil
		}
		i++
	}
	if i == start {
		return 0, errBadJSON
	}
	return i, nil
}
