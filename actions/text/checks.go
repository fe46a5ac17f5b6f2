package text

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// affix is the shared body of Starts with, Ends with and Contains string:
// a check of a string against a text, sending the payload on true or false.
type affix struct {
	plugin.ActionRunner
	spec        *plugin.ConfigSpec
	textField   string // config field holding the text to look for
	field       dotpath.Value
	text        string
	test        func(s, text string) bool
	missingIsNo bool // a missing field is false with a warning, not an error
}

func affixSpec(textField, textName, textDesc, group string) *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Group(group, "").
		Field(plugin.NewValueField("field").Name("Field").
			Description("The string to check: a reference such as event@properties.url, or the text itself.").
			Required().Component("dotPath", map[string]any{"label": "Payload field", "defaultSourceValue": "event"})).
		Field(plugin.NewStringField(textField).Name(textName).Description(textDesc).
			Required().Prop("label", textName))
}

var (
	startsWithSpec = affixSpec("prefix", "Prefix", "The text the string must start with.", "Starts with")
	endsWithSpec   = affixSpec("prefix", "Suffix", "The text the string must end with "+
		"(Tracardi names this field prefix).", "Ends with")
	containsSpec = affixSpec("substring", "Substring", "The text the string must contain.", "Contains string")
)

func (a *affix) setUp(config plugin.Config) error {
	c, err := a.spec.Parse(config)
	if err != nil {
		return err
	}
	a.field, a.text = c.Value("field"), c.String(a.textField)
	return nil
}

// Run sends the payload on true when the check holds, on false otherwise.
func (a *affix) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.field.Resolve(a.Scope(payload))
	if errors.Is(err, dotpath.ErrMissing) && a.missingIsNo {
		a.Console.Warning("Field %s does not exist.", a.field)
		return plugin.Port("false", payload), nil
	}
	if err != nil {
		return nil, fmt.Errorf("field: %w", err)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("field: %s is %s, not text", a.field, dotpath.TypeName(v))
	}
	if a.test(s, a.text) {
		return plugin.Port("true", payload), nil
	}
	return plugin.Port("false", payload), nil
}

// StartsWith checks that a string starts with a prefix.
type StartsWith struct{ affix }

// SetUp reads the field and the prefix.
func (a *StartsWith) SetUp(_ context.Context, config plugin.Config) error {
	a.spec, a.textField, a.test, a.missingIsNo = startsWithSpec, "prefix", strings.HasPrefix, true
	return a.setUp(config)
}

// EndsWith checks that a string ends with a suffix.
type EndsWith struct{ affix }

// SetUp reads the field and the suffix.
func (a *EndsWith) SetUp(_ context.Context, config plugin.Config) error {
	a.spec, a.textField, a.test, a.missingIsNo = endsWithSpec, "prefix", strings.HasSuffix, true
	return a.setUp(config)
}

// Contains checks that a string contains a substring.
type Contains struct{ affix }

// SetUp reads the field and the substring.
func (a *Contains) SetUp(_ context.Context, config plugin.Config) error {
	a.spec, a.textField, a.test = containsSpec, "substring", strings.Contains
	return a.setUp(config)
}

func branchDocs(what string) map[string]string {
	return map[string]string{
		"true":  "The input payload, when the string " + what + ".",
		"false": "The input payload, when it does not.",
	}
}

// RegisterStartsWith describes the Starts with plugin.
func RegisterStartsWith() plugin.Plugin {
	return def{
		id: "starts_with", alias: "starts_with_action", class: "StartsWithAction",
		outputs: []string{"true", "false"}, config: startsWithSpec,
		name: "Starts with", desc: "Checks whether a string starts with a prefix.", icon: "exists",
		tags: []string{"condition", "prefix"},
		tutorial: "Config: {\"field\": \"event@properties.url\", \"prefix\": \"https://\"}. A field that " +
			"does not exist takes the false branch with a warning; a value that is not text stops the " +
			"flow with an error.",
		outputDocs: branchDocs("starts with the prefix"),
		newAction:  func() plugin.Action { return &StartsWith{} },
	}.plugin()
}

// RegisterEndsWith describes the Ends with plugin.
func RegisterEndsWith() plugin.Plugin {
	return def{
		id: "ends_with", alias: "ends_with_action", class: "EndsWithAction",
		outputs: []string{"true", "false"}, config: endsWithSpec,
		name: "Ends with", desc: "Checks whether a string ends with a suffix.", icon: "exists",
		tags: []string{"condition", "suffix"},
		tutorial: "Config: {\"field\": \"event@properties.email\", \"prefix\": \"@example.com\"} (the " +
			"suffix is in the field named prefix, as in Tracardi). A field that does not exist takes " +
			"the false branch with a warning; a value that is not text stops the flow with an error.\n\n" +
			"Differences from Tracardi: a missing field takes the false branch with a warning, as " +
			"Starts with does; Tracardi stopped the flow.",
		outputDocs: branchDocs("ends with the suffix"),
		newAction:  func() plugin.Action { return &EndsWith{} },
	}.plugin()
}

// RegisterContains describes the Contains string plugin.
func RegisterContains() plugin.Plugin {
	return def{
		id: "contains", alias: "contains_string_action", class: "ContainsStringAction",
		outputs: []string{"true", "false"}, config: containsSpec,
		name: "Contains string", desc: "Checks whether a string contains a substring.", icon: "exists",
		tags: []string{"condition", "substring"},
		tutorial: "Config: {\"field\": \"event@properties.title\", \"substring\": \"sale\"}. The check " +
			"is case-sensitive. A field that is missing or does not hold text stops the flow with an error.",
		outputDocs: branchDocs("contains the substring"),
		newAction:  func() plugin.Action { return &Contains{} },
	}.plugin()
}

// The patterns Contains pattern knows, with Tracardi's definitions.
var patterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"email", regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}\b`)},
	{"ip", regexp.MustCompile(`(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})`)},
	{"url", regexp.MustCompile(`((http|https)://)(www.)?[a-zA-Z0-9@:%._\+~#?&//=]{2,256}\.[a-z]{2,6}\b([-a-zA-Z0-9@:%._\+~#?&//=]*)`)},
	{"date", regexp.MustCompile(`([0]?[1-9]|[1|2][0-9]|[3][0|1])[./-]([0]?[1-9]|[1][0-2])[./-]([0-9]{4}|[0-9]{2})`)},
}

// ContainsPattern checks a string for e-mails, URLs, IP addresses or dates.
type ContainsPattern struct {
	plugin.ActionRunner
	field   dotpath.Value
	pattern string
}

var containsPatternSpec = plugin.NewConfigSpec().
	Group("Contains pattern", "").
	Field(plugin.NewValueField("field").Name("Field").
		Description("The string to check: a reference such as event@properties.message, or the text itself.").
		Required().Component("dotPath", map[string]any{"label": "Path", "defaultSourceValue": "event"})).
	Field(plugin.NewEnumField("pattern",
		plugin.Option{Value: "all", Label: "all"}, plugin.Option{Value: "email", Label: "email"},
		plugin.Option{Value: "url", Label: "url"}, plugin.Option{Value: "ip", Label: "ip"},
		plugin.Option{Value: "date", Label: "date"}).
		Name("Pattern").
		Description("What to look for: all finds every e-mail, URL, IP address and date in the " +
			"string; the others check that the string starts with one.").
		Required())

// SetUp reads the field and the pattern.
func (a *ContainsPattern) SetUp(_ context.Context, config plugin.Config) error {
	c, err := containsPatternSpec.Parse(config)
	if err != nil {
		return err
	}
	a.field, a.pattern = c.Value("field"), c.String("pattern")
	return nil
}

// Run sends what was found on true, {"message": ...} on false.
func (a *ContainsPattern) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s, err := resolveText(a.Scope(payload), "field", a.field)
	if err != nil {
		return nil, err
	}
	found := plugin.Payload{}
	for _, p := range patterns {
		switch {
		case a.pattern == "all":
			if ms := p.re.FindAllString(s, -1); len(ms) > 0 {
				list := make([]any, len(ms))
				for i, m := range ms {
					list[i] = m
				}
				found[p.name] = list
			}
		case a.pattern == p.name:
			if loc := p.re.FindStringIndex(s); loc != nil && loc[0] == 0 {
				found[p.name] = []any{s}
			}
		}
	}
	if len(found) > 0 {
		return plugin.Port("true", found), nil
	}
	return plugin.Port("false", plugin.Payload{"message": "Didn't find any patterns"}), nil
}

// RegisterContainsPattern describes the Contains pattern plugin.
func RegisterContainsPattern() plugin.Plugin {
	return def{
		id: "contains_pattern", alias: "operations.contains_pattern.plugin", class: "ContainsPatternAction",
		outputs: []string{"true", "false"}, config: containsPatternSpec,
		name: "Contains pattern", desc: "Checks whether a string holds an e-mail, a URL, an IP address or a date.",
		icon: "exists", tags: []string{"condition", "pattern", "email", "url"},
		tutorial: "Config: {\"field\": \"event@properties.message\", \"pattern\": \"all\"}. With all, " +
			"every match of every kind is listed: {\"email\": [...], \"url\": [...]} (only the kinds " +
			"found). With one kind, the string must start with it, and the true port carries " +
			"{\"email\": [the whole string]}. Dates are day first: 31.12.2024, 1/2/24. A field that is " +
			"missing or does not hold text stops the flow with an error.",
		outputDocs: map[string]string{
			"true":  "The matches, by kind: {\"email\": [...], \"ip\": [...], \"url\": [...], \"date\": [...]}.",
			"false": "{\"message\": \"Didn't find any patterns\"} when nothing matched.",
		},
		newAction: func() plugin.Action { return &ContainsPattern{} },
	}.plugin()
}
