package plugin

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/tql"
)

// FieldType is the kind of value a configuration field holds.
type FieldType string

// The field types. Each has a lenient reader that accepts what Tracardi's
// forms and flows save (numbers typed as text, durations as seconds, JSON
// held as text) and a typed accessor on ParsedConfig.
const (
	TypeString    FieldType = "string"     // ParsedConfig.String
	TypeInt       FieldType = "int"        // ParsedConfig.Int; "3" reads as 3
	TypeFloat     FieldType = "float"      // ParsedConfig.Float; "2.5" reads as 2.5
	TypeBool      FieldType = "bool"       // ParsedConfig.Bool; "true"/"false" read as booleans
	TypeDuration  FieldType = "duration"   // ParsedConfig.Duration; 3, 3.5 and "3" are seconds, "1m30s" a Go duration
	TypeRef       FieldType = "reference"  // ParsedConfig.Ref; a dot path such as profile@traits.x
	TypeValue     FieldType = "value"      // ParsedConfig.Value; a reference or a literal
	TypeTemplate  FieldType = "template"   // ParsedConfig.Template; text with {{ references }}
	TypeCondition FieldType = "condition"  // ParsedConfig.Condition; a TQL condition
	TypeJSON      FieldType = "json"       // ParsedConfig.Any; any JSON value, or JSON held as text
	TypeObject    FieldType = "object"     // ParsedConfig.Object; a JSON object (or its text)
	TypeList      FieldType = "list"       // ParsedConfig.Strings; a list of names
	TypeRefList   FieldType = "references" // ParsedConfig.Refs; a list of references
	TypeMapping   FieldType = "mapping"    // ParsedConfig.Mappings; an object of target reference: value or reference
	TypeEnum      FieldType = "enum"       // ParsedConfig.String; one of the field's options
	TypeAny       FieldType = "any"        // ParsedConfig.Any; any value, as it is
)

// Option is one choice of an enum field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// FieldSpec declares one configuration field: its type, default, whether it
// is required, its description, its form component and its validation. Build
// it with a New...Field constructor and chain the setters:
//
//	plugin.NewRefField("field").Name("Counter").
//		Description("The number to increment, e.g. profile@stats.counters.visits.").
//		Default("profile@aux.counters").Writable()
type FieldSpec struct {
	id, name, desc string
	typ            FieldType
	def            any
	hasDef         bool
	init           any
	hasInit        bool
	required       bool
	component      string
	props          map[string]any
	options        []Option
	writable       bool
	whole          bool
	bareSource     string
	objectOnly     bool
	hidden         bool
	pattern        *regexp.Regexp
	patternMsg     string
	patternErr     error
	min, max       *float64
	checks         []func(v any) error
}

func newField(id string, t FieldType) *FieldSpec { return &FieldSpec{id: id, typ: t} }

// NewStringField declares a text field. Numbers and booleans given for it
// are read as their text.
func NewStringField(id string) *FieldSpec { return newField(id, TypeString) }

// NewIntField declares a whole-number field; "3" and 3.0 read as 3.
func NewIntField(id string) *FieldSpec { return newField(id, TypeInt) }

// NewFloatField declares a number field; "2.5" reads as 2.5.
func NewFloatField(id string) *FieldSpec { return newField(id, TypeFloat) }

// NewBoolField declares a true/false field; "true" and "false" (any case)
// are read as booleans.
func NewBoolField(id string) *FieldSpec { return newField(id, TypeBool) }

// NewDurationField declares a duration, 0 or more. Numbers and numeric text
// are seconds (3, 3.5, "3"); text with a unit is a Go duration ("3s",
// "1m30s"). Its default is given in seconds.
func NewDurationField(id string) *FieldSpec { return newField(id, TypeDuration) }

// NewRefField declares a reference (source@path). See Writable, AllowWhole
// and BareSource.
func NewRefField(id string) *FieldSpec { return newField(id, TypeRef) }

// NewValueField declares a field that holds a reference or a literal: a
// string that starts with a source and "@" is a reference, anything else a
// literal.
func NewValueField(id string) *FieldSpec { return newField(id, TypeValue) }

// NewTemplateField declares a text template with {{ reference }}
// placeholders, compiled at set-up.
func NewTemplateField(id string) *FieldSpec { return newField(id, TypeTemplate) }

// NewConditionField declares a TQL condition, compiled at set-up.
func NewConditionField(id string) *FieldSpec { return newField(id, TypeCondition) }

// NewJSONField declares a field that holds any JSON value. Tracardi's forms
// save such values as JSON text ("{\"a\": 1}"); the text is parsed. See
// ObjectOnly.
func NewJSONField(id string) *FieldSpec { return newField(id, TypeJSON) }

// NewObjectField declares a JSON object (key-value pairs); JSON text holding
// an object is accepted too.
func NewObjectField(id string) *FieldSpec { return newField(id, TypeObject) }

// NewListField declares a list of names. A single name reads as a list of
// one; an item saved by Tracardi's pickers as {"id", "name"} reads as its
// id (or its name when the id is empty); null items are skipped.
func NewListField(id string) *FieldSpec { return newField(id, TypeList) }

// NewRefListField declares a list of references. Writable, AllowWhole and
// BareSource apply to each item.
func NewRefListField(id string) *FieldSpec { return newField(id, TypeRefList) }

// NewMappingField declares an object whose keys are target references and
// whose values are references or literals ({"profile@traits.city":
// "event@properties.city"}), as Tracardi's copy and append plugins take.
// Writable, AllowWhole and BareSource apply to the keys.
func NewMappingField(id string) *FieldSpec { return newField(id, TypeMapping) }

// NewAnyField declares a field whose value is taken as it is.
func NewAnyField(id string) *FieldSpec { return newField(id, TypeAny) }

// NewEnumField declares a choice among options.
func NewEnumField(id string, options ...Option) *FieldSpec {
	f := newField(id, TypeEnum)
	f.options = options
	return f
}

// Name sets the label the form shows; the default is made from the id.
func (f *FieldSpec) Name(name string) *FieldSpec { f.name = name; return f }

// Description sets what the form and the reference docs say about the field.
func (f *FieldSpec) Description(desc string) *FieldSpec { f.desc = desc; return f }

// Default sets the value a new node starts with and the value used when the
// config lacks the field (or holds null). A duration's default is in seconds.
func (f *FieldSpec) Default(v any) *FieldSpec { f.def, f.hasDef = v, true; return f }

// Initial sets the value a new node starts with when it differs from the
// default (an example the user edits, say); a config that lacks the field
// still gets the default.
func (f *FieldSpec) Initial(v any) *FieldSpec { f.init, f.hasInit = v, true; return f }

// Required makes a missing, null or empty value an error.
func (f *FieldSpec) Required() *FieldSpec { f.required = true; return f }

// Component sets the form component (text, textarea, dotPath, forceDotPath,
// select, bool, json, keyValueList, listOfDotPaths, eventTypes, resource,
// ...) and its props; by default the field type chooses one.
func (f *FieldSpec) Component(typ string, props map[string]any) *FieldSpec {
	f.component = typ
	if props != nil {
		f.props = props
	}
	return f
}

// Prop sets one prop of the form component.
func (f *FieldSpec) Prop(key string, v any) *FieldSpec {
	if f.props == nil {
		f.props = map[string]any{}
	}
	f.props[key] = v
	return f
}

// Writable makes a reference a place the plugin writes to: flow@, which is
// read-only, is refused.
func (f *FieldSpec) Writable() *FieldSpec { f.writable = true; return f }

// AllowWhole accepts a reference to a whole source object (profile@...);
// by default a reference needs a path.
func (f *FieldSpec) AllowWhole() *FieldSpec { f.whole = true; return f }

// BareSource lets a reference be written without a source, as Tracardi
// accepts in some plugins: with BareSource("profile"), traits.x means
// profile@traits.x.
func (f *FieldSpec) BareSource(source string) *FieldSpec { f.bareSource = source; return f }

// Hidden keeps a field out of the form: it is in the default config and
// parsed, but users do not edit it (Tracardi's format keeps some such keys).
func (f *FieldSpec) Hidden() *FieldSpec { f.hidden = true; return f }

// ObjectOnly makes a JSON field accept only an object.
func (f *FieldSpec) ObjectOnly() *FieldSpec { f.objectOnly = true; return f }

// Pattern makes a text field (string, enum) match a regular expression
// (Go's syntax, which the editor checks too when it is also valid
// JavaScript); message says what is expected. A bad expression is a
// declaration mistake (see ConfigSpec.Err).
func (f *FieldSpec) Pattern(expr, message string) *FieldSpec {
	re, err := regexp.Compile(expr)
	if err != nil {
		f.patternErr = err
		return f
	}
	f.pattern, f.patternMsg = re, message
	return f
}

// Min sets the least value of a number or duration (in seconds).
func (f *FieldSpec) Min(v float64) *FieldSpec { f.min = &v; return f }

// Max sets the greatest value of a number or duration (in seconds).
func (f *FieldSpec) Max(v float64) *FieldSpec { f.max = &v; return f }

// Check adds a validation run on the parsed value (a string, int, float64,
// bool, time.Duration, dotpath.Ref, ... as the accessor returns it). Its
// error becomes the field's error message.
func (f *FieldSpec) Check(fn func(v any) error) *FieldSpec {
	f.checks = append(f.checks, fn)
	return f
}

// FieldInfo describes a declared field, for documentation and tools.
type FieldInfo struct {
	ID          string
	Name        string
	Type        FieldType
	Description string
	Default     any // the value used when a config lacks the field
	HasDefault  bool
	Initial     any // the value a new node starts with
	Required    bool
	Options     []Option
	Group       string
	Component   string
	Hidden      bool
}

// ConfigSpec is a plugin's configuration, declared once, field by field, in
// the manner of Redpanda Connect's config specs. From it come the default
// config (Init), the editor's form (Form), the decoder (Parse) that returns
// every field's error at once, and the reference docs. Put it in
// Spec.Config:
//
//	var spec = plugin.NewConfigSpec().
//		Field(plugin.NewRefField("field").Description("...").Default("profile@aux.counters").Writable()).
//		Field(plugin.NewFloatField("increment").Description("...").Default(1))
//
// and parse the node's config in SetUp with spec.Parse.
type ConfigSpec struct {
	fields []*FieldSpec
	groups []formGroup
	checks []func(*ParsedConfig) error
	err    error
}

type formGroup struct {
	name, desc string
	fields     []*FieldSpec
}

// NewConfigSpec returns an empty configuration spec.
func NewConfigSpec() *ConfigSpec { return &ConfigSpec{} }

// Group starts a titled group of the form; the fields declared after it go
// in it.
func (s *ConfigSpec) Group(name, description string) *ConfigSpec {
	s.groups = append(s.groups, formGroup{name: name, desc: description})
	return s
}

// Field declares one field. Declaring an id twice, or a default the field
// does not accept, is a mistake the registry reports (see Err).
func (s *ConfigSpec) Field(f *FieldSpec) *ConfigSpec {
	for _, o := range s.fields {
		if o.id == f.id {
			s.setErr(fmt.Errorf("config field %q is declared twice", f.id))
		}
	}
	if f.id == "" {
		s.setErr(fmt.Errorf("a config field has no id"))
	}
	if f.patternErr != nil {
		s.setErr(fmt.Errorf("config field %q: pattern: %w", f.id, f.patternErr))
	}
	if f.typ == TypeEnum && len(f.options) == 0 {
		s.setErr(fmt.Errorf("config field %q: an enum needs options", f.id))
	}
	for _, v := range []any{f.def, f.init} {
		if v != nil {
			if _, fe := f.parseAt(v); len(fe) > 0 {
				s.setErr(fmt.Errorf("config field %q: default %v: %s", f.id, v, fe[0].Message))
			}
		}
	}
	s.fields = append(s.fields, f)
	if len(s.groups) == 0 {
		s.groups = append(s.groups, formGroup{})
	}
	g := &s.groups[len(s.groups)-1]
	g.fields = append(g.fields, f)
	return s
}

// Check adds a validation of the whole config, run by Parse after every
// field parsed; return FieldErr(field, ...) to point at a field.
func (s *ConfigSpec) Check(fn func(*ParsedConfig) error) *ConfigSpec {
	s.checks = append(s.checks, fn)
	return s
}

func (s *ConfigSpec) setErr(err error) {
	if s.err == nil {
		s.err = err
	}
}

// Err reports a mistake in the declaration itself (a duplicate id, a bad
// default); the registry refuses a plugin whose spec has one.
func (s *ConfigSpec) Err() error { return s.err }

// Fields describes the declared fields, in order.
func (s *ConfigSpec) Fields() []FieldInfo {
	var out []FieldInfo
	for _, g := range s.groups {
		for _, f := range g.fields {
			out = append(out, FieldInfo{
				ID: f.id, Name: f.label(), Type: f.typ, Description: f.desc,
				Default: f.missingValue(), HasDefault: f.hasDef, Initial: f.initValue(), Required: f.required,
				Options: f.options, Group: g.name, Component: f.componentType(), Hidden: f.hidden,
			})
		}
	}
	return out
}

// Init returns the configuration a new node starts with: every field with
// its default (or its type's empty value). Each call returns a fresh copy.
func (s *ConfigSpec) Init() Config {
	c := Config{}
	for _, f := range s.fields {
		setPath(c, f.id, dotpath.DeepCopy(f.initValue()))
	}
	return c
}

// Form returns the form the editor renders for the config.
func (s *ConfigSpec) Form() *Form {
	form := &Form{Groups: []FormGroup{}}
	for _, g := range s.groups {
		fg := FormGroup{Name: g.name, Description: g.desc, Fields: []FormField{}}
		for _, f := range g.fields {
			if f.hidden {
				continue
			}
			ff := FormField{
				ID: f.id, Name: f.label(), Description: f.desc, Required: f.required,
				Component: FormComponent{Type: f.componentType(), Props: f.componentProps()},
			}
			if f.pattern != nil {
				ff.Validation = &FormFieldValidation{Regex: f.pattern.String(), Message: f.patternMsg}
			}
			fg.Fields = append(fg.Fields, ff)
		}
		form.Groups = append(form.Groups, fg)
	}
	return form
}

func (f *FieldSpec) label() string {
	if f.name != "" {
		return f.name
	}
	n := strings.ReplaceAll(f.id, "_", " ")
	n = strings.ReplaceAll(n, ".", " ")
	if n == "" {
		return n
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

// missingValue is the value of a field the config lacks: its default, or
// its type's empty value.
func (f *FieldSpec) missingValue() any {
	if f.hasDef {
		return f.def
	}
	return f.zero()
}

// initValue is the value a new node starts with.
func (f *FieldSpec) initValue() any {
	if f.hasInit {
		return f.init
	}
	return f.missingValue()
}

func (f *FieldSpec) zero() any {
	switch f.typ {
	case TypeInt, TypeFloat, TypeDuration:
		return 0
	case TypeBool:
		return false
	case TypeObject, TypeMapping:
		return map[string]any{}
	case TypeList, TypeRefList:
		return []any{}
	case TypeJSON:
		if f.objectOnly {
			return "{}"
		}
		return nil
	case TypeAny:
		return nil
	case TypeEnum:
		return f.options[0].Value
	}
	return ""
}

func (f *FieldSpec) componentType() string {
	if f.component != "" {
		return f.component
	}
	switch f.typ {
	case TypeBool:
		return "bool"
	case TypeRef, TypeValue:
		return "dotPath"
	case TypeTemplate, TypeCondition:
		return "textarea"
	case TypeJSON, TypeAny:
		return "json"
	case TypeObject, TypeMapping:
		return "keyValueList"
	case TypeList, TypeRefList:
		return "listOfDotPaths"
	case TypeEnum:
		return "select"
	}
	return "text"
}

func (f *FieldSpec) componentProps() map[string]any {
	p := map[string]any{}
	for k, v := range f.props {
		p[k] = v
	}
	if _, ok := p["label"]; !ok {
		p["label"] = f.label()
	}
	if f.typ == TypeEnum {
		if _, ok := p["items"]; !ok {
			items := map[string]any{}
			for _, o := range f.options {
				items[o.Value] = o.Label
			}
			p["items"] = items
		}
	}
	if (f.typ == TypeRef || f.typ == TypeValue) && f.bareSource != "" {
		if _, ok := p["defaultSourceValue"]; !ok {
			p["defaultSourceValue"] = f.bareSource
		}
	}
	return p
}

// Parse reads a node's config against the spec: every declared field is
// read with its type's lenient reader, missing fields take their defaults,
// and every field's problem is returned at once as FieldErrors. Keys the
// spec does not declare are ignored (flows exported from Tracardi carry
// extra keys).
func (s *ConfigSpec) Parse(c Config) (*ParsedConfig, error) {
	pc := &ParsedConfig{spec: s, values: make(map[string]any, len(s.fields)), present: make(map[string]bool, len(s.fields))}
	var errs FieldErrors
	for _, f := range s.fields {
		raw, ok := getPath(c, f.id)
		if !ok || raw == nil {
			if f.required && !f.hasDef {
				errs = append(errs, FieldError{Field: f.id, Message: "is required" + f.hint()})
				continue
			}
			raw = f.missingValue()
		} else {
			pc.present[f.id] = true
		}
		if f.required && isBlank(raw) {
			errs = append(errs, FieldError{Field: f.id, Message: "is empty" + f.hint()})
			continue
		}
		raw = f.blankToDefault(raw)
		v, fe := f.parseAt(raw)
		if len(fe) > 0 {
			errs = append(errs, fe...)
			continue
		}
		pc.values[f.id] = v
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for _, chk := range s.checks {
		if err := chk(pc); err != nil {
			return nil, AsFieldErrors(err)
		}
	}
	return pc, nil
}

// Read parses one value with the field's rules, as Parse would (a missing
// or null value takes the default), for a field nested in a value that
// another field holds. The value is what the field's accessor returns; the
// error is FieldErrors at the field's id.
func (f *FieldSpec) Read(raw any) (any, error) {
	if raw == nil {
		if f.required && !f.hasDef {
			return nil, FieldErrors{{Field: f.id, Message: "is required" + f.hint()}}
		}
		raw = f.missingValue()
	}
	if f.required && isBlank(raw) {
		return nil, FieldErrors{{Field: f.id, Message: "is empty" + f.hint()}}
	}
	v, fe := f.parseAt(f.blankToDefault(raw))
	if len(fe) > 0 {
		return nil, fe
	}
	return v, nil
}

// blankToDefault gives an optional field left as empty text in a form its
// default, for the types whose empty text means nothing.
func (f *FieldSpec) blankToDefault(raw any) any {
	if s, ok := raw.(string); ok && !f.required && strings.TrimSpace(s) == "" {
		switch f.typ {
		case TypeInt, TypeFloat, TypeJSON, TypeObject, TypeMapping:
			return f.missingValue()
		}
	}
	return raw
}

func (f *FieldSpec) hint() string {
	switch f.typ {
	case TypeRef:
		return "; type a reference such as profile@traits.name"
	case TypeCondition:
		return "; type a condition such as event@type == \"purchase\""
	case TypeInt, TypeFloat:
		return "; type a number"
	case TypeJSON, TypeObject:
		return "; type a JSON value, e.g. {}"
	case TypeEnum:
		return "; choose one of " + f.optionList()
	}
	return ""
}

func (f *FieldSpec) optionList() string {
	vs := make([]string, len(f.options))
	for i, o := range f.options {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

func isBlank(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// parseAt parses raw and returns the errors with field paths.
func (f *FieldSpec) parseAt(raw any) (any, FieldErrors) {
	switch f.typ {
	case TypeList, TypeRefList, TypeMapping:
		return f.parseCollection(raw)
	}
	v, msg := f.parse(raw)
	if msg != "" {
		return nil, FieldErrors{{Field: f.id, Message: msg}}
	}
	if msg := f.runChecks(v); msg != "" {
		return nil, FieldErrors{{Field: f.id, Message: msg}}
	}
	return v, nil
}

func (f *FieldSpec) runChecks(v any) string {
	if s, ok := v.(string); ok && f.pattern != nil && !f.pattern.MatchString(s) {
		if f.patternMsg != "" {
			return f.patternMsg
		}
		return fmt.Sprintf("%q does not match %s", s, f.pattern)
	}
	for _, chk := range f.checks {
		if err := chk(v); err != nil {
			return err.Error()
		}
	}
	return ""
}

// parse reads one scalar-like value; msg is the problem, "" when none.
func (f *FieldSpec) parse(raw any) (v any, msg string) {
	switch f.typ {
	case TypeString:
		switch x := raw.(type) {
		case string:
			return x, ""
		case float64, int, int64, bool, json.Number:
			return dotpath.Stringify(x), ""
		}
		return nil, "expected text, got " + dotpath.TypeName(raw)
	case TypeInt:
		n, msg := number(raw)
		if msg != "" {
			return nil, msg
		}
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return nil, fmt.Sprintf("expected a whole number, got %v", n)
		}
		if msg := f.bounds(n); msg != "" {
			return nil, msg
		}
		return int(n), ""
	case TypeFloat:
		n, msg := number(raw)
		if msg != "" {
			return nil, msg
		}
		if msg := f.bounds(n); msg != "" {
			return nil, msg
		}
		return n, ""
	case TypeBool:
		switch x := raw.(type) {
		case bool:
			return x, ""
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return true, ""
			case "false", "":
				return false, ""
			}
		}
		return nil, "expected true or false, got " + describe(raw)
	case TypeDuration:
		return f.duration(raw)
	case TypeRef:
		s, ok := raw.(string)
		if !ok {
			return nil, "expected a reference such as profile@traits.name, got " + dotpath.TypeName(raw)
		}
		if strings.TrimSpace(s) == "" {
			return dotpath.Ref{}, ""
		}
		ref, msg := f.ref(s)
		return ref, msg
	case TypeValue:
		s, ok := raw.(string)
		if !ok {
			return dotpath.Literal(raw), ""
		}
		val, err := dotpath.CompileValue(s)
		if err != nil {
			return nil, err.Error()
		}
		return val, ""
	case TypeTemplate:
		s, ok := raw.(string)
		if !ok {
			return nil, "expected text, got " + dotpath.TypeName(raw)
		}
		t, err := dotpath.CompileTemplate(s)
		if err != nil {
			return nil, err.Error()
		}
		return t, ""
	case TypeCondition:
		s, ok := raw.(string)
		if !ok {
			return nil, "expected a condition, got " + dotpath.TypeName(raw)
		}
		if strings.TrimSpace(s) == "" {
			return (*tql.Condition)(nil), ""
		}
		c, err := tql.Parse(s)
		if err != nil {
			return nil, err.Error()
		}
		return c, ""
	case TypeJSON:
		v, msg := jsonValue(raw)
		if msg != "" {
			return nil, msg
		}
		if _, isObj := v.(map[string]any); f.objectOnly && !isObj {
			return nil, "must be a JSON object, e.g. {\"name\": \"John\"}"
		}
		return v, ""
	case TypeObject:
		v, msg := jsonValue(raw)
		if msg != "" {
			return nil, msg
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "expected an object, got " + dotpath.TypeName(v)
		}
		return m, ""
	case TypeEnum:
		s, ok := raw.(string)
		if !ok {
			if _, isNum := dotpath.ToFloat(raw); !isNum {
				return nil, "expected one of " + f.optionList() + ", got " + dotpath.TypeName(raw)
			}
			s = dotpath.Stringify(raw)
		}
		if s = strings.TrimSpace(s); s == "" && !f.required {
			return f.missingValue(), ""
		}
		for _, o := range f.options {
			if o.Value == s {
				return s, ""
			}
		}
		return nil, fmt.Sprintf("%q is not a choice; use one of %s", s, f.optionList())
	case TypeAny:
		return raw, ""
	case TypeList, TypeRefList, TypeMapping:
		v, fe := f.parseCollection(raw)
		if len(fe) > 0 {
			return nil, fe[0].Message
		}
		return v, ""
	}
	return nil, "unknown field type " + string(f.typ)
}

func (f *FieldSpec) ref(s string) (dotpath.Ref, string) {
	ref, err := dotpath.ParseDefault(s, f.bareSource)
	if err != nil {
		return ref, err.Error()
	}
	if f.writable && ref.Source == dotpath.SourceFlow {
		return ref, fmt.Sprintf("%s: flow@ is read-only; write to payload, profile, session, event or memory", s)
	}
	if !f.whole && ref.IsWhole() {
		return ref, fmt.Sprintf("%s names the whole %s; add a path such as %s@traits.name", s, ref.Source, ref.Source)
	}
	return ref, ""
}

func (f *FieldSpec) bounds(n float64) string {
	if f.min != nil && n < *f.min {
		return fmt.Sprintf("must be %v or more, got %v", *f.min, n)
	}
	if f.max != nil && n > *f.max {
		return fmt.Sprintf("must be %v or less, got %v", *f.max, n)
	}
	return ""
}

func (f *FieldSpec) duration(raw any) (any, string) {
	var secs float64
	switch x := raw.(type) {
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return time.Duration(0), ""
		}
		if n, err := strconv.ParseFloat(t, 64); err == nil {
			secs = n
		} else if d, err := time.ParseDuration(t); err == nil {
			secs = d.Seconds()
		} else {
			return nil, fmt.Sprintf("%q is not a duration; type seconds (30, 2.5) or a duration such as 90s or 1h30m", x)
		}
	default:
		n, ok := dotpath.ToFloat(raw)
		if !ok {
			return nil, "expected a duration in seconds, got " + describe(raw)
		}
		secs = n
	}
	if math.IsNaN(secs) || math.IsInf(secs, 0) || secs > math.MaxInt64/float64(time.Second) {
		return nil, fmt.Sprintf("%v seconds is out of range", secs)
	}
	if secs < 0 {
		return nil, fmt.Sprintf("must be 0 or more seconds, got %v", secs)
	}
	if msg := f.bounds(secs); msg != "" {
		return nil, msg
	}
	return time.Duration(secs * float64(time.Second)), ""
}

func number(raw any) (float64, string) {
	switch x := raw.(type) {
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, fmt.Sprintf("%q is not a number", x)
		}
		return n, ""
	case bool:
		return 0, fmt.Sprintf("expected a number, got %t", x)
	}
	if n, ok := dotpath.ToFloat(raw); ok {
		return n, ""
	}
	return 0, "expected a number, got " + dotpath.TypeName(raw)
}

func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return dotpath.TypeName(v)
}

func jsonValue(raw any) (any, string) {
	s, ok := raw.(string)
	if !ok {
		return raw, ""
	}
	if strings.TrimSpace(s) == "" {
		return nil, "is empty; type a JSON value, e.g. {}"
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, "is not valid JSON: " + err.Error()
	}
	return out, ""
}

// Mapping is one pair of a mapping field: where to write, and what.
type Mapping struct {
	Target dotpath.Ref
	Source dotpath.Value
}

func (f *FieldSpec) parseCollection(raw any) (any, FieldErrors) {
	var errs FieldErrors
	switch f.typ {
	case TypeMapping:
		v, msg := jsonValue(raw)
		m, ok := v.(map[string]any)
		if msg != "" || !ok {
			if msg == "" {
				msg = "expected an object of target: value pairs, got " + dotpath.TypeName(v)
			}
			return nil, FieldErrors{{Field: f.id, Message: msg}}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]Mapping, 0, len(keys))
		for _, k := range keys {
			at := f.id + "." + k
			ref, msg := f.ref(k)
			if msg != "" {
				errs = append(errs, FieldError{Field: at, Message: msg})
				continue
			}
			var src dotpath.Value
			if s, ok := m[k].(string); ok {
				val, err := dotpath.CompileValue(s)
				if err != nil {
					errs = append(errs, FieldError{Field: at, Message: err.Error()})
					continue
				}
				src = val
			} else {
				src = dotpath.Literal(m[k])
			}
			out = append(out, Mapping{Target: ref, Source: src})
		}
		if len(errs) > 0 {
			return nil, errs
		}
		if msg := f.runChecks(out); msg != "" {
			return nil, FieldErrors{{Field: f.id, Message: msg}}
		}
		return out, nil
	}
	var items []any
	switch x := raw.(type) {
	case []any:
		items = x
	case []string:
		for _, s := range x {
			items = append(items, s)
		}
	case string:
		if strings.TrimSpace(x) != "" {
			items = []any{x}
		}
	default:
		return nil, FieldErrors{{Field: f.id, Message: "expected a list, got " + dotpath.TypeName(raw)}}
	}
	names := make([]string, 0, len(items))
	for i, it := range items {
		at := fmt.Sprintf("%s.%d", f.id, i)
		var s string
		switch x := it.(type) {
		case nil:
			continue
		case string:
			s = x
		case map[string]any:
			s, _ = x["id"].(string)
			if strings.TrimSpace(s) == "" {
				s, _ = x["name"].(string)
			}
		default:
			errs = append(errs, FieldError{Field: at, Message: "expected a name, got " + dotpath.TypeName(it)})
			continue
		}
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		names = append(names, s)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if f.typ == TypeList {
		if msg := f.runChecks(names); msg != "" {
			return nil, FieldErrors{{Field: f.id, Message: msg}}
		}
		return names, nil
	}
	refs := make([]dotpath.Ref, 0, len(names))
	for i, s := range names {
		ref, msg := f.ref(s)
		if msg != "" {
			errs = append(errs, FieldError{Field: fmt.Sprintf("%s.%d", f.id, i), Message: msg})
			continue
		}
		refs = append(refs, ref)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if msg := f.runChecks(refs); msg != "" {
		return nil, FieldErrors{{Field: f.id, Message: msg}}
	}
	return refs, nil
}

// ParsedConfig is a config read by ConfigSpec.Parse. Its accessors return
// the typed value of a declared field; asking for a field the spec does not
// declare, or with the accessor of another type, is a programming mistake
// and panics (the conformance test catches it).
type ParsedConfig struct {
	spec    *ConfigSpec
	values  map[string]any
	present map[string]bool
}

func (p *ParsedConfig) get(id string, want ...FieldType) any {
	for _, f := range p.spec.fields {
		if f.id != id {
			continue
		}
		for _, t := range want {
			if f.typ == t {
				return p.values[id]
			}
		}
		panic(fmt.Sprintf("plugin: config field %q is a %s field, not %v", id, f.typ, want))
	}
	panic(fmt.Sprintf("plugin: config field %q is not declared", id))
}

// Has reports whether the config gave the field (not null); otherwise its
// default is in use.
func (p *ParsedConfig) Has(id string) bool { return p.present[id] }

// String returns a string or enum field.
func (p *ParsedConfig) String(id string) string {
	return p.get(id, TypeString, TypeEnum).(string)
}

// Int returns an int field.
func (p *ParsedConfig) Int(id string) int { return p.get(id, TypeInt).(int) }

// Float returns a float field.
func (p *ParsedConfig) Float(id string) float64 { return p.get(id, TypeFloat).(float64) }

// Bool returns a bool field.
func (p *ParsedConfig) Bool(id string) bool { return p.get(id, TypeBool).(bool) }

// Duration returns a duration field.
func (p *ParsedConfig) Duration(id string) time.Duration {
	return p.get(id, TypeDuration).(time.Duration)
}

// Ref returns a reference field; the zero Ref (empty Source) when the field
// is empty and not required.
func (p *ParsedConfig) Ref(id string) dotpath.Ref { return p.get(id, TypeRef).(dotpath.Ref) }

// Value returns a value-or-reference field.
func (p *ParsedConfig) Value(id string) dotpath.Value { return p.get(id, TypeValue).(dotpath.Value) }

// Template returns a compiled template field.
func (p *ParsedConfig) Template(id string) *dotpath.Template {
	return p.get(id, TypeTemplate).(*dotpath.Template)
}

// Condition returns a compiled condition field; nil when it is empty and not
// required.
func (p *ParsedConfig) Condition(id string) *tql.Condition {
	return p.get(id, TypeCondition).(*tql.Condition)
}

// Any returns a JSON or any field's value.
func (p *ParsedConfig) Any(id string) any { return p.get(id, TypeJSON, TypeAny) }

// Object returns an object field (or an object-only JSON field).
func (p *ParsedConfig) Object(id string) map[string]any {
	m, _ := p.get(id, TypeObject, TypeJSON).(map[string]any)
	return m
}

// Strings returns a list field.
func (p *ParsedConfig) Strings(id string) []string { return p.get(id, TypeList).([]string) }

// Refs returns a reference-list field.
func (p *ParsedConfig) Refs(id string) []dotpath.Ref { return p.get(id, TypeRefList).([]dotpath.Ref) }

// Mappings returns a mapping field's pairs, ordered by target.
func (p *ParsedConfig) Mappings(id string) []Mapping { return p.get(id, TypeMapping).([]Mapping) }

// getPath reads a dot path (a field id) in a config.
func getPath(c map[string]any, id string) (any, bool) {
	if v, ok := c[id]; ok || !strings.Contains(id, ".") {
		return v, ok
	}
	var cur any = c
	for _, k := range strings.Split(id, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func setPath(c map[string]any, id string, v any) {
	keys := strings.Split(id, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := c[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			c[k] = next
		}
		c = next
	}
	c[keys[len(keys)-1]] = v
}
