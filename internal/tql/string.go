package tql

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// String returns the condition in canonical form: keywords in upper case,
// operators as ==, !=, <, <=, >, >=, strings in double quotes, and
// parentheses only where they are needed. Parse(c.String()) gives an
// equivalent condition.
func (c *Condition) String() string {
	if c == nil || c.root == nil {
		return ""
	}
	var b strings.Builder
	writeNode(&b, c.root)
	return b.String()
}

func writeNode(b *strings.Builder, n *node) {
	switch n.kind {
	case nOr, nAnd:
		sep := " AND "
		if n.kind == nOr {
			sep = " OR "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			// AND binds tighter than OR: an OR inside an AND needs parentheses.
			paren := n.kind == nAnd && k.kind == nOr || k.kind == n.kind
			writeMaybeParen(b, k, paren)
		}
	case nNot:
		b.WriteString("NOT ")
		k := n.kids[0]
		writeMaybeParen(b, k, k.kind == nOr || k.kind == nAnd)
	case nCmp:
		writeOperand(b, n.a)
		b.WriteByte(' ')
		b.WriteString(opText[n.op])
		b.WriteByte(' ')
		writeOperand(b, n.b)
	case nBetween:
		writeOperand(b, n.a)
		b.WriteString(" BETWEEN ")
		writeOperand(b, n.b)
		b.WriteString(" AND ")
		writeOperand(b, n.c)
	case nIsNull:
		writeOperand(b, n.a)
		if n.neg {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case nExists, nEmpty:
		writeOperand(b, n.a)
		if n.neg {
			b.WriteString(" NOT")
		}
		if n.kind == nExists {
			b.WriteString(" EXISTS")
		} else {
			b.WriteString(" EMPTY")
		}
	case nContains, nStarts, nEnds:
		writeOperand(b, n.a)
		b.WriteString(map[nodeKind]string{nContains: " CONTAINS ", nStarts: " STARTS WITH ", nEnds: " ENDS WITH "}[n.kind])
		writeOperand(b, n.b)
	}
}

func writeMaybeParen(b *strings.Builder, n *node, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	writeNode(b, n)
	if paren {
		b.WriteByte(')')
	}
}

func operandString(o *operand) string {
	var b strings.Builder
	writeOperand(&b, o)
	return b.String()
}

func writeOperand(b *strings.Builder, o *operand) {
	switch o.kind {
	case oField:
		b.WriteString(o.ref.String())
	case oLit:
		writeLiteral(b, o.lit)
	case oList:
		b.WriteByte('[')
		for i, v := range o.lit.([]any) {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, v)
		}
		b.WriteByte(']')
	case oCall:
		b.WriteString(fnSpecs[o.call.fn].name)
		b.WriteByte('(')
		for i, a := range o.call.args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeOperand(b, a)
		}
		b.WriteByte(')')
	}
}

func writeLiteral(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case time.Duration:
		b.WriteString(formatDuration(x))
	case string:
		writeQuoted(b, x)
	}
}

// writeQuoted writes s in double quotes so that the lexer reads back the
// same bytes: invalid UTF-8 as \xHH, control characters escaped.
func writeQuoted(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}
