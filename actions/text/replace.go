package text

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// Replace replaces every occurrence of a text in a string.
type Replace struct {
	plugin.ActionRunner
	field         dotpath.Value
	find, replace string
}

var replaceSpec = plugin.NewConfigSpec().
	Group("String replacement", "").
	Field(valueField("field", "Field", "The string to change: a reference such as "+
		"profile@traits.note, or the text itself.", "profile").
		Initial("profile@").Required()).
	Field(plugin.NewStringField("find").Name("Find").
		Description("The text to find. Empty text matches between every character, as in Python.").
		Default("").Prop("label", "Find")).
	Field(plugin.NewStringField("replace").Name("Replace").
		Description("The text that replaces every occurrence found.").
		Default("").Prop("label", "Replace"))

// SetUp reads the field, the text to find and its replacement.
func (a *Replace) SetUp(_ context.Context, config plugin.Config) error {
	c, err := replaceSpec.Parse(config)
	if err != nil {
		return err
	}
	a.field, a.find, a.replace = c.Value("field"), c.String("find"), c.String("replace")
	return nil
}

// Run sends {"value": replaced} on output, or a message on error when the
// field does not hold text.
func (a *Replace) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := resolve(a.Scope(payload), "field", a.field)
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	s, ok := v.(string)
	if !ok {
		return a.ErrorResult(fmt.Sprintf("Field '%s' is not a string.", a.field), "error"), nil
	}
	return plugin.Port("output", plugin.Payload{"value": strings.ReplaceAll(s, a.find, a.replace)}), nil
}

// RegisterReplace describes the String replace plugin.
func RegisterReplace() plugin.Plugin {
	return def{
		id: "replace", alias: "strings.string_replace.plugin", class: "StringReplaceAction",
		outputs: []string{"output", "error"}, config: replaceSpec,
		name: "String replace", desc: "Replaces every occurrence of a text in a string.", icon: "replace",
		tags: []string{"replace"},
		tutorial: "Config: {\"field\": \"event@properties.text\", \"find\": \"colour\", \"replace\": \"color\"}. " +
			"The field may also hold the text itself. A field that is missing or does not hold text " +
			"sends {\"message\": ...} to the error port.",
		outputDocs: map[string]string{
			"output": "{\"value\": the string with every occurrence replaced}.",
			"error":  "{\"message\": ...} when the field is missing or is not text.",
		},
		newAction: func() plugin.Action { return &Replace{} },
	}.plugin()
}

// Stripper removes characters from a string.
type Stripper struct {
	plugin.ActionRunner
	str, remove dotpath.Value
}

var stripperSpec = plugin.NewConfigSpec().
	Group("String stripper", "").
	Field(valueField("string", "String", "The string to remove characters from: a reference "+
		"such as event@properties.phone, or the text itself.", "event").Required()).
	Field(valueField("to_remove", "To remove", "The characters to remove, all in one text "+
		"(e.g. \"-() \"); a reference to such a text works too.", "event").Required().
		Component("text", map[string]any{"label": "Characters to remove"}))

// SetUp reads the string and the characters to remove.
func (a *Stripper) SetUp(_ context.Context, config plugin.Config) error {
	c, err := stripperSpec.Parse(config)
	if err != nil {
		return err
	}
	a.str, a.remove = c.Value("string"), c.Value("to_remove")
	return nil
}

// Run sends {"value": stripped} on removed.
func (a *Stripper) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	str, err := resolveText(s, "string", a.str)
	if err != nil {
		return nil, err
	}
	chars, err := resolveText(s, "to_remove", a.remove)
	if err != nil {
		return nil, err
	}
	out := strings.Map(func(r rune) rune {
		if strings.ContainsRune(chars, r) {
			return -1
		}
		return r
	}, str)
	return plugin.Port("removed", plugin.Payload{"value": out}), nil
}

// RegisterStripper describes the String stripper plugin.
func RegisterStripper() plugin.Plugin {
	return def{
		id: "stripper", alias: "strings.string_stripper.plugin", class: "StringStripper",
		outputs: []string{"removed"}, config: stripperSpec,
		name: "String stripper", desc: "Removes every given character from a string.", icon: "uppercase",
		tags: []string{"strip", "remove"},
		tutorial: "Config: {\"string\": \"event@properties.phone\", \"to_remove\": \"-() \"}: " +
			"\"(12) 345-678\" becomes \"12345678\". A string or character list that is missing or is " +
			"not text stops the flow with an error naming the field.\n\n" +
			"Differences from Tracardi: every character of to_remove is removed as it is; Tracardi " +
			"put them in a regular-expression class, so -, ^, ] and \\ changed the meaning " +
			"(\"a-z\" removed every lowercase letter). Its reference documented the output port as " +
			"payload; the port is removed, as in its code.",
		outputDocs: map[string]string{"removed": "{\"value\": the string without the characters}."},
		newAction:  func() plugin.Action { return &Stripper{} },
	}.plugin()
}

// Splitter splits a string into a list.
type Splitter struct {
	plugin.ActionRunner
	str   dotpath.Value
	delim string
}

var splitterSpec = plugin.NewConfigSpec().
	Field(valueField("string", "String to split", "The string to split: a reference such as "+
		"event@properties.tags, or the text itself.", "event").Required()).
	Field(plugin.NewStringField("delimiter").Name("Delimiter").
		Description("The text between the parts, e.g. \",\" or \" | \".").
		Default(".").Required().Prop("label", "delimiter"))

// SetUp reads the string and the delimiter.
func (a *Splitter) SetUp(_ context.Context, config plugin.Config) error {
	c, err := splitterSpec.Parse(config)
	if err != nil {
		return err
	}
	a.str, a.delim = c.Value("string"), c.String("delimiter")
	return nil
}

// Run sends {"result": [parts]} on payload, each part trimmed of spaces.
func (a *Splitter) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	str, err := resolveText(a.Scope(payload), "string", a.str)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(str, a.delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = strings.TrimFunc(p, isPySpace)
	}
	return plugin.Port("payload", plugin.Payload{"result": out}), nil
}

// RegisterSplitter describes the String splitter plugin.
func RegisterSplitter() plugin.Plugin {
	return def{
		id: "splitter", alias: "strings.string_splitter.plugin", class: "SplitterAction",
		outputs: []string{"payload"}, config: splitterSpec,
		name: "String splitter", desc: "Splits a string into a list of strings at a delimiter.", icon: "splitter",
		tags: []string{"split", "list"},
		tutorial: "Config: {\"string\": \"event@properties.tags\", \"delimiter\": \",\"}: \"a, b,c\" " +
			"gives {\"result\": [\"a\", \"b\", \"c\"]}. Spaces around each part are trimmed. A string " +
			"that is missing or is not text stops the flow with an error naming the field.",
		outputDocs: map[string]string{"payload": "{\"result\": [the parts]}."},
		newAction:  func() plugin.Action { return &Splitter{} },
	}.plugin()
}

// Join joins a list into a string.
type Join struct {
	plugin.ActionRunner
	list  dotpath.Value
	delim string
}

var joinSpec = plugin.NewConfigSpec().
	Field(valueField("string", "List of strings", "A reference to the list to join, e.g. "+
		"event@properties.tags.", "event").Required()).
	Field(plugin.NewStringField("delimiter").Name("Delimiter").
		Description("One character put between the items, e.g. \",\".").
		Default(",").Required().Prop("label", "delimiter").
		Check(func(v any) error {
			if utf8.RuneCountInString(v.(string)) != 1 {
				return errors.New("must be a single character, e.g. \",\"")
			}
			return nil
		}))

// SetUp reads the list reference and the delimiter.
func (a *Join) SetUp(_ context.Context, config plugin.Config) error {
	c, err := joinSpec.Parse(config)
	if err != nil {
		return err
	}
	a.list, a.delim = c.Value("string"), c.String("delimiter")
	return nil
}

// Run sends {"result": joined} on payload.
func (a *Join) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := resolve(a.Scope(payload), "string", a.list)
	if err != nil {
		return nil, err
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("string: %s is %s; it must be a list", a.list, dotpath.TypeName(v))
	}
	parts := make([]string, len(items))
	for i, it := range items {
		switch x := it.(type) {
		case string:
			parts[i] = x
		case float64, bool, int, int64:
			parts[i] = dotpath.Stringify(x)
		default:
			return nil, fmt.Errorf("string: item %d of %s is %s; only text, numbers and booleans join", i, a.list, dotpath.TypeName(it))
		}
	}
	return plugin.Port("payload", plugin.Payload{"result": strings.Join(parts, a.delim)}), nil
}

// RegisterJoin describes the Join string list plugin.
func RegisterJoin() plugin.Plugin {
	return def{
		id: "join", alias: "strings.string_join.plugin", class: "JoinAction",
		outputs: []string{"payload"}, config: joinSpec,
		name: "Join string list", desc: "Joins the items of a list into one string, with a delimiter between them.",
		icon: "uppercase", tags: []string{"join", "list"},
		tutorial: "Config: {\"string\": \"event@properties.tags\", \"delimiter\": \",\"}: [\"a\", \"b\"] " +
			"gives {\"result\": \"a,b\"}. A value that is not a list stops the flow with an error.\n\n" +
			"Differences from Tracardi: numbers and booleans in the list are joined as their text " +
			"(Tracardi stopped with a type error); objects, lists and nulls are still an error.",
		outputDocs: map[string]string{"payload": "{\"result\": the joined string}."},
		newAction:  func() plugin.Action { return &Join{} },
	}.plugin()
}
