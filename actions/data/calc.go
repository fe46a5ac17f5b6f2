package data

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tracflow/tracflow/plugin/dotpath"
)

// The calculator's language, as in Tracardi: one statement per line, each
// an expression or an assignment to a variable or a reference:
//
//	line   = [target "="] sum
//	sum    = product {("+" | "-") product}
//	product = unary {("*" | "/") unary}
//	unary  = "-" unary | number | reference | variable | "(" sum ")"
//
// A reference is source@path (payload, event, profile, session, flow,
// memory); a variable is a name of letters, digits, dots and underscores
// set by an earlier line. Numbers are decimal, with an optional exponent.
// Blank lines are skipped.

// Limits that bound what one program may cost.
const (
	calcMaxSource = 64 << 10 // bytes of program text
	calcMaxLines  = 1000
	calcMaxDepth  = 100 // nesting of parentheses and signs
)

// calcEnv is the state of one run of a program.
type calcEnv struct {
	scope *dotpath.Scope
	vars  map[string]float64
	// write stores a value at a reference (the plugin checks the run has
	// the target's object).
	write func(ref dotpath.Ref, v float64) error
}

type calcExpr func(e *calcEnv) (float64, error)

// calcLine is one compiled statement.
type calcLine struct {
	n      int // line number, from 1
	expr   calcExpr
	toVar  string      // assignment to a variable, or
	toRef  dotpath.Ref // assignment to a reference
	hasRef bool
}

// calcProgram is a compiled calculation.
type calcProgram struct{ lines []calcLine }

// calcError is a problem in a program's text or in its run, with its line.
type calcError struct {
	line int
	msg  string
}

func (e *calcError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

type calcToken struct {
	kind byte // 'n' number, 'r' reference, 'v' variable, or the operator itself
	text string
	num  float64
	ref  dotpath.Ref
	pos  int
}

func calcSources(name string) bool {
	switch name {
	case "payload", "event", "profile", "session", "flow", "memory":
		return true
	}
	return false
}

func isNameChar(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isPathChar(c byte) bool { return isNameChar(c) || c == '-' }

func calcLex(line string) ([]calcToken, error) {
	var toks []calcToken
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case strings.IndexByte("+-*/()=", c) >= 0:
			toks = append(toks, calcToken{kind: c, text: string(c), pos: i})
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9':
			j := i
			for j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == '.') {
				j++
			}
			if j < len(line) && (line[j] == 'e' || line[j] == 'E') {
				k := j + 1
				if k < len(line) && (line[k] == '+' || line[k] == '-') {
					k++
				}
				if k < len(line) && line[k] >= '0' && line[k] <= '9' {
					for k < len(line) && line[k] >= '0' && line[k] <= '9' {
						k++
					}
					j = k
				}
			}
			if j < len(line) && isNameChar(line[j]) {
				for j < len(line) && isNameChar(line[j]) {
					j++
				}
				return nil, fmt.Errorf("%q at column %d is neither a number nor a name (a name starts with a letter)", line[i:j], i+1)
			}
			f, err := strconv.ParseFloat(line[i:j], 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, fmt.Errorf("%q at column %d is not a number", line[i:j], i+1)
			}
			toks = append(toks, calcToken{kind: 'n', text: line[i:j], num: f, pos: i})
			i = j
		case isNameChar(c):
			j := i
			for j < len(line) && isNameChar(line[j]) {
				j++
			}
			if j < len(line) && line[j] == '@' && calcSources(line[i:j]) {
				k := j + 1
				for k < len(line) && isPathChar(line[k]) {
					k++
				}
				ref, err := dotpath.Parse(line[i:k])
				if err != nil {
					return nil, fmt.Errorf("%q at column %d: %w", line[i:k], i+1, err)
				}
				if ref.IsWhole() {
					return nil, fmt.Errorf("%q at column %d needs a path, e.g. %s@stats.visits", line[i:k], i+1, line[i:j])
				}
				toks = append(toks, calcToken{kind: 'r', text: line[i:k], ref: ref, pos: i})
				i = k
				continue
			}
			toks = append(toks, calcToken{kind: 'v', text: line[i:j], pos: i})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at column %d", c, i+1)
		}
	}
	return toks, nil
}

type calcParser struct {
	toks  []calcToken
	i     int
	depth int
	known map[string]bool // variables set by earlier lines
}

func (p *calcParser) peek() *calcToken {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *calcParser) where() string {
	if t := p.peek(); t != nil {
		return fmt.Sprintf("%q at column %d", t.text, t.pos+1)
	}
	return "the end of the line"
}

func (p *calcParser) sum() (calcExpr, error) {
	left, err := p.product()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t != nil && (t.kind == '+' || t.kind == '-'); t = p.peek() {
		p.i++
		right, err := p.product()
		if err != nil {
			return nil, err
		}
		left = calcBinary(t.kind, left, right, t.pos)
	}
	return left, nil
}

func (p *calcParser) product() (calcExpr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t != nil && (t.kind == '*' || t.kind == '/'); t = p.peek() {
		p.i++
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = calcBinary(t.kind, left, right, t.pos)
	}
	return left, nil
}

func calcBinary(op byte, l, r calcExpr, pos int) calcExpr {
	return func(e *calcEnv) (float64, error) {
		a, err := l(e)
		if err != nil {
			return 0, err
		}
		b, err := r(e)
		if err != nil {
			return 0, err
		}
		var v float64
		switch op {
		case '+':
			v = a + b
		case '-':
			v = a - b
		case '*':
			v = a * b
		default:
			if b == 0 {
				return 0, fmt.Errorf("division by zero at column %d", pos+1)
			}
			v = a / b
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, fmt.Errorf("the result at column %d is too large", pos+1)
		}
		return v, nil
	}
}

func (p *calcParser) unary() (calcExpr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > calcMaxDepth {
		return nil, fmt.Errorf("too deeply nested (more than %d levels)", calcMaxDepth)
	}
	t := p.peek()
	if t == nil {
		return nil, fmt.Errorf("a value is missing at the end of the line")
	}
	p.i++
	switch t.kind {
	case '-':
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(e *calcEnv) (float64, error) {
			v, err := x(e)
			return -v, err
		}, nil
	case 'n':
		n := t.num
		return func(*calcEnv) (float64, error) { return n, nil }, nil
	case 'r':
		ref, text := t.ref, t.text
		return func(e *calcEnv) (float64, error) { return calcRead(e.scope, ref, text) }, nil
	case 'v':
		name := t.text
		if !p.known[name] {
			return nil, fmt.Errorf("variable %s is not set by an earlier line", name)
		}
		return func(e *calcEnv) (float64, error) { return e.vars[name], nil }, nil
	case '(':
		x, err := p.sum()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c == nil || c.kind != ')' {
			return nil, fmt.Errorf("expected ) at %s", p.where())
		}
		p.i++
		return x, nil
	}
	p.i--
	return nil, fmt.Errorf("expected a number, a reference or a variable at %s", p.where())
}

// calcRead reads a number at a reference: numbers, booleans (1 and 0) and
// numeric text.
func calcRead(s *dotpath.Scope, ref dotpath.Ref, text string) (float64, error) {
	v, err := s.Get(ref)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", text, err)
	}
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("%s is text that is not a number: %q", text, x)
		}
		return f, nil
	}
	if f, ok := dotpath.ToFloat(v); ok && v != nil {
		return f, nil
	}
	return 0, fmt.Errorf("%s is not a number: it is %s", text, dotpath.TypeName(v))
}

// compileCalc parses a program.
func compileCalc(src string) (*calcProgram, error) {
	if len(src) > calcMaxSource {
		return nil, fmt.Errorf("the calculations are longer than %d bytes", calcMaxSource)
	}
	prog := &calcProgram{}
	known := map[string]bool{}
	for i, text := range strings.Split(src, "\n") {
		n := i + 1
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(prog.lines) == calcMaxLines {
			return nil, fmt.Errorf("more than %d calculations", calcMaxLines)
		}
		toks, err := calcLex(text)
		if err != nil {
			return nil, &calcError{n, err.Error()}
		}
		line := calcLine{n: n}
		if len(toks) >= 2 && toks[1].kind == '=' {
			switch toks[0].kind {
			case 'v':
				line.toVar = toks[0].text
			case 'r':
				if toks[0].ref.Source == dotpath.SourceFlow {
					return nil, &calcError{n, toks[0].text + " cannot be written: flow@ is read-only"}
				}
				line.toRef, line.hasRef = toks[0].ref, true
			default:
				return nil, &calcError{n, fmt.Sprintf("%q cannot be assigned to; assign to a variable or a reference", toks[0].text)}
			}
			toks = toks[2:]
		}
		p := &calcParser{toks: toks, known: known}
		expr, err := p.sum()
		if err != nil {
			return nil, &calcError{n, err.Error()}
		}
		if p.i < len(toks) {
			return nil, &calcError{n, "unexpected " + p.where()}
		}
		line.expr = expr
		if line.toVar != "" {
			known[line.toVar] = true
		}
		prog.lines = append(prog.lines, line)
	}
	if len(prog.lines) == 0 {
		return nil, fmt.Errorf("there are no calculations")
	}
	return prog, nil
}

// run evaluates every line and returns the last line's value and the
// variables.
func (p *calcProgram) run(e *calcEnv) (float64, error) {
	var last float64
	for _, l := range p.lines {
		v, err := l.expr(e)
		if err != nil {
			return 0, &calcError{l.n, err.Error()}
		}
		switch {
		case l.toVar != "":
			e.vars[l.toVar] = v
		case l.hasRef:
			if err := e.write(l.toRef, v); err != nil {
				return 0, &calcError{l.n, err.Error()}
			}
		}
		last = v
	}
	return last, nil
}
