package regex

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// compilePython compiles a pattern written for Python's re module into Go's
// RE2. Named groups (?P<name>...) are kept (RE2 reads them); \Z becomes
// \z; {,n} becomes {0,n}; \uXXXX and \UXXXXXXXX become \x{...}; \d, \w and \s (and their negations outside
// character classes) match Unicode as Python's do. What RE2 cannot run,
// because it guarantees linear time, is refused with a message that says
// so: backreferences (\1, (?P=name)), lookahead and lookbehind ((?=...),
// (?!...), (?<=...), (?<!...)), atomic groups, possessive quantifiers and
// conditionals.
func compilePython(pattern string) (*regexp.Regexp, error) {
	expr, err := translate(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not a valid regular expression: %s: %s", se.Code, se.Expr)
		}
		return nil, fmt.Errorf("not a valid regular expression: %w", err)
	}
	return re, nil
}

// Unicode forms of Python's class escapes; in a class the bare list is
// used.
const (
	wordClass  = `\p{L}\p{N}_\p{Mn}\p{Pc}`
	spaceClass = `\s\v\x{1c}-\x{1f}\x{85}\p{Z}`
)

func translate(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			i++
			switch {
			case n >= '1' && n <= '9' && !inClass:
				return "", fmt.Errorf("backreference \\%c at offset %d is not supported: Go's regular expressions (RE2) run in linear time and cannot match backreferences", n, i-1)
			case n == 'Z':
				b.WriteString(`\z`)
			case (n == 'u' && hexRun(p[i+1:]) >= 4) || (n == 'U' && hexRun(p[i+1:]) >= 8):
				size := 4
				if n == 'U' {
					size = 8
				}
				b.WriteString(`\x{` + p[i+1:i+1+size] + `}`)
				i += size
			case n == 'd':
				b.WriteString(`\p{Nd}`)
			case n == 'D':
				b.WriteString(`\P{Nd}`)
			case n == 'w':
				if inClass {
					b.WriteString(wordClass)
				} else {
					b.WriteString("[" + wordClass + "]")
				}
			case n == 's':
				if inClass {
					b.WriteString(spaceClass)
				} else {
					b.WriteString("[" + spaceClass + "]")
				}
			case n == 'W' && !inClass:
				b.WriteString("[^" + wordClass + "]")
			case n == 'S' && !inClass:
				b.WriteString("[^" + spaceClass + "]")
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "P="):
				return "", fmt.Errorf("backreference %s at offset %d is not supported: Go's regular expressions (RE2) run in linear time and cannot match backreferences", groupText(p[i:]), i)
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
				return "", fmt.Errorf("lookahead %s at offset %d is not supported: Go's regular expressions (RE2) have no lookaround; match the text and check it in a later node", groupText(p[i:]), i)
			case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", fmt.Errorf("lookbehind %s at offset %d is not supported: Go's regular expressions (RE2) have no lookaround; match the text and check it in a later node", groupText(p[i:]), i)
			case strings.HasPrefix(rest, ">"):
				return "", fmt.Errorf("atomic group at offset %d is not supported by Go's regular expressions (RE2); use a plain group", i)
			case strings.HasPrefix(rest, "("):
				return "", fmt.Errorf("conditional group at offset %d is not supported by Go's regular expressions (RE2)", i)
			case strings.HasPrefix(rest, "#"):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return "", fmt.Errorf("unterminated comment at offset %d", i)
				}
				i += 2 + end
				continue
			}
			b.WriteByte(c)
		case c == '{' && strings.HasPrefix(p[i:], "{,"):
			end := strings.IndexByte(p[i:], '}')
			if end > 2 {
				if _, err := strconv.Atoi(p[i+2 : i+end]); err == nil {
					b.WriteString("{0,")
					i++
					continue
				}
			}
			b.WriteByte(c)
		case (c == '+' || c == '*' || c == '?' || c == '}') && i+1 < len(p) && p[i+1] == '+':
			return "", fmt.Errorf("possessive quantifier %c+ at offset %d is not supported by Go's regular expressions (RE2); drop the second +", c, i)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// hexRun counts the hexadecimal digits s starts with, up to 8.
func hexRun(s string) int {
	n := 0
	for n < len(s) && n < 8 && strings.IndexByte("0123456789abcdefABCDEF", s[n]) >= 0 {
		n++
	}
	return n
}

func groupText(s string) string {
	if end := strings.IndexByte(s, ')'); end >= 0 {
		return s[:end+1]
	}
	return s
}

// expandPython builds the replacement of one match from a template in
// Python's re.sub syntax: \1 or \g<1> (a group by number), \g<name> (by
// name), \\ (a backslash) and the escapes \n \t \r \f \v \a \b. A group that
// did not take part in the match is empty, as in Python 3.5 and later.
func expandPython(re *regexp.Regexp, tmpl, src string, m []int) (string, error) {
	if !strings.Contains(tmpl, `\`) {
		return tmpl, nil
	}
	var b strings.Builder
	group := func(n int) error {
		if n < 0 || 2*n+1 >= len(m) {
			return fmt.Errorf("invalid group reference %d in the replacement at", n)
		}
		if m[2*n] >= 0 {
			b.WriteString(src[m[2*n]:m[2*n+1]])
		}
		return nil
	}
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '\\' || i+1 == len(tmpl) {
			b.WriteByte(c)
			continue
		}
		i++
		n := tmpl[i]
		switch {
		case n >= '0' && n <= '9':
			j := i + 1
			if j < len(tmpl) && tmpl[j] >= '0' && tmpl[j] <= '9' {
				j++
			}
			num, _ := strconv.Atoi(tmpl[i:j])
			if err := group(num); err != nil {
				return "", fmt.Errorf("%w offset %d", err, i-1)
			}
			i = j - 1
		case n == 'g':
			end := strings.IndexByte(tmpl[i:], '>')
			if i+1 >= len(tmpl) || tmpl[i+1] != '<' || end < 0 {
				return "", fmt.Errorf("missing <group name> after \\g at offset %d of the replacement", i-1)
			}
			name := tmpl[i+2 : i+end]
			num, err := strconv.Atoi(name)
			if err != nil {
				num = re.SubexpIndex(name)
				if num < 0 {
					return "", fmt.Errorf("unknown group name %q in the replacement", name)
				}
			}
			if err := group(num); err != nil {
				return "", fmt.Errorf("%w offset %d", err, i-1)
			}
			i += end
		case n == '\\':
			b.WriteByte('\\')
		case n == 'n':
			b.WriteByte('\n')
		case n == 't':
			b.WriteByte('\t')
		case n == 'r':
			b.WriteByte('\r')
		case n == 'f':
			b.WriteByte('\f')
		case n == 'v':
			b.WriteByte('\v')
		case n == 'a':
			b.WriteByte('\a')
		case n == 'b':
			b.WriteByte('\b')
		case (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'):
			return "", fmt.Errorf("bad escape \\%c at offset %d of the replacement", n, i-1)
		default:
			b.WriteByte('\\')
			b.WriteByte(n)
		}
	}
	return b.String(), nil
}

// replaceAll is Python's re.sub(pattern, template, src).
func replaceAll(re *regexp.Regexp, tmpl, src string) (string, error) {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		b.WriteString(src[last:m[0]])
		r, err := expandPython(re, tmpl, src, m)
		if err != nil {
			return "", err
		}
		b.WriteString(r)
		last = m[1]
	}
	b.WriteString(src[last:])
	return b.String(), nil
}
