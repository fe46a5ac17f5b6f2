package tql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tracflow/tracflow/internal/notation"
)

// SyntaxError reports a condition that cannot be parsed. Pos is the byte
// offset in the source where the problem is.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("tql: at %d: %s", e.Pos, e.Msg) }

func errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tOp
	tString
	tNumber
	tDuration
	tIdent
	tField
)

type token struct {
	kind tokKind
	pos  int
	text string // the source text of the token
	str  string // decoded string; lower-cased identifier
	num  float64
	dur  time.Duration
	op   cmpOp
	ref  notation.Ref
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the condition"
	case tString:
		return "the string " + t.text
	case tNumber:
		return "the number " + t.text
	case tDuration:
		return "the duration " + t.text
	case tField:
		return t.text
	}
	return strconv.Quote(t.text)
}

type lexer struct {
	src  string
	pos  int
	toks []token
	// bare, when set, is the source of fields written without one.
	bare string
}

func lex(src, bare string) ([]token, error) {
	l := &lexer{src: src, toks: make([]token, 0, 8), bare: bare}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, t)
		if t.kind == tEOF {
			return l.toks, nil
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func isIdentChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '.' }

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	one := func(k tokKind) (token, error) {
		l.pos++
		return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
	}
	switch {
	case c == '(':
		return one(tLParen)
	case c == ')':
		return one(tRParen)
	case c == '[':
		return one(tLBrack)
	case c == ']':
		return one(tRBrack)
	case c == ',':
		return one(tComma)
	case c == '=' || c == '!' || c == '<' || c == '>':
		return l.operator()
	case c == '"' || c == '\'':
		return l.string()
	case isDigit(c) || c == '.' || c == '-' || c == '+':
		return l.number()
	case isLetter(c):
		return l.word()
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, errAt(start, "unexpected character %q", r)
}

func (l *lexer) operator() (token, error) {
	start := l.pos
	c := l.src[l.pos]
	var n byte
	if l.pos+1 < len(l.src) {
		n = l.src[l.pos+1]
	}
	var op cmpOp
	width := 1
	switch c {
	case '=':
		switch n {
		case '=':
			op, width = opEq, 2
		case '<':
			op, width = opLe, 2
		case '>':
			op, width = opGe, 2
		default:
			op = opEq
		}
	case '!':
		if n != '=' {
			return token{}, errAt(start, `unexpected "!"; did you mean "!="? (use NOT to negate a condition)`)
		}
		op, width = opNe, 2
	case '<':
		if n == '=' {
			op, width = opLe, 2
		} else {
			op = opLt
		}
	case '>':
		if n == '=' {
			op, width = opGe, 2
		} else {
			op = opGt
		}
	}
	l.pos += width
	return token{kind: tOp, pos: start, text: l.src[start:l.pos], op: op}, nil
}

// string reads a double- or single-quoted string. Escapes: \\ \" \' \/ \n
// \t \r \b \f \uXXXX and \xHH (a raw byte).
func (l *lexer) string() (token, error) {
	start := l.pos
	quote := l.src[l.pos]
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return token{}, errAt(start, "unclosed string; add the closing %c", quote)
		}
		c := l.src[l.pos]
		if c == quote {
			l.pos++
			return token{kind: tString, pos: start, text: l.src[start:l.pos], str: b.String()}, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			l.pos++
			continue
		}
		if l.pos+1 >= len(l.src) {
			return token{}, errAt(start, "unclosed string; add the closing %c", quote)
		}
		e := l.src[l.pos+1]
		l.pos += 2
		switch e {
		case '\\', '"', '\'', '/':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'x':
			v, ok := hexValue(l.src, l.pos, 2)
			if !ok {
				return token{}, errAt(l.pos-2, `bad escape: \x needs two hex digits`)
			}
			b.WriteByte(byte(v))
			l.pos += 2
		case 'u':
			v, ok := hexValue(l.src, l.pos, 4)
			if !ok {
				return token{}, errAt(l.pos-2, `bad escape: \u needs four hex digits`)
			}
			l.pos += 4
			r := rune(v)
			if r >= 0xD800 && r < 0xDC00 && l.pos+6 <= len(l.src) && l.src[l.pos] == '\\' && l.src[l.pos+1] == 'u' {
				if lo, ok := hexValue(l.src, l.pos+2, 4); ok && lo >= 0xDC00 && lo < 0xE000 {
					r = (r-0xD800)<<10 + (rune(lo) - 0xDC00) + 0x10000
					l.pos += 6
				}
			}
			b.WriteRune(r)
		default:
			return token{}, errAt(l.pos-2, `unknown escape "\%c" in string`, e)
		}
	}
}

func hexValue(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// number reads a number (-1, 2.5, .5, 1e3) or a duration (5m, -1d, 1h30m).
func (l *lexer) number() (token, error) {
	start := l.pos
	i := l.pos
	if l.src[i] == '-' || l.src[i] == '+' {
		i++
	}
	digits := 0
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
		digits++
	}
	if i < len(l.src) && l.src[i] == '.' {
		i++
		for i < len(l.src) && isDigit(l.src[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return token{}, errAt(start, "unexpected %q; expected a number", l.src[start:min(i+1, len(l.src))])
	}
	// A unit letter right after the number makes a duration.
	if i < len(l.src) && isLetter(l.src[i]) && l.src[i] != 'e' && l.src[i] != 'E' {
		return l.duration(start, i)
	}
	if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') {
		j := i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && isDigit(l.src[j]) {
			for j < len(l.src) && isDigit(l.src[j]) {
				j++
			}
			i = j
		}
	}
	if i < len(l.src) && (isIdentChar(l.src[i]) || l.src[i] == '@') {
		j := i
		for j < len(l.src) && (isIdentChar(l.src[j]) || l.src[j] == '@') {
			j++
		}
		return token{}, errAt(start, "bad number %q; durations are written like 5m, 10s, 1h, 2d", l.src[start:j])
	}
	text := l.src[start:i]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return token{}, errAt(start, "number %s is out of range", text)
	}
	l.pos = i
	return token{kind: tNumber, pos: start, text: text, num: f}, nil
}

func (l *lexer) duration(start, i int) (token, error) {
	for i < len(l.src) && (isLetter(l.src[i]) || isDigit(l.src[i]) || l.src[i] == '.') {
		i++
	}
	text := l.src[start:i]
	d, err := parseDuration(text)
	if err != nil {
		return token{}, errAt(start, "%v", err)
	}
	l.pos = i
	return token{kind: tDuration, pos: start, text: text, dur: d}, nil
}

// word reads a keyword, a function name or a field reference.
func (l *lexer) word() (token, error) {
	start := l.pos
	i := l.pos
	for i < len(l.src) && isIdentChar(l.src[i]) {
		i++
	}
	name := l.src[start:i]
	if i < len(l.src) && l.src[i] == '@' {
		src := strings.ToLower(name)
		if !notation.IsSource(src) {
			return token{}, errAt(start, "unknown source %q in %q; a field starts with one of %s",
				name, l.src[start:min(i+1, len(l.src))], strings.Join(notation.Sources, "@, ")+"@")
		}
		return l.field(start, i+1, src)
	}
	if l.bare != "" && !keywords[strings.ToLower(name)] && !l.callAt(i) {
		return l.field(start, start, l.bare)
	}
	l.pos = i
	return token{kind: tIdent, pos: start, text: name, str: strings.ToLower(name)}, nil
}

// callAt reports whether a "(" follows position i (after white space): the
// word before it is a function name, not a field.
func (l *lexer) callAt(i int) bool {
	for i < len(l.src) && isSpace(l.src[i]) {
		i++
	}
	return i < len(l.src) && l.src[i] == '('
}

// field reads the path of a reference; the path ends at white space or at
// one of ( ) , = ! < > ] and may hold bracketed keys: a["b c"][0].
func (l *lexer) field(start, i int, src string) (token, error) {
	pathStart := i
	for i < len(l.src) {
		c := l.src[i]
		if isSpace(c) || c == '(' || c == ')' || c == ',' || c == '=' || c == '!' || c == '<' || c == '>' || c == ']' || c == '\'' || c == '"' {
			break
		}
		if c == '[' {
			i++
			if i < len(l.src) && l.src[i] == '"' {
				i++
				for i < len(l.src) && l.src[i] != '"' {
					if l.src[i] == '\\' {
						i++
					}
					i++
				}
				i++
			}
			for i < len(l.src) && l.src[i] != ']' && !isSpace(l.src[i]) {
				i++
			}
			if i < len(l.src) && l.src[i] == ']' {
				i++
			}
			continue
		}
		i++
	}
	if i > len(l.src) {
		i = len(l.src)
	}
	text := l.src[start:i]
	ref, ok, err := notation.ParseRef(src + "@" + l.src[pathStart:i])
	if err != nil || !ok {
		return token{}, errAt(start, "%v", err)
	}
	l.pos = i
	return token{kind: tField, pos: start, text: text, ref: ref}, nil
}
