package tql

import (
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/internal/notation"
)

// Condition is a compiled condition. It is immutable and safe for concurrent
// use; compile it once and evaluate it for every event.
type Condition struct {
	root    *node
	fields  []notation.Ref
	usesNow bool
}

// Parse compiles a condition. Errors are *SyntaxError values giving the
// byte offset of the problem.
func Parse(src string) (*Condition, error) { return parse(src, "") }

// ParseDefault is Parse where a field may also be written as a bare path,
// without a source: it then reads the given source. With source "profile",
// traits.country == "PL" means profile@traits.country == "PL". Data searches
// use it, so that a search over profiles reads like the profile's own JSON
// (as Tracardi's search boxes do). Keywords (and, or, not, null, true, ...)
// and function names keep their meaning; a field named like a keyword needs
// its source: profile@empty.
func ParseDefault(src, source string) (*Condition, error) {
	if !notation.IsSource(source) {
		return nil, fmt.Errorf("tql: unknown default source %q", source)
	}
	return parse(src, source)
}

func parse(src, bare string) (*Condition, error) {
	toks, err := lex(src, bare)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, errAt(0, "empty condition; write a comparison such as event@type == \"page-view\"")
	}
	root, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, errAt(t.pos, `unexpected ")" without a matching "("`)
		}
		return nil, errAt(t.pos, "expected AND, OR or the end of the condition, found %s", t.describe())
	}
	c := &Condition{root: root, usesNow: p.usesNow}
	seen := map[string]bool{}
	walkOperands(root, func(o *operand) {
		if o.kind == oField {
			key := o.ref.String()
			if !seen[key] {
				seen[key] = true
				c.fields = append(c.fields, o.ref)
			}
		}
	})
	return c, nil
}

// MustParse is Parse that panics on error; for conditions fixed in code.
func MustParse(src string) *Condition {
	c, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return c
}

// Fields lists the fields the condition reads, in order of first use.
func (c *Condition) Fields() []notation.Ref {
	out := make([]notation.Ref, len(c.fields))
	copy(out, c.fields)
	return out
}

type parser struct {
	toks    []token
	i       int
	usesNow bool
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// isWord reports whether the next token is the keyword w (lower case).
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && t.str == w
}

var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "between": true, "is": true, "null": true, "exists": true,
	"empty": true, "contains": true, "starts": true, "ends": true, "with": true, "true": true, "false": true,
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 200

// expr := and (OR and)*
func (p *parser) expr(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errAt(p.peek().pos, "condition nested too deeply")
	}
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	if !p.isWord("or") {
		return first, nil
	}
	n := &node{kind: nOr}
	n.kids = appendFlat(n.kids, first, nOr)
	for p.isWord("or") {
		p.advance()
		k, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		n.kids = appendFlat(n.kids, k, nOr)
	}
	return n, nil
}

// and := unary (AND unary)*
func (p *parser) and(depth int) (*node, error) {
	first, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	if !p.isWord("and") {
		return first, nil
	}
	n := &node{kind: nAnd}
	n.kids = appendFlat(n.kids, first, nAnd)
	for p.isWord("and") {
		p.advance()
		k, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		n.kids = appendFlat(n.kids, k, nAnd)
	}
	return n, nil
}

// appendFlat merges a nested node of the same kind: a AND (b AND c) is
// a AND b AND c.
func appendFlat(kids []*node, k *node, kind nodeKind) []*node {
	if k.kind == kind {
		return append(kids, k.kids...)
	}
	return append(kids, k)
}

// unary := NOT unary | "(" expr ")" | cond
func (p *parser) unary(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errAt(p.peek().pos, "condition nested too deeply")
	}
	if p.isWord("not") {
		p.advance()
		k, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, kids: []*node{k}}, nil
	}
	if p.peek().kind == tLParen {
		open := p.advance()
		n, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if t := p.peek(); t.kind != tRParen {
			return nil, errAt(t.pos, `expected ")" to close the "(" at %d, found %s`, open.pos, t.describe())
		}
		p.advance()
		return n, nil
	}
	return p.cond()
}

// cond := operand OP operand | operand BETWEEN operand AND operand
//
//	| operand IS [NOT] NULL | field [NOT] EXISTS | operand [NOT] EMPTY
//	| operand CONTAINS operand | operand STARTS WITH operand | operand ENDS WITH operand
func (p *parser) cond() (*node, error) {
	leftTok := p.peek()
	where := "at the start of the condition"
	if p.i > 0 {
		where = fmt.Sprintf("after %q", p.toks[p.i-1].text)
	}
	a, err := p.operand(where, 0)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tOp {
		p.advance()
		b, err := p.operand(fmt.Sprintf("after %q", t.text), 0)
		if err != nil {
			return nil, err
		}
		return &node{kind: nCmp, op: t.op, a: a, b: b}, nil
	}
	if t.kind != tIdent {
		return nil, p.expectedOperator(leftTok, t)
	}
	switch t.str {
	case "between":
		p.advance()
		lo, err := p.operand(`after BETWEEN`, 0)
		if err != nil {
			return nil, err
		}
		if !p.isWord("and") {
			return nil, errAt(p.peek().pos, "expected AND in BETWEEN ... AND ..., found %s", p.peek().describe())
		}
		p.advance()
		hi, err := p.operand(`after BETWEEN ... AND`, 0)
		if err != nil {
			return nil, err
		}
		return &node{kind: nBetween, a: a, b: lo, c: hi}, nil
	case "is":
		p.advance()
		neg := false
		if p.isWord("not") {
			p.advance()
			neg = true
		}
		if !p.isWord("null") {
			return nil, errAt(p.peek().pos, "expected NULL after IS%s, found %s", map[bool]string{true: " NOT"}[neg], p.peek().describe())
		}
		p.advance()
		return &node{kind: nIsNull, neg: neg, a: a}, nil
	case "not":
		p.advance()
		switch {
		case p.isWord("exists"):
			return p.exists(leftTok, a, true)
		case p.isWord("empty"):
			p.advance()
			return &node{kind: nEmpty, neg: true, a: a}, nil
		}
		return nil, errAt(p.peek().pos, "expected EXISTS or EMPTY after NOT, found %s (to negate a condition, put NOT before it)", p.peek().describe())
	case "exists":
		return p.exists(leftTok, a, false)
	case "empty":
		p.advance()
		return &node{kind: nEmpty, a: a}, nil
	case "contains":
		p.advance()
		b, err := p.operand("after CONTAINS", 0)
		if err != nil {
			return nil, err
		}
		return &node{kind: nContains, a: a, b: b}, nil
	case "starts", "ends":
		p.advance()
		kw := strings.ToUpper(t.str)
		if !p.isWord("with") {
			return nil, errAt(p.peek().pos, "expected WITH after %s, found %s", kw, p.peek().describe())
		}
		p.advance()
		b, err := p.operand(fmt.Sprintf("after %s WITH", kw), 0)
		if err != nil {
			return nil, err
		}
		kind := nStarts
		if t.str == "ends" {
			kind = nEnds
		}
		return &node{kind: kind, a: a, b: b}, nil
	}
	return nil, p.expectedOperator(leftTok, t)
}

func (p *parser) expectedOperator(left, t token) error {
	return errAt(t.pos, "expected an operator after %s (==, !=, >, >=, <, <=, BETWEEN, IS NULL, EXISTS, EMPTY, CONTAINS, STARTS WITH, ENDS WITH), found %s", left.text, t.describe())
}

func (p *parser) exists(left token, a *operand, neg bool) (*node, error) {
	if a.kind != oField {
		return nil, errAt(left.pos, "EXISTS applies to a field such as profile@traits.email, not to %s", left.describe())
	}
	p.advance()
	return &node{kind: nExists, neg: neg, a: a}, nil
}

// operand := field | literal | list | function "(" [operand ("," operand)*] ")"
func (p *parser) operand(where string, depth int) (*operand, error) {
	if depth > maxDepth {
		return nil, errAt(p.peek().pos, "value nested too deeply")
	}
	t := p.peek()
	switch t.kind {
	case tField:
		p.advance()
		return &operand{kind: oField, ref: t.ref}, nil
	case tString:
		p.advance()
		return &operand{kind: oLit, lit: t.str}, nil
	case tNumber:
		p.advance()
		return &operand{kind: oLit, lit: t.num}, nil
	case tDuration:
		p.advance()
		return &operand{kind: oLit, lit: t.dur}, nil
	case tLBrack:
		return p.list(where)
	case tIdent:
		switch t.str {
		case "null":
			p.advance()
			return &operand{kind: oLit, lit: nil}, nil
		case "true", "false":
			p.advance()
			return &operand{kind: oLit, lit: t.str == "true"}, nil
		}
		if keywords[t.str] {
			break
		}
		if p.toks[p.i+1].kind == tLParen {
			return p.call(depth)
		}
		if src, rest, ok := strings.Cut(t.text, "."); ok && notation.IsSource(strings.ToLower(src)) && rest != "" {
			return nil, errAt(t.pos, "unknown word %q %s; did you mean the field %s@%s?", t.text, where, strings.ToLower(src), rest)
		}
		return nil, errAt(t.pos, "unknown word %q %s; quote text (%q), or write a field as source@path (e.g. profile@traits.%s)", t.text, where, t.text, t.text)
	}
	return nil, errAt(t.pos, "expected a value %s, found %s", where, t.describe())
}

// list := "[" [literal ("," literal)*] "]"
func (p *parser) list(where string) (*operand, error) {
	open := p.advance()
	items := []any{}
	if p.peek().kind == tRBrack {
		p.advance()
		return &operand{kind: oList, lit: items}, nil
	}
	for {
		t := p.peek()
		var v any
		switch {
		case t.kind == tString:
			v = t.str
		case t.kind == tNumber:
			v = t.num
		case t.kind == tDuration:
			v = t.dur
		case t.kind == tIdent && t.str == "null":
			v = nil
		case t.kind == tIdent && (t.str == "true" || t.str == "false"):
			v = t.str == "true"
		default:
			return nil, errAt(t.pos, "expected a value in the list that starts at %d (strings, numbers, true, false, null), found %s", open.pos, t.describe())
		}
		p.advance()
		items = append(items, v)
		t = p.peek()
		if t.kind == tRBrack {
			p.advance()
			return &operand{kind: oList, lit: items}, nil
		}
		if t.kind != tComma {
			return nil, errAt(t.pos, `expected "," or "]" in the list that starts at %d, found %s`, open.pos, t.describe())
		}
		p.advance()
	}
}

func (p *parser) call(depth int) (*operand, error) {
	name := p.advance()
	p.advance() // "("
	var args []*operand
	var argToks []token
	if p.peek().kind != tRParen {
		for {
			argToks = append(argToks, p.peek())
			a, err := p.operand(fmt.Sprintf("in %s()", name.str), depth+1)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			t := p.peek()
			if t.kind == tRParen {
				break
			}
			if t.kind != tComma {
				return nil, errAt(t.pos, `expected "," or ")" in %s(), found %s`, name.str, t.describe())
			}
			p.advance()
		}
	}
	p.advance() // ")"
	id, ok, msg := lookupFn(name.str, len(args))
	if !ok {
		return nil, errAt(name.pos, "%s", msg)
	}
	c := &call{fn: id, args: args}
	spec := &fnSpecs[id]
	if spec.usesNow {
		p.usesNow = true
	}
	if i := spec.tzArg; i >= 0 && args[i].kind != oField && args[i].kind != oCall {
		loc, err := toZone(args[i].lit)
		if err != nil {
			return nil, errAt(argToks[i].pos, "%s(): %v", spec.name, err)
		}
		c.loc = loc
	}
	if i := spec.offArg; i >= 0 && args[i].kind != oField && args[i].kind != oCall {
		off, err := toOffset(args[i].lit)
		if err != nil {
			return nil, errAt(argToks[i].pos, "%s(): %v", spec.name, err)
		}
		c.offset, c.hasOff = off, true
	}
	if id == fDatetime || id == fDatetimeOffset || id == fDatetimeTimezone {
		if a := args[0]; a.kind == oLit && a.lit != nil {
			if _, err := toTime(a.lit); err != nil {
				return nil, errAt(argToks[0].pos, "%s(): %v", spec.name, err)
			}
		}
	}
	return &operand{kind: oCall, call: c}, nil
}

// walkOperands calls f for every operand, including function arguments.
func walkOperands(n *node, f func(*operand)) {
	for _, k := range n.kids {
		walkOperands(k, f)
	}
	for _, o := range []*operand{n.a, n.b, n.c} {
		if o != nil {
			walkOperand(o, f)
		}
	}
}

func walkOperand(o *operand, f func(*operand)) {
	f(o)
	if o.kind == oCall {
		for _, a := range o.call.args {
			walkOperand(a, f)
		}
	}
}
