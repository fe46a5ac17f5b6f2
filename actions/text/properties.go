package text

import (
	"context"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Properties returns a string's case variants and character-class checks,
// as Python's str methods compute them.
type Properties struct {
	plugin.ActionRunner
	str dotpath.Value
}

var propertiesSpec = plugin.NewConfigSpec().
	Group("String settings", "").
	Field(plugin.NewValueField("string").Name("Path to string").
		Description("The string: a reference such as event@properties.name, or the text itself.").
		Required().Component("forceDotPath", nil))

// SetUp reads the string reference.
func (a *Properties) SetUp(_ context.Context, config plugin.Config) error {
	c, err := propertiesSpec.Parse(config)
	if err != nil {
		return err
	}
	a.str = c.Value("string")
	return nil
}

// Run sends the properties on payload.
func (a *Properties) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s, err := resolveText(a.Scope(payload), "string", a.str)
	if err != nil {
		return nil, err
	}
	return plugin.Port("payload", properties(s)), nil
}

var (
	upperCaser = cases.Upper(language.Und)
	lowerCaser = cases.Lower(language.Und)
	folder     = cases.Fold()
)

// properties computes the values of Python's str methods.
func properties(s string) plugin.Payload {
	return plugin.Payload{
		"capitalize":   capitalize(s),
		"casefold":     folder.String(s),
		"encode":       s,
		"isalnum":      nonEmptyAll(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }),
		"isalpha":      nonEmptyAll(s, unicode.IsLetter),
		"isascii":      all(s, func(r rune) bool { return r < 0x80 }),
		"isdecimal":    nonEmptyAll(s, func(r rune) bool { return unicode.Is(unicode.Nd, r) }),
		"isdigit":      nonEmptyAll(s, isDigit),
		"isidentifier": isIdentifier(s),
		"islower":      cased(s, unicode.IsLower, func(r rune) bool { return unicode.IsUpper(r) || unicode.IsTitle(r) }),
		"isnumeric":    nonEmptyAll(s, unicode.IsNumber),
		"isprintable":  all(s, unicode.IsPrint),
		"isspace":      nonEmptyAll(s, isPySpace),
		"istitle":      isTitle(s),
		"isupper":      cased(s, unicode.IsUpper, unicode.IsLower),
		"lower":        lowerCaser.String(s),
		"lstrip":       strings.TrimLeftFunc(s, isPySpace),
		"swapcase":     swapcase(s),
		"title":        title(s),
		"upper":        upperCaser.String(s),
	}
}

func all(s string, f func(rune) bool) bool {
	for _, r := range s {
		if !f(r) {
			return false
		}
	}
	return true
}

func nonEmptyAll(s string, f func(rune) bool) bool { return s != "" && all(s, f) }

// cased is Python's islower/isupper: at least one cased character, and none
// of the other case.
func cased(s string, want, other func(rune) bool) bool {
	found := false
	for _, r := range s {
		if other(r) {
			return false
		}
		if want(r) {
			found = true
		}
	}
	return found
}

func isCased(r rune) bool { return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) }

// isPySpace is Python's str.isspace for one character: Unicode white space
// and the ASCII information separators.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) || unicode.Is(unicode.Zs, r)
}

// isDigit is Python's str.isdigit for one character: decimal digits and the
// digits of other forms (superscripts, circled digits ...).
func isDigit(r rune) bool {
	if unicode.Is(unicode.Nd, r) {
		return true
	}
	switch {
	case r == 0xB2, r == 0xB3, r == 0xB9, r == 0x2070,
		r >= 0x2074 && r <= 0x2079, r >= 0x2080 && r <= 0x2089,
		r >= 0x2460 && r <= 0x2468, r >= 0x2474 && r <= 0x247C, r >= 0x2488 && r <= 0x2490,
		r == 0x24EA, r >= 0x24F5 && r <= 0x24FD, r == 0x24FF,
		r >= 0x2776 && r <= 0x277E, r >= 0x2780 && r <= 0x2788, r >= 0x278A && r <= 0x2792,
		r >= 0x1369 && r <= 0x1371:
		return true
	}
	return false
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		start := r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
		if i == 0 && !start {
			return false
		}
		if !start && !unicode.Is(unicode.Nd, r) && !unicode.Is(unicode.Mn, r) &&
			!unicode.Is(unicode.Mc, r) && !unicode.Is(unicode.Pc, r) {
			return false
		}
	}
	return true
}

// isTitle is Python's str.istitle: upper- and titlecase characters follow
// only uncased ones, lowercase ones only cased ones, and there is a cased
// character.
func isTitle(s string) bool {
	found, prevCased := false, false
	for _, r := range s {
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			if prevCased {
				return false
			}
			prevCased, found = true, true
		case unicode.IsLower(r):
			if !prevCased {
				return false
			}
			prevCased, found = true, true
		default:
			prevCased = false
		}
	}
	return found
}

// title is Python's str.title: a cased character after an uncased one is
// titlecased, the others lowercased.
func title(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteString(lowerCaser.String(string(r)))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = isCased(r)
	}
	return b.String()
}

// capitalize is Python's str.capitalize: the first character titlecased, the
// rest lowercased.
func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToTitle(r)) + lowerCaser.String(s[i+len(string(r)):])
	}
	return s
}

func swapcase(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			b.WriteString(lowerCaser.String(string(r)))
		case unicode.IsLower(r):
			b.WriteString(upperCaser.String(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RegisterProperties describes the String properties plugin.
func RegisterProperties() plugin.Plugin {
	return def{
		id: "properties", alias: "strings.string_operations.plugin", class: "StringPropertiesActions",
		outputs: []string{"payload"}, config: propertiesSpec,
		name: "String properties", desc: "Returns a string's case variants (lower, upper, title ...) and character checks (isdigit, isalpha ...).",
		icon: "uppercase", tags: []string{"lowercase", "uppercase", "case"},
		inputDoc: "Any object; the string may be read from it as payload@...",
		tutorial: "For \"Hello World\" the payload port carries {\"capitalize\": \"Hello world\", " +
			"\"casefold\": \"hello world\", \"encode\": \"Hello World\", \"isalnum\": false, \"isalpha\": " +
			"false, \"isascii\": true, \"isdecimal\": false, \"isdigit\": false, \"isidentifier\": false, " +
			"\"islower\": false, \"isnumeric\": false, \"isprintable\": true, \"isspace\": false, " +
			"\"istitle\": true, \"isupper\": false, \"lower\": \"hello world\", \"lstrip\": \"Hello World\", " +
			"\"swapcase\": \"hELLO wORLD\", \"title\": \"Hello World\", \"upper\": \"HELLO WORLD\"}: the " +
			"values of Python's string methods of those names, with Unicode case rules (\"straße\" upper " +
			"is \"STRASSE\"). A string that is missing or is not text stops the flow with an error.\n\n" +
			"Differences from Tracardi: encode is the string itself (Tracardi put Python bytes there, " +
			"which are not JSON).",
		outputDocs: map[string]string{"payload": "An object of the string's properties (see the example)."},
		newAction:  func() plugin.Action { return &Properties{} },
	}.plugin()
}
