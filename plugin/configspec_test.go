package plugin_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

func testSpec() *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Group("Main", "The main settings.").
		Field(plugin.NewStringField("name").Description("A name.").Default("x")).
		Field(plugin.NewIntField("count").Description("A count.").Default(3).Min(0)).
		Field(plugin.NewFloatField("ratio").Description("A ratio.").Default(0.5)).
		Field(plugin.NewBoolField("on").Description("A switch.")).
		Field(plugin.NewDurationField("wait").Description("A wait.").Default(1.5)).
		Field(plugin.NewRefField("target").Description("A target.").Writable().BareSource("profile").Initial("profile@traits.a").Required()).
		Field(plugin.NewValueField("value").Description("A value.").Default("event@type")).
		Field(plugin.NewTemplateField("text").Description("A template.").Default("Hi {{ profile@traits.name }}")).
		Field(plugin.NewConditionField("cond").Description("A condition.")).
		Group("More", "").
		Field(plugin.NewJSONField("body").Description("A body.").Default("{}").ObjectOnly()).
		Field(plugin.NewListField("types").Description("Event types.")).
		Field(plugin.NewRefListField("paths").Description("Paths.")).
		Field(plugin.NewMappingField("set").Description("Pairs.").Writable()).
		Field(plugin.NewEnumField("level", plugin.Option{Value: "info", Label: "Info"}, plugin.Option{Value: "error", Label: "Error"}).
			Description("A level.").Default("info")).
		Field(plugin.NewStringField("nested.key").Description("A nested key."))
}

func TestConfigSpecDefaults(t *testing.T) {
	s := testSpec()
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	init := s.Init()
	want := map[string]any{
		"name": "x", "count": 3, "ratio": 0.5, "on": false, "wait": 1.5, "target": "profile@traits.a",
		"value": "event@type", "text": "Hi {{ profile@traits.name }}", "cond": "", "body": "{}",
		"types": []any{}, "paths": []any{}, "set": map[string]any{}, "level": "info",
		"nested": map[string]any{"key": ""},
	}
	if !reflect.DeepEqual(map[string]any(init), want) {
		t.Errorf("Init = %#v\nwant %#v", init, want)
	}
	pc, err := s.Parse(init)
	if err != nil {
		t.Fatal(err)
	}
	if pc.String("name") != "x" || pc.Int("count") != 3 || pc.Float("ratio") != 0.5 || pc.Bool("on") ||
		pc.Duration("wait") != 1500*time.Millisecond || pc.Ref("target").String() != "profile@traits.a" ||
		!pc.Value("value").IsRef() || pc.Condition("cond") != nil || pc.String("level") != "info" {
		t.Errorf("parsed defaults wrong: %+v", pc)
	}
	if pc.Has("missing-is-not-declared-but-has-is-safe") {
		t.Error("Has of an unknown id")
	}
	// A config that lacks a required field with an initial value: the
	// field is required.
	_, err = s.Parse(plugin.Config{})
	if fe := plugin.AsFieldErrors(err); len(fe) != 1 || fe[0].Field != "target" {
		t.Errorf("empty config: %v, want one error at target", err)
	}
}

func TestConfigSpecLenient(t *testing.T) {
	s := testSpec()
	pc, err := s.Parse(plugin.Config{
		"name": 42, "count": "7", "ratio": "2.5", "on": "TRUE", "wait": "3s", "target": "traits.x",
		"value": 5.0, "cond": `event@type == "a"`, "body": map[string]any{"a": 1.0}, "types": "purchase",
		"paths": []any{"profile@a", map[string]any{"id": "event@b", "name": "B"}, nil},
		"set":   `{"profile@traits.city": "event@properties.city", "payload@n": 1}`, "level": " error ",
		"nested": map[string]any{"key": "k"}, "unknown": "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	if pc.String("name") != "42" || pc.Int("count") != 7 || pc.Float("ratio") != 2.5 || !pc.Bool("on") ||
		pc.Duration("wait") != 3*time.Second || pc.Ref("target").String() != "profile@traits.x" ||
		pc.String("level") != "error" || pc.String("nested.key") != "k" {
		t.Errorf("lenient values wrong")
	}
	if v, _ := pc.Value("value").Resolve(nil); v != 5.0 {
		t.Errorf("literal value = %v", v)
	}
	if got := pc.Strings("types"); !reflect.DeepEqual(got, []string{"purchase"}) {
		t.Errorf("types = %v", got)
	}
	if got := pc.Refs("paths"); len(got) != 2 || got[1].String() != "event@b" {
		t.Errorf("paths = %v", got)
	}
	m := pc.Mappings("set")
	if len(m) != 2 || m[0].Target.String() != "payload@n" || m[1].Source.String() != "event@properties.city" {
		t.Errorf("mappings = %+v", m)
	}
	if pc.Object("body")["a"] != 1.0 {
		t.Errorf("body = %v", pc.Object("body"))
	}
	for raw, want := range map[any]time.Duration{3: 3 * time.Second, 3.5: 3500 * time.Millisecond, "3": 3 * time.Second, "1m30s": 90 * time.Second, "": 0} {
		pc, err := s.Parse(plugin.Config{"target": "profile@a", "wait": raw})
		if err != nil || pc.Duration("wait") != want {
			t.Errorf("wait %v: %v, %v; want %v", raw, pc, err, want)
		}
	}
}

// TestConfigSpecAllErrors: every field's problem comes back at once, each
// naming its field (with the item or key for lists and mappings).
func TestConfigSpecAllErrors(t *testing.T) {
	_, err := testSpec().Parse(plugin.Config{
		"count": "many", "ratio": true, "on": 3.0, "wait": -1, "target": "flow@id", "value": "profile@a..b",
		"text": "{{ profile@ }", "cond": "event@type ==", "body": "[1]", "types": []any{1.0},
		"paths": []any{"profile@", "nope"}, "set": map[string]any{"flow@x": "a", "profile@ok": "event@a..b"},
		"level": "fatal", "nested": map[string]any{"key": []any{}},
	})
	var fes plugin.FieldErrors
	if !errors.As(err, &fes) {
		t.Fatalf("err %T %v is not FieldErrors", err, err)
	}
	got := map[string]string{}
	for _, fe := range fes {
		got[fe.Field] = fe.Message
	}
	for _, f := range []string{"count", "ratio", "on", "wait", "target", "value", "text", "cond", "body",
		"types.0", "paths.0", "paths.1", "set.flow@x", "set.profile@ok", "level", "nested.key"} {
		if got[f] == "" {
			t.Errorf("no error for %s; got %v", f, got)
		}
	}
	if !strings.Contains(got["target"], "read-only") || !strings.Contains(got["level"], "info, error") {
		t.Errorf("messages: target %q, level %q", got["target"], got["level"])
	}
	var one plugin.FieldError
	if !errors.As(err, &one) || one.Field == "" {
		t.Errorf("errors.As to FieldError: %v", one)
	}
}

func TestConfigSpecRequiredAndBlank(t *testing.T) {
	s := plugin.NewConfigSpec().
		Field(plugin.NewStringField("key").Description("k").Required()).
		Field(plugin.NewIntField("n").Description("n").Default(2)).
		Field(plugin.NewJSONField("j").Description("j").Default("{}").Required())
	_, err := s.Parse(plugin.Config{"key": "  ", "n": "", "j": ""})
	fe := plugin.AsFieldErrors(err)
	if len(fe) != 2 || fe[0].Field != "key" || fe[1].Field != "j" {
		t.Fatalf("errors = %v, want key and j (a blank optional number takes its default)", fe)
	}
	pc, err := s.Parse(plugin.Config{"key": "a"})
	if err != nil || pc.Int("n") != 2 || pc.Object("j") == nil {
		t.Fatalf("defaults: %v %v", pc, err)
	}
}

func TestConfigSpecDeclarationMistakes(t *testing.T) {
	if err := plugin.NewConfigSpec().Field(plugin.NewStringField("a").Description("a")).
		Field(plugin.NewIntField("a").Description("b")).Err(); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate id: %v", err)
	}
	if err := plugin.NewConfigSpec().Field(plugin.NewIntField("n").Description("n").Default("x")).Err(); err == nil {
		t.Error("a default of the wrong type is not reported")
	}
	if err := plugin.NewConfigSpec().Field(plugin.NewEnumField("e").Description("e")).Err(); err == nil {
		t.Error("an enum without options is not reported")
	}
}

func TestConfigSpecForm(t *testing.T) {
	f := testSpec().Form()
	if len(f.Groups) != 2 || f.Groups[0].Name != "Main" || f.Groups[0].Description != "The main settings." {
		t.Fatalf("groups = %+v", f.Groups)
	}
	byID := map[string]plugin.FormField{}
	for _, g := range f.Groups {
		for _, x := range g.Fields {
			byID[x.ID] = x
		}
	}
	for id, comp := range map[string]string{"name": "text", "on": "bool", "target": "dotPath", "cond": "textarea",
		"body": "json", "set": "keyValueList", "paths": "listOfDotPaths", "level": "select"} {
		if byID[id].Component.Type != comp {
			t.Errorf("%s: component %q, want %q", id, byID[id].Component.Type, comp)
		}
	}
	if !byID["target"].Required || byID["target"].Component.Props["defaultSourceValue"] != "profile" {
		t.Errorf("target field = %+v", byID["target"])
	}
	if items := byID["level"].Component.Props["items"].(map[string]any); items["error"] != "Error" {
		t.Errorf("level items = %v", items)
	}
	hidden := plugin.NewConfigSpec().Field(plugin.NewAnyField("h").Description("h").Hidden()).Form()
	if len(hidden.Groups[0].Fields) != 0 {
		t.Error("a hidden field is in the form")
	}
}

func TestFieldReadNested(t *testing.T) {
	f := plugin.NewMappingField("traits.set").Writable()
	v, err := f.Read(map[string]any{"profile@a": "event@b"})
	if err != nil || len(v.([]plugin.Mapping)) != 1 {
		t.Fatalf("Read = %v, %v", v, err)
	}
	_, err = f.Read(map[string]any{"flow@a": 1})
	if fe := plugin.AsFieldErrors(err); len(fe) != 1 || fe[0].Field != "traits.set.flow@a" {
		t.Errorf("Read error = %v", err)
	}
}

func TestParsedConfigWrongAccessorPanics(t *testing.T) {
	pc, err := testSpec().Parse(plugin.Config{"target": "profile@a"})
	if err != nil {
		t.Fatal(err)
	}
	for name, fn := range map[string]func(){
		"wrong type": func() { pc.Int("name") },
		"undeclared": func() { pc.String("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestRunnerScope(t *testing.T) {
	st := &plugin.State{
		Event:   plugin.Event{"type": "x"},
		Profile: plugin.Profile{"id": "p"},
		Flow:    &plugin.Flow{ID: "f", Response: map[string]any{}},
	}
	r := &plugin.ActionRunner{State: st, Node: &plugin.Node{ID: "n"}, Console: st.NodeConsole("n")}
	sc := r.Scope(map[string]any{"a": 1})
	if sc.Event["type"] != "x" || sc.Profile["id"] != "p" || sc.Flow["id"] != "f" || sc.Session != nil {
		t.Fatalf("scope = %+v", sc)
	}
	if err := sc.Set(dotpath.MustRef("memory@k"), 1.0); err != nil || st.Memory["k"] != 1.0 {
		t.Fatalf("memory@ write did not reach the run's memory: %v %v", err, st.Memory)
	}
	r.State = &plugin.State{Flow: &plugin.Flow{ID: "g"}}
	r.Console = r.State.NodeConsole("n")
	if sc = r.Scope(nil); sc.Flow["id"] != "g" || sc.Profile != nil {
		t.Fatalf("scope after rebinding = %+v", sc)
	}
	if n := testing.AllocsPerRun(100, func() { r.Scope(nil) }); n != 0 {
		t.Errorf("Scope allocates %v times per call on the same run", n)
	}
	if r.Writable(dotpath.MustRef("profile@a"), "Copy") {
		t.Error("a profile@ write is allowed on a run without a profile")
	}
	if logs := r.State.Logs; len(logs) != 1 || logs[0].Level != "warning" || logs[0].NodeID != "n" {
		t.Errorf("logs = %v", logs)
	}
}

func TestFieldPattern(t *testing.T) {
	s := plugin.NewConfigSpec().Field(plugin.NewStringField("key").Description("k").
		Pattern(`^[a-z_]+$`, "use lower-case letters and _"))
	if _, err := s.Parse(plugin.Config{"key": "ok_key"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Parse(plugin.Config{"key": "Bad Key"})
	if fe := plugin.AsFieldErrors(err); len(fe) != 1 || fe[0].Field != "key" || fe[0].Message != "use lower-case letters and _" {
		t.Errorf("err = %v", err)
	}
	if v := s.Form().Groups[0].Fields[0].Validation; v == nil || v.Regex != `^[a-z_]+$` {
		t.Errorf("form validation = %+v", v)
	}
	bad := plugin.NewConfigSpec().Field(plugin.NewStringField("key").Description("k").Pattern(`(`, "x"))
	if bad.Err() == nil {
		t.Error("a bad pattern is not reported")
	}
}
