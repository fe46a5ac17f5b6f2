package notation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestReshape(t *testing.T) {
	tests := []struct {
		name string
		tpl  string // JSON
		want string // JSON
	}{
		{"references and literals", `{"name":"profile@traits.name","src":"web","n":3,"ok":true,"z":null}`,
			`{"name":"Ann","src":"web","n":3,"ok":true,"z":null}`},
		{"nested", `{"x":{"a":"session@...","c":[111,"profile@traits.age",{"t":"event@type"}]}}`,
			`{"x":{"a":{"id":"s1"},"c":[111,30,{"t":"page-view"}]}}`},
		{"missing is null", `{"a":"profile@nope","b":["payload@nope"]}`, `{"a":null,"b":[null]}`},
		{"optional omitted", `{"a?":"profile@nope","b?":"payload@a.n","c?":"memory@empty","d?":"memory@emptyList","e?":"memory@emptyMap","f?":{}}`, `{}`},
		{"optional kept", `{"a?":"profile@traits.name","b?":0,"c?":false,"d?":{"x":"profile@nope"}}`, `{"a":"Ann","b":0,"c":false,"d":{"x":null}}`},
		{"optional nested empty", `{"a?":{"b?":"profile@nope"}}`, `{}`},
		{"top-level reference", `"payload@a.c"`, `[1,2,{"d":"x"}]`},
		{"top-level literal", `"just text"`, `"just text"`},
		{"top-level list", `["profile@traits.name","abc",{"a":"profile@traits.age"}]`, `["Ann","abc",{"a":30}]`},
		{"empty list", `[]`, `[]`},
		{"empty object", `{}`, `{}`},
		{"null", `null`, `null`},
		{"cast", `{"n":"` + "`memory@num`" + `","b":"` + "`true`" + `"}`, `{"n":42,"b":true}`},
		{"question mark inside key", `{"a?b":"x"}`, `{"a?b":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testScope(t)
			s.Memory["empty"] = ""
			s.Memory["emptyList"] = []any{}
			s.Memory["emptyMap"] = map[string]any{}
			s.Memory["num"] = "42"
			var tpl, want any
			if err := json.Unmarshal([]byte(tt.tpl), &tpl); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			r, err := CompileReshape(tpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Apply(s)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Apply = %#v, want %#v", got, want)
			}
		})
	}
}

func TestReshapeCopies(t *testing.T) {
	s := testScope(t)
	r, err := CompileReshape(map[string]any{"t": "profile@traits"})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := r.Apply(s)
	At(out, "t").(map[string]any)["name"] = "changed"
	if At(s.Profile, "traits.name") != "Ann" {
		t.Fatal("reshape result shares the profile's map")
	}
}

// ApplyShared builds the same value as Apply, sharing the scope's maps.
func TestReshapeShared(t *testing.T) {
	s := testScope(t)
	r, err := CompileReshape(map[string]any{"t": "profile@traits", "n": "profile@traits.name", "lit": []any{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	own, _ := r.Apply(s)
	shared, _ := r.ApplyShared(s)
	a, _ := json.Marshal(own)
	b, _ := json.Marshal(shared)
	if string(a) != string(b) || At(shared, "n") != "Ann" {
		t.Fatalf("shared %s, own %s", b, a)
	}
	At(shared, "t").(map[string]any)["name"] = "changed"
	if At(s.Profile, "traits.name") != "changed" {
		t.Fatal("ApplyShared copied the profile's map")
	}
}

func TestReshapeErrors(t *testing.T) {
	_, err := CompileReshape(map[string]any{"a": []any{"ok", "profile@a..b"}})
	if err == nil {
		t.Fatal("malformed reference accepted")
	}
	if _, err := CompileReshape(map[string]string{"a": "profile@x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := CompileReshape([]string{"profile@x"}); err != nil {
		t.Fatal(err)
	}
}

func TestReshapeErrorIsDeterministic(t *testing.T) {
	tpl := map[string]any{"b": "profile@x..y", "a": "event@p..q", "c": "memory@m..n"}
	_, first := CompileReshape(tpl)
	for range 20 {
		if _, err := CompileReshape(tpl); err == nil || err.Error() != first.Error() {
			t.Fatalf("errors differ: %v vs %v", err, first)
		}
	}
	if !strings.Contains(first.Error(), "at a:") {
		t.Fatalf("error %q does not name key a", first)
	}
}
