// Package regex holds the palette group "Regex": match, validate and
// replace with regular expressions written in Python's syntax, as
// Tracardi's flows hold them, run by Go's RE2 engine.
package regex

import (
	"context"
	"fmt"
	"regexp"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

// syntaxDoc tells what patterns are accepted; every plugin's docs carry it.
const syntaxDoc = "Patterns use Python's syntax, as in Tracardi, and run on Go's RE2 engine, which " +
	"takes time linear in the text: named groups `(?P<name>...)`, classes, anchors, repetition, " +
	"alternation and the flags `(?i)` `(?m)` `(?s)` work, and `\\d`, `\\w` and `\\s` match Unicode as " +
	"in Python. RE2 cannot run backreferences (`\\1`, `(?P=name)`), lookahead and lookbehind " +
	"(`(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`), atomic groups, possessive quantifiers or " +
	"conditionals: a pattern with one is refused when the flow is saved, with a message naming the " +
	"field. `\\b` is a boundary of ASCII words."

// patternField declares a field holding a Python-syntax regular expression,
// compiled once at set-up.
func patternField(id, name, desc string) *plugin.FieldSpec {
	return plugin.NewStringField(id).Name(name).Description(desc).Required().
		Prop("label", "Pattern").
		Check(func(v any) error {
			_, err := compilePython(v.(string))
			return err
		})
}

func valueField(id, name, desc string) *plugin.FieldSpec {
	return plugin.NewValueField(id).Name(name).Description(desc).Required().
		Component("dotPath", map[string]any{"label": name, "defaultSourceValue": "event"})
}

func resolveText(s *dotpath.Scope, field string, v dotpath.Value) (string, error) {
	x, err := v.Resolve(s)
	if err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	str, ok := x.(string)
	if !ok {
		return "", fmt.Errorf("%s: %s is %s, not text", field, v, dotpath.TypeName(x))
	}
	return str, nil
}

func register(id, alias, class string, outputs []string, config *plugin.ConfigSpec, md plugin.MetaData, outDocs map[string]string, newAction func() plugin.Action) plugin.Plugin {
	outs := map[string]plugin.PortDoc{}
	for p, d := range outDocs {
		outs[p] = plugin.PortDoc{Desc: d}
	}
	md.Type = "flowNode"
	md.Icon = "regex"
	md.Purpose = []string{"collection", "segmentation"}
	md.Documentation.Inputs = map[string]plugin.PortDoc{"payload": {Desc: "Any object; the text may be read from it as payload@..."}}
	md.Documentation.Outputs = outs
	return plugin.Plugin{
		New: newAction,
		Spec: plugin.Spec{
			Module: "tracflow.regex." + id, Aliases: []string{tracardi + alias}, ClassName: class,
			Inputs: []string{"payload"}, Outputs: outputs, Config: config,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: md,
	}
}

// Match lists every match of a pattern in a text.
type Match struct {
	plugin.ActionRunner
	re     *regexp.Regexp
	text   dotpath.Value
	prefix string
}

var matchSpec = plugin.NewConfigSpec().
	Field(patternField("pattern", "Regex pattern", "The regular expression to find in the text "+
		"(Python syntax), e.g. (\\d+)-(\\d+).").Initial("<pattern>")).
	Field(valueField("text", "Path to text", "The text to search: a reference such as "+
		"event@properties.message, or the text itself.").Initial("<text or path to text>")).
	Field(plugin.NewStringField("group_prefix").Name("Group prefix").
		Description("The start of each key of the result: Group gives Group-0, Group-1 ...").
		Default("Group").Prop("label", "Group prefix"))

// SetUp compiles the pattern.
func (a *Match) SetUp(_ context.Context, config plugin.Config) error {
	c, err := matchSpec.Parse(config)
	if err != nil {
		return err
	}
	a.re, _ = compilePython(c.String("pattern"))
	a.text, a.prefix = c.Value("text"), c.String("group_prefix")
	return nil
}

// Run sends {"<prefix>-<n>": match} on payload, one key per match.
func (a *Match) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	text, err := resolveText(a.Scope(payload), "text", a.text)
	if err != nil {
		return nil, err
	}
	out := plugin.Payload{}
	groups := a.re.NumSubexp()
	for i, m := range a.re.FindAllStringSubmatch(text, -1) {
		var v any
		switch groups {
		case 0:
			v = m[0]
		case 1:
			v = m[1]
		default:
			list := make([]any, groups)
			for g := range list {
				list[g] = m[g+1]
			}
			v = list
		}
		out[fmt.Sprintf("%s-%d", a.prefix, i)] = v
	}
	if len(out) == 0 {
		a.Console.Warning("Regex couldn't find anything matching the pattern from supplied string.")
	}
	return plugin.Port("payload", out), nil
}

// RegisterMatch describes the Regex match plugin.
func RegisterMatch() plugin.Plugin {
	return register("match", "strings.regex_match.plugin", "RegexMatchAction", []string{"payload"}, matchSpec,
		plugin.MetaData{
			Name: "Regex match", Desc: "Finds every match of a regular expression in a text.",
			Group: []string{"Regex"}, Tags: []string{"regex", "match"},
			Documentation: &plugin.Documentation{Tutorial: "Config: `{\"pattern\": \"(\\\\w+)@(\\\\w+)\", " +
				"\"text\": \"event@properties.message\", \"group_prefix\": \"Group\"}`. Each match is a " +
				"key, numbered from 0: with no group in the pattern its value is the matched text, with " +
				"one group that group's text, with several a list of the groups' texts (as Python's " +
				"re.findall): \"a@b c@d\" gives {\"Group-0\": [\"a\", \"b\"], \"Group-1\": [\"c\", \"d\"]}. " +
				"No match gives {} and a console warning. A text that is missing or not text stops the " +
				"flow with an error. " + syntaxDoc + "\n\nDifferences from Tracardi: the warning when " +
				"nothing matches is logged (Tracardi's check for it never fired)."},
		},
		map[string]string{"payload": "`{\"<prefix>-0\": first match, \"<prefix>-1\": ...}`; `{}` when nothing matches."},
		func() plugin.Action { return &Match{} })
}

// Validator checks that a text matches a pattern at its start.
type Validator struct {
	plugin.ActionRunner
	re   *regexp.Regexp
	data dotpath.Value
}

var validatorSpec = plugin.NewConfigSpec().
	Field(patternField("validation_regex", "Regex pattern", "The regular expression the data must "+
		"match from its first character (Python syntax); end it with $ to match the whole text.")).
	Field(plugin.NewValueField("data").Name("Path to data").
		Description("The data to validate: a reference such as event@properties.code, or the text itself.").
		Required().Component("forceDotPath", map[string]any{"defaultSourceValue": "event"}))

// SetUp compiles the pattern, anchored at the start as Python's re.match.
func (a *Validator) SetUp(_ context.Context, config plugin.Config) error {
	c, err := validatorSpec.Parse(config)
	if err != nil {
		return err
	}
	a.re, _ = compilePython(c.String("validation_regex"))
	a.data = c.Value("data")
	return nil
}

// Run sends the payload on valid or invalid.
func (a *Validator) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s, err := resolveText(a.Scope(payload), "data", a.data)
	if err != nil {
		return nil, err
	}
	if loc := a.re.FindStringIndex(s); loc != nil && loc[0] == 0 {
		return plugin.Port("valid", payload), nil
	}
	return plugin.Port("invalid", payload), nil
}

// RegisterValidator describes the Regex validator plugin.
func RegisterValidator() plugin.Plugin {
	return register("validator", "strings.regex_validator.plugin", "RegexValidatorAction", []string{"valid", "invalid"}, validatorSpec,
		plugin.MetaData{
			Name: "Regex validator", Desc: "Checks that data matches a regular expression.",
			Group: []string{"Regex", "Validators"}, Tags: []string{"condition", "regex", "validation"},
			Documentation: &plugin.Documentation{Tutorial: "Config: `{\"validation_regex\": " +
				"\"[A-Z]{2}\\\\d{4}$\", \"data\": \"event@properties.code\"}`. The pattern must match at the " +
				"start of the data, as Python's re.match: \"AB1234\" is valid, \"xAB1234\" is not. Data " +
				"that is missing or not text stops the flow with an error. " + syntaxDoc},
		},
		map[string]string{"valid": "The input payload, when the data matches.", "invalid": "The input payload, when it does not."},
		func() plugin.Action { return &Validator{} })
}

// Replace replaces the matches of a pattern in a text.
type Replace struct {
	plugin.ActionRunner
	re        *regexp.Regexp
	str, with dotpath.Value
}

var replaceSpec = plugin.NewConfigSpec().
	Group("Regex replace", "").
	Field(valueField("string", "String", "The text to change: a reference such as "+
		"event@properties.phone, or the text itself.")).
	Field(plugin.NewValueField("replace_with").Name("Replace with").
		Description("What replaces each match: text (\\1 or \\g<name> insert a group, as in Python) "+
			"or a reference to such text.").
		Default("").Component("dotPath", map[string]any{"label": "Replace with", "defaultSourceValue": "event"})).
	Field(patternField("find_regex", "Regex", "The regular expression whose matches are replaced (Python syntax)."))

// SetUp compiles the pattern.
func (a *Replace) SetUp(_ context.Context, config plugin.Config) error {
	c, err := replaceSpec.Parse(config)
	if err != nil {
		return err
	}
	a.re, _ = compilePython(c.String("find_regex"))
	a.str, a.with = c.Value("string"), c.Value("replace_with")
	return nil
}

// Run sends {"value": replaced} on replaced, or {"value": text} on
// not_found when nothing matches.
func (a *Replace) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	text, err := resolveText(s, "string", a.str)
	if err != nil {
		return nil, err
	}
	with, err := resolveText(s, "replace_with", a.with)
	if err != nil {
		return nil, err
	}
	if !a.re.MatchString(text) {
		return plugin.Port("not_found", plugin.Payload{"value": text}), nil
	}
	out, err := replaceAll(a.re, with, text)
	if err != nil {
		return nil, fmt.Errorf("replace_with: %w", err)
	}
	return plugin.Port("replaced", plugin.Payload{"value": out}), nil
}

// RegisterReplace describes the Regex replace plugin.
func RegisterReplace() plugin.Plugin {
	return register("replace", "strings.regex_replace.plugin", "RegexReplacer", []string{"replaced", "not_found"}, replaceSpec,
		plugin.MetaData{
			Name: "Regex replace", Desc: "Replaces the matches of a regular expression in a text.",
			Group: []string{"Regex"}, Tags: []string{"regex", "replace"},
			Documentation: &plugin.Documentation{Tutorial: "Config: `{\"string\": \"event@properties.phone\", " +
				"\"find_regex\": \"[^0-9+]\", \"replace_with\": \"\"}`: `\"+48 (12) 345\"` gives `{\"value\": " +
				"\"+4812345\"}` on replaced. The replacement uses Python's syntax: `\\1` or `\\g<1>` insert " +
				"group 1, `\\g<name>` a named group, `\\\\` a backslash. A text with no match goes to not_found " +
				"unchanged. A text or replacement that is missing or not text, or a replacement naming a " +
				"group the pattern lacks, stops the flow with an error. " + syntaxDoc},
		},
		map[string]string{
			"replaced":  "{\"value\": the text with every match replaced}.",
			"not_found": "{\"value\": the text unchanged}, when nothing matches.",
		},
		func() plugin.Action { return &Replace{} })
}
