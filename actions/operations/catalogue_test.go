package operations_test

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func jsonEq(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := plugin.Encode(map[string]any{"v": got})
	w, _ := plugin.Encode(map[string]any{"v": want})
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestUUID4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 20 {
		out := plugintest.Run(t, operations.RegisterUUID4(), plugintest.Case{Payload: plugin.Payload{"a": 1.0}})
		id, _ := out.MustPort(t, "uuid4")["uuid4"].(string)
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("uuid4 %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func TestPasswordGenerator(t *testing.T) {
	config := plugin.Config{"lowercase": 4, "max_length": 13, "min_length": 8, "special_characters": 2, "uppercase": 2}
	for range 50 {
		out := plugintest.Run(t, operations.RegisterPasswordGenerator(), plugintest.Case{Config: config})
		pw, _ := out.MustPort(t, "password")["password"].(string)
		var up, low, special int
		for _, r := range pw {
			switch {
			case unicode.IsUpper(r):
				up++
			case unicode.IsLower(r):
				low++
			case !unicode.IsDigit(r):
				special++
			}
		}
		if len(pw) < 8 || len(pw) > 13 || up < 2 || low < 4 || special < 2 {
			t.Fatalf("password %q: length %d, upper %d, lower %d, special %d", pw, len(pw), up, low, special)
		}
	}
	// Numbers as text, as Tracardi's forms send them.
	out := plugintest.Run(t, operations.RegisterPasswordGenerator(), plugintest.Case{Config: plugin.Config{
		"lowercase": "1", "max_length": "5", "min_length": "5", "special_characters": "0", "uppercase": "1"}})
	if pw := out.MustPort(t, "password")["password"].(string); len(pw) != 5 {
		t.Errorf("password %q, want 5 characters", pw)
	}
	p := operations.RegisterPasswordGenerator()
	plugintest.SetUpFails(t, p, plugin.Config{"lowercase": 1, "max_length": 5, "min_length": 8, "special_characters": 0, "uppercase": 0}, "min_length")
	plugintest.SetUpFails(t, p, plugin.Config{"lowercase": 4, "max_length": 5, "min_length": 2, "special_characters": 2, "uppercase": 2}, "max_length")
	plugintest.SetUpFails(t, p, plugin.Config{"lowercase": 4, "max_length": 1e9, "min_length": 2, "special_characters": 2, "uppercase": 2}, "max_length")
}

func TestSortDictionary(t *testing.T) {
	ev := plugin.Event{"properties": map[string]any{"d": map[string]any{"b": 1.0, "a": 3.0, "c": 2.0}, "mixed": map[string]any{"a": 1.0, "b": "x"}}}
	cases := []struct {
		config plugin.Config
		port   string
		want   any
	}{
		{plugin.Config{"data": "event@properties.d", "direction": "asc", "sort_by": "key"}, "result",
			[]any{[]any{"a", 3.0}, []any{"b", 1.0}, []any{"c", 2.0}}},
		{plugin.Config{"data": "event@properties.d", "direction": "desc", "sort_by": "key"}, "result",
			[]any{[]any{"c", 2.0}, []any{"b", 1.0}, []any{"a", 3.0}}},
		{plugin.Config{"data": "event@properties.d", "direction": "asc", "sort_by": "value"}, "result",
			[]any{[]any{"b", 1.0}, []any{"c", 2.0}, []any{"a", 3.0}}},
		{plugin.Config{"data": "event@properties.d", "direction": "desc", "sort_by": "value"}, "result",
			[]any{[]any{"a", 3.0}, []any{"c", 2.0}, []any{"b", 1.0}}},
		// Tracardi's test config: a literal, not an object.
		{plugin.Config{"direction": "asc", "data": "data", "sort_by": "key"}, "error", "Referenced data is not a dictionary."},
		{plugin.Config{"data": "event@properties.none", "direction": "asc", "sort_by": "key"}, "error", nil},
		{plugin.Config{"data": "event@properties.mixed", "direction": "asc", "sort_by": "value"}, "error", nil},
	}
	for _, c := range cases {
		out := plugintest.Run(t, operations.RegisterSortDictionary(), plugintest.Case{Config: c.config, Event: ev})
		got := out.MustPort(t, c.port)
		if c.port == "result" {
			jsonEq(t, "result", got["result"], c.want)
		} else if msg, _ := got["message"].(string); msg == "" || c.want != nil && msg != c.want {
			t.Errorf("%v: error %q, want %v", c.config, msg, c.want)
		}
	}
	p := operations.RegisterSortDictionary()
	plugintest.SetUpFails(t, p, plugin.Config{"data": "event@x", "direction": "up", "sort_by": "key"}, "direction")
	plugintest.SetUpFails(t, p, plugin.Config{"data": "event@x", "direction": "asc", "sort_by": "size"}, "sort_by")
	plugintest.SetUpFails(t, p, plugin.Config{"data": "", "direction": "asc", "sort_by": "key"}, "data")
}

func TestSortArray(t *testing.T) {
	ev := plugin.Event{"properties": map[string]any{"n": []any{3.0, 1.0, 2.0}, "s": []any{"b", "a"}, "mixed": []any{1.0, "a"}, "o": map[string]any{}}}
	cases := []struct {
		config plugin.Config
		port   string
		want   any
	}{
		{plugin.Config{"data": "event@properties.n", "direction": "asc"}, "result", []any{1.0, 2.0, 3.0}},
		{plugin.Config{"data": "event@properties.n", "direction": "desc"}, "result", []any{3.0, 2.0, 1.0}},
		{plugin.Config{"data": "event@properties.s", "direction": "asc"}, "result", []any{"a", "b"}},
		{plugin.Config{"data": "event@properties.mixed", "direction": "asc"}, "error", nil},
		{plugin.Config{"data": "event@properties.o", "direction": "asc"}, "error", nil},
		{plugin.Config{"data": "event@properties.list_of_something", "direction": "asc"}, "error", nil},
	}
	for _, c := range cases {
		out := plugintest.Run(t, operations.RegisterSortArray(), plugintest.Case{Config: c.config, Event: ev})
		got := out.MustPort(t, c.port)
		if c.port == "result" {
			jsonEq(t, "result", got["result"], c.want)
		}
	}
	// The event's list is not changed.
	jsonEq(t, "event list", ev["properties"].(map[string]any)["n"], []any{3.0, 1.0, 2.0})
	plugintest.SetUpFails(t, operations.RegisterSortArray(), plugin.Config{"data": "", "direction": "asc"}, "data")
}

func hexOf(sum []byte) string { return hex.EncodeToString(sum) }

func TestHashTraits(t *testing.T) {
	profile := plugin.Profile{"id": "p", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.com"}}},
		"traits": map[string]any{"list": []any{1.0, 2.0}, "obj": map[string]any{"b": "é", "a": 1.5}}}
	out := plugintest.Run(t, operations.RegisterHashTraits(), plugintest.Case{
		Config:  plugin.Config{"func": "md5", "traits": []any{"profile@data.contact.email.main", "profile@traits.list", "profile@traits.obj", "profile@traits.none", "payload@x"}},
		Profile: profile, Payload: plugin.Payload{"x": "secret"},
	})
	got := out.MustPort(t, "payload")
	md := func(s string) string { h := md5.Sum([]byte(s)); return hexOf(h[:]) }
	if got["x"] != md("secret") {
		t.Errorf("payload x = %v", got["x"])
	}
	if v := profile["data"].(map[string]any)["contact"].(map[string]any)["email"].(map[string]any)["main"]; v != md("ann@example.com") {
		t.Errorf("email = %v", v)
	}
	traits := profile.Traits()
	if traits["list"] != md("[1, 2]") || traits["obj"] != md(`{"a": 1.5, "b": "\u00e9"}`) {
		t.Errorf("traits = %v", traits)
	}
	if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "warning" || !strings.Contains(logs[0].Message, "profile@traits.none") {
		t.Errorf("logs = %v", logs)
	}
	out = plugintest.Run(t, operations.RegisterHashTraits(), plugintest.Case{
		Config: plugin.Config{"func": "sha256", "traits": []any{"event@properties.email"}},
		Event:  plugin.Event{"properties": map[string]any{"email": "a@b.c"}},
	})
	out.MustPort(t, "payload")
	h := sha256.Sum256([]byte("a@b.c"))
	if v := out.State.Event.Properties()["email"]; v != hexOf(h[:]) {
		t.Errorf("event email = %v", v)
	}
	// Tracardi's test config, and a profile-less event.
	plugintest.Run(t, operations.RegisterHashTraits(), plugintest.Case{Config: plugin.Config{"func": "md5", "traits": []any{}}}).MustPort(t, "payload")
	out = plugintest.Run(t, operations.RegisterHashTraits(), plugintest.Case{Config: plugin.Config{"traits": []any{"profile@traits.a"}}})
	out.MustPort(t, "payload")
	if len(out.Logs()) != 1 {
		t.Errorf("profile-less logs = %v", out.Logs())
	}
	plugintest.SetUpFails(t, operations.RegisterHashTraits(), plugin.Config{"func": "crc", "traits": []any{}}, "func")
	plugintest.SetUpFails(t, operations.RegisterHashTraits(), plugin.Config{"traits": []any{"flow@id"}}, "traits.0")
}

func TestMaskTraits(t *testing.T) {
	profile := plugin.Profile{"id": "p", "traits": map[string]any{"phone": "123", "n": 5.0}}
	ev := plugin.Event{"properties": map[string]any{"phone": "555"}}
	out := plugintest.Run(t, operations.RegisterMaskTraits(), plugintest.Case{
		Config:  plugin.Config{"traits": []any{"profile@traits.phone", "profile@traits.n", "event@properties.phone", "profile@traits.none"}},
		Profile: profile, Event: ev,
	})
	out.MustPort(t, "payload")
	if tr := profile.Traits(); tr["phone"] != "###" || tr["n"] != "###" {
		t.Errorf("traits = %v", tr)
	}
	if ev.Properties()["phone"] != "555" {
		t.Errorf("event value masked: %v", ev.Properties())
	}
	if logs := out.Logs(); len(logs) != 2 {
		t.Errorf("logs = %v, want two warnings", logs)
	}
}

func TestUpdateSession(t *testing.T) {
	session := plugin.Session{"id": "s", "metadata": map[string]any{"time": map[string]any{"insert": "2026-01-01T00:00:00"}}}
	out := plugintest.Run(t, operations.RegisterUpdateSession(), plugintest.Case{Session: session})
	if out.Err != nil || len(out.Results) != 0 {
		t.Fatalf("results %v, err %v", out.Results, out.Err)
	}
	if out.State.SessionFlag() != plugin.SaveForced {
		t.Error("session not marked for saving")
	}
	if u, _ := session["metadata"].(map[string]any)["time"].(map[string]any)["update"].(string); !strings.HasPrefix(u, "20") {
		t.Errorf("update time %q", u)
	}
	out = plugintest.Run(t, operations.RegisterUpdateSession(), plugintest.Case{})
	if logs := out.Logs(); len(logs) != 1 || logs[0].Level != "warning" {
		t.Errorf("no session: logs %v", logs)
	}
}

func TestReduceArray(t *testing.T) {
	cases := []struct {
		list any
		port string
		want plugin.Payload
	}{
		{[]any{"a", "b", "a", 1.0, true, nil, 1.0, 1.0}, "result", plugin.Payload{
			"counts": map[string]any{"a": 2.0, "b": 1.0, "1": 3.0, "True": 1.0, "None": 1.0}, "max": "1", "min": "b", "total": 8.0}},
		{[]any{"x", "y"}, "result", plugin.Payload{"counts": map[string]any{"x": 1.0, "y": 1.0}, "max": "x", "min": "x", "total": 2.0}},
		{[]any{}, "result", plugin.Payload{"counts": map[string]any{}, "max": nil, "min": nil, "total": 0.0}},
		{"text", "error", nil},
	}
	for _, c := range cases {
		out := plugintest.Run(t, operations.RegisterReduceArray(), plugintest.Case{Config: plugin.Config{"array": "payload@test"}, Payload: plugin.Payload{"test": c.list}})
		got := out.MustPort(t, c.port)
		if c.want != nil {
			jsonEq(t, "result", got, c.want)
		} else if got["error"] == "" {
			t.Errorf("%v: error %v", c.list, got)
		}
	}
	out := plugintest.Run(t, operations.RegisterReduceArray(), plugintest.Case{Config: plugin.Config{"array": "payload@test"}})
	out.MustPort(t, "error")
	plugintest.SetUpFails(t, operations.RegisterReduceArray(), plugin.Config{"array": nil}, "array")
}

func TestFieldType(t *testing.T) {
	ev := plugin.Event{"properties": map[string]any{"s": "héllo", "i": 3.0, "f": 2.5, "b": true, "n": nil, "l": []any{1.0}, "o": map[string]any{"a": 1.0, "b": 2.0}}}
	for path, want := range map[string]plugin.Payload{
		"s": {"type": "string", "length": 5.0}, "i": {"type": "int", "length": nil}, "f": {"type": "float", "length": nil},
		"b": {"type": "bool", "length": nil}, "n": {"type": "null", "length": nil}, "l": {"type": "array", "length": 1.0},
		"o": {"type": "object", "length": 2.0},
	} {
		out := plugintest.Run(t, operations.RegisterFieldType(), plugintest.Case{Config: plugin.Config{"field": "event@properties." + path}, Event: ev})
		jsonEq(t, path, out.MustPort(t, "field_info"), want)
	}
	out := plugintest.Run(t, operations.RegisterFieldType(), plugintest.Case{Config: plugin.Config{"field": "profile@id"}, Profile: plugin.Profile{"id": "abc"}})
	jsonEq(t, "profile id", out.MustPort(t, "field_info"), plugin.Payload{"type": "string", "length": 3.0})
	out = plugintest.Run(t, operations.RegisterFieldType(), plugintest.Case{Config: plugin.Config{"field": "event@properties.none"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "properties.none") {
		t.Errorf("missing field: err %v", out.Err)
	}
}

func TestMemoryCollect(t *testing.T) {
	ctx := context.Background()
	p := operations.RegisterMemoryCollect()
	a, err := plugintest.SetUp(ctx, p, plugin.Config{"name": "Test name", "type": "list"})
	if err != nil {
		t.Fatal(err)
	}
	mem := map[string]any{}
	for _, v := range []float64{1, 2} {
		out := plugintest.RunAction(ctx, p, a, plugintest.Case{Payload: plugin.Payload{"v": v}, Memory: mem})
		out.MustPort(t, "payload")
	}
	jsonEq(t, "list", mem["Test_name"], []any{map[string]any{"v": 1.0}, map[string]any{"v": 2.0}})

	a, err = plugintest.SetUp(ctx, p, plugin.Config{"name": "c", "type": "dict"})
	if err != nil {
		t.Fatal(err)
	}
	mem = map[string]any{}
	out := plugintest.RunAction(ctx, p, a, plugintest.Case{Payload: plugin.Payload{"v": 1.0}, Memory: mem, Edge: &plugin.Edge{ID: "e1", Name: "first branch"}})
	out.MustPort(t, "payload")
	jsonEq(t, "dict", mem["c"], map[string]any{"first-branch": map[string]any{"v": 1.0}})
	out = plugintest.RunAction(ctx, p, a, plugintest.Case{Memory: mem, Edge: &plugin.Edge{ID: "e2"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "e2") {
		t.Errorf("unnamed edge: %v", out.Err)
	}
	out = plugintest.RunAction(ctx, p, a, plugintest.Case{Memory: map[string]any{"c": []any{}}, Edge: &plugin.Edge{ID: "e1", Name: "x"}})
	if out.Err == nil {
		t.Error("a list under the key of a dict collection: no error")
	}
	plugintest.SetUpFails(t, p, plugin.Config{"name": " ", "type": "list"}, "name")
	plugintest.SetUpFails(t, p, plugin.Config{"name": "x", "type": "set"}, "type")
}

func TestIntegrationIDs(t *testing.T) {
	profile := plugin.Profile{"id": "p1"}
	out := plugintest.Run(t, operations.RegisterAddIntegrationID(), plugintest.Case{
		Config:  plugin.Config{"id": "event@properties.crm", "name": "My CRM", "data": `{"list": "event@properties.list", "gone": "event@properties.none", "k": 1}`},
		Event:   plugin.Event{"properties": map[string]any{"crm": "c-42", "list": "news"}},
		Profile: profile, Payload: plugin.Payload{"a": 1.0},
	})
	jsonEq(t, "payload", out.MustPort(t, "payload"), plugin.Payload{"a": 1.0})
	rec := profile["aux"].(map[string]any)["integration_ids"].(map[string]any)["my-crm"].(map[string]any)
	if rec["id"] != "my-crm:p1" || rec["type"] != "my-crm" {
		t.Errorf("record = %v", rec)
	}
	jsonEq(t, "traits", rec["traits"], map[string]any{"id": "c-42"})
	jsonEq(t, "properties", rec["properties"], map[string]any{"list": "news", "gone": nil, "k": 1.0})

	for _, c := range []struct {
		config plugin.Config
		want   any
	}{
		{plugin.Config{"name": "my crm"}, []any{"c-42"}},
		{plugin.Config{"name": "My CRM", "get_ids_only": false}, []any{rec}},
	} {
		out = plugintest.Run(t, operations.RegisterGetIntegrationID(), plugintest.Case{Config: c.config, Profile: profile})
		jsonEq(t, "result", out.MustPort(t, "payload")["result"], c.want)
	}
	out = plugintest.Run(t, operations.RegisterGetIntegrationID(), plugintest.Case{Config: plugin.Config{"name": "other"}, Profile: profile, Payload: plugin.Payload{"b": 2.0}})
	jsonEq(t, "missing", out.MustPort(t, "missing"), plugin.Payload{"b": 2.0})

	// Tracardi's test configs set up, and fail at run time with a message.
	for _, c := range []struct {
		p      plugin.Plugin
		config plugin.Config
	}{
		{operations.RegisterGetIntegrationID(), plugin.Config{"name": ""}},
		{operations.RegisterAddIntegrationID(), plugin.Config{"id": "event@properties", "name": "", "data": "{}"}},
		{operations.RegisterGetIntegrationID(), plugin.Config{"name": "x"}}, // no profile
	} {
		var prof plugin.Profile
		if c.config["name"] == "" {
			prof = plugin.Profile{"id": "p"}
		}
		out := plugintest.Run(t, c.p, plugintest.Case{Config: c.config, Profile: prof})
		if msg, _ := out.MustPort(t, "error")["message"].(string); msg == "" {
			t.Errorf("%s %v: no message", c.p.Spec.Module, c.config)
		}
	}
	plugintest.SetUpFails(t, operations.RegisterAddIntegrationID(), plugin.Config{"id": "event@x", "name": "a", "data": "[1]"}, "data")
	plugintest.SetUpFails(t, operations.RegisterAddIntegrationID(), plugin.Config{"id": "event@x", "name": "a", "data": "{"}, "data")
}

func TestAddEmptySession(t *testing.T) {
	old := plugin.Session{"id": "old"}
	ev := plugin.Event{"id": "e", "session": map[string]any{"id": "old"}}
	out := plugintest.Run(t, operations.RegisterAddEmptySession(), plugintest.Case{Event: ev, Profile: plugin.Profile{"id": "p"}, Session: old})
	out.MustPort(t, "payload")
	s := out.State.Session
	if s.ID() == "old" || s.ID() == "" || s["profile"].(map[string]any)["id"] != "p" {
		t.Fatalf("session = %v", s)
	}
	if ev["session"].(map[string]any)["id"] != s.ID() || out.State.SessionFlag() != plugin.SaveForced {
		t.Errorf("event session %v, flag %v", ev["session"], out.State.SessionFlag())
	}
}

func TestAddEmptyProfile(t *testing.T) {
	for _, c := range []struct {
		session    string
		hasSession bool
		newSession bool
	}{
		{"always", true, true}, {"if-not-exists", true, false}, {"if-not-exists", false, true}, {"never", false, false},
	} {
		ev := plugin.Event{"id": "e", "metadata": map[string]any{"profile_less": true}}
		var old plugin.Session
		if c.hasSession {
			old = plugin.Session{"id": "old"}
		}
		out := plugintest.Run(t, operations.RegisterAddEmptyProfile(), plugintest.Case{Config: plugin.Config{"session": c.session}, Event: ev, Session: old})
		out.MustPort(t, "payload")
		p := out.State.Profile
		if p == nil || p.ID() == "" || p["operation"].(map[string]any)["new"] != true || out.State.ProfileFlag() != plugin.SaveForced {
			t.Fatalf("%s: profile = %v", c.session, p)
		}
		if ev["profile"].(map[string]any)["id"] != p.ID() || ev["metadata"].(map[string]any)["profile_less"] != false {
			t.Errorf("%s: event = %v", c.session, ev)
		}
		s := out.State.Session
		created := s != nil && s.ID() != "old"
		if created != c.newSession {
			t.Errorf("%s (had session %v): session %v", c.session, c.hasSession, s)
		}
		if created && s["profile"].(map[string]any)["id"] != p.ID() {
			t.Errorf("%s: session's profile %v", c.session, s["profile"])
		}
	}
	plugintest.SetUpFails(t, operations.RegisterAddEmptyProfile(), plugin.Config{"session": "sometimes"}, "session")
}
