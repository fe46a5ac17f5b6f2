package operations

import (
	"context"
	"math"
	"unicode/utf8"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var fieldTypeSpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("field").Name("Field").
		Description("A reference to the value to describe, e.g. event@properties.items.").
		Initial(nil).Required().Component("dotPath", map[string]any{"label": "Path", "defaultSourceValue": "event"}))

// FieldType tells the type and length of a value.
type FieldType struct {
	plugin.ActionRunner
	field dotpath.Value
}

// SetUp reads the reference.
func (a *FieldType) SetUp(_ context.Context, config plugin.Config) error {
	c, err := fieldTypeSpec.Parse(config)
	if err != nil {
		return err
	}
	a.field = c.Value("field")
	return nil
}

// Run describes the value.
func (a *FieldType) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.field.Resolve(a.Scope(payload))
	if err != nil {
		return nil, err
	}
	var typ string
	var length any
	switch x := v.(type) {
	case nil:
		typ = "null"
	case string:
		typ, length = "string", float64(utf8.RuneCountInString(x))
	case bool:
		typ = "bool"
	case []any:
		typ, length = "array", float64(len(x))
	case map[string]any:
		typ, length = "object", float64(len(x))
	default:
		f, _ := dotpath.ToFloat(v)
		typ = "float"
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			typ = "int"
		}
	}
	return plugin.Port("field_info", plugin.Payload{"type": typ, "length": length}), nil
}

// RegisterFieldType describes the Get field type plugin.
func RegisterFieldType() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &FieldType{} }, module: "field_type", alias: "traits.field_type_action",
		class: "FieldTypeAction", outputs: []string{"field_info"}, config: fieldTypeSpec,
		name: "Get field type", desc: "Tells the type of a value and its length, if it has one.", icon: "plugin",
		tags: []string{"type", "data"},
		manual: "The type is one of string, int, float, bool, array, object or null; the length is the number " +
			"of characters, items or keys, and null for numbers, booleans and null. A whole number (3 or 3.0) " +
			"is an int. A reference that finds nothing stops the flow with an error naming it. Differences " +
			"from Tracardi: a boolean is \"bool\" (Tracardi answers Python's `<class 'bool'>`).",
		input: "Any object; the value may be in it as payload@...",
		ports: plugin.Ports{"field_info": "{\"type\": ..., \"length\": ...}."},
	})
}
