package notation

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func testScope(t testing.TB) *Scope {
	return &Scope{
		Payload: decode(t, `{"a":{"b":1,"c":[1,2,{"d":"x"}],"n":null,"s":"str"},"list":[10,20]}`),
		Event:   decode(t, `{"type":"page-view","properties":{"url":"/x"}}`),
		Profile: decode(t, `{"traits":{"name":"Ann","age":30,"a.b":"dotted"},"data":{"pii":{"firstname":"Ann"}}}`),
		Session: decode(t, `{"id":"s1"}`),
		Flow:    decode(t, `{"id":"f1","name":"Flow"}`),
		Memory:  map[string]any{"k": "v"},
	}
}

func TestGet(t *testing.T) {
	s := testScope(t)
	s.Memory["typed"] = map[string]string{"x": "y"}
	s.Memory["strs"] = []string{"p", "q"}
	s.Memory["maps"] = []map[string]any{{"z": 1.0}}
	tests := []struct {
		ref     string
		want    any
		missing string // substring of the error; "" when found
	}{
		{ref: "payload@a.b", want: 1.0},
		{ref: "payload@a.c.1", want: 2.0},
		{ref: "payload@a.c[2].d", want: "x"},
		{ref: "payload@a.n", want: nil},
		{ref: "payload@list.0", want: 10.0},
		{ref: "event@type", want: "page-view"},
		{ref: "profile@traits.name", want: "Ann"},
		{ref: `profile@traits["a.b"]`, want: "dotted"},
		{ref: "session@id", want: "s1"},
		{ref: "flow@name", want: "Flow"},
		{ref: "memory@k", want: "v"},
		{ref: "memory@typed.x", want: "y"},
		{ref: "memory@strs.1", want: "q"},
		{ref: "memory@maps.0.z", want: 1.0},
		{ref: "profile@traits.age2", missing: `profile@traits.age2: key "age2" not found`},
		{ref: "payload@a.c.3", missing: `payload@a.c.3: index 3 out of range (list length 3)`},
		{ref: "payload@a.c.x", missing: `"x" is not an index`},
		{ref: "payload@a.b.z", missing: `payload@a.b.z: cannot read "z": payload@a.b is a number`},
		{ref: "payload@a.s.z", missing: `is a string`},
		{ref: "payload@a.n.z", missing: `is null`},
		{ref: "memory@nope.deeper", missing: `key "nope" not found`},
	}
	for _, tt := range tests {
		got, err := s.Get(MustRef(tt.ref))
		if tt.missing != "" {
			if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), tt.missing) {
				t.Errorf("Get(%s) err = %v, want ErrMissing with %q", tt.ref, err, tt.missing)
			}
			if _, ok := s.Lookup(MustRef(tt.ref)); ok {
				t.Errorf("Lookup(%s) found a missing value", tt.ref)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Get(%s) = %#v, %v; want %#v", tt.ref, got, err, tt.want)
		}
		if v, ok := s.Lookup(MustRef(tt.ref)); !ok || !reflect.DeepEqual(v, tt.want) {
			t.Errorf("Lookup(%s) = %#v, %v", tt.ref, v, ok)
		}
	}
}

func TestGetWholeAndAbsent(t *testing.T) {
	s := testScope(t)
	got, err := s.Get(MustRef("profile@"))
	if err != nil || got.(map[string]any)["traits"] == nil {
		t.Fatalf("whole profile: %v %v", got, err)
	}
	empty := &Scope{}
	for _, r := range []string{"profile@", "profile@a", "payload@x", "event@type", "session@", "flow@id", "memory@a"} {
		_, err := empty.Get(MustRef(r))
		if !errors.Is(err, ErrMissing) {
			t.Errorf("Get(%s) on empty scope: %v", r, err)
		}
	}
	_, err = empty.Get(MustRef("profile@a"))
	if want := "profile@a: there is no profile"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := s.Get(Ref{Source: "nope"}); err == nil || errors.Is(err, ErrMissing) {
		t.Errorf("unknown source: %v", err)
	}
	// A payload that is a list.
	ls := &Scope{Payload: []any{"a", "b"}}
	if v, err := ls.Get(MustRef("payload@1")); err != nil || v != "b" {
		t.Errorf("list payload: %v %v", v, err)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		value   any
		check   string // a reference to read back
		want    any
		wantErr string
	}{
		{name: "existing", ref: "profile@traits.name", value: "Bob", check: "profile@traits.name", want: "Bob"},
		{name: "create intermediates", ref: "profile@x.y.z", value: 1.0, check: "profile@x.y.z", want: 1.0},
		{name: "through null", ref: "payload@a.n.q", value: true, check: "payload@a.n.q", want: true},
		{name: "list index", ref: "payload@a.c.0", value: "first", check: "payload@a.c.0", want: "first"},
		{name: "list append", ref: "payload@a.c.3", value: "last", check: "payload@a.c.3", want: "last"},
		{name: "list append object", ref: "payload@list.2.k", value: "v", check: "payload@list.2.k", want: "v"},
		{name: "into list element", ref: "payload@a.c.2.e", value: 5.0, check: "payload@a.c.2.e", want: 5.0},
		{name: "numeric key in object", ref: "memory@m.0", value: "zero", check: "memory@m.0", want: "zero"},
		{name: "event", ref: "event@properties.url", value: "/y", check: "event@properties.url", want: "/y"},
		{name: "session", ref: "session@x", value: 1.0, check: "session@x", want: 1.0},
		{name: "bracket key", ref: `profile@traits["c.d"]`, value: 2.0, check: `profile@traits["c.d"]`, want: 2.0},
		{name: "flow read-only", ref: "flow@name", value: "x", wantErr: "read-only"},
		{name: "flow whole read-only", ref: "flow@", value: map[string]any{}, wantErr: "read-only"},
		{name: "out of range", ref: "payload@a.c.9", value: 1.0, wantErr: "index 9 out of range"},
		{name: "key into list", ref: "payload@a.c.k", value: 1.0, wantErr: `cannot write key "k" into a list`},
		{name: "through scalar", ref: "payload@a.b.c", value: 1.0, wantErr: `payload@a.b is a number`},
		{name: "whole profile needs object", ref: "profile@", value: "x", wantErr: "an object is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testScope(t)
			err := s.Set(MustRef(tt.ref), tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Set err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(MustRef(tt.check))
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("after Set, Get(%s) = %#v, %v; want %#v", tt.check, got, err, tt.want)
			}
		})
	}
}

func TestSetWholeInPlace(t *testing.T) {
	s := testScope(t)
	holder := s.Profile
	if err := s.Set(MustRef("profile@"), map[string]any{"id": "p2"}); err != nil {
		t.Fatal(err)
	}
	if len(holder) != 1 || holder["id"] != "p2" {
		t.Fatalf("holder sees %v", holder)
	}
	// Replacing with itself keeps the contents.
	if err := s.Set(MustRef("profile@"), holder); err != nil || holder["id"] != "p2" {
		t.Fatalf("self replace: %v %v", holder, err)
	}
	// Payload map replaced in place; a non-map payload replaced outright.
	pm := s.Payload.(map[string]any)
	if err := s.Set(MustRef("payload@"), map[string]any{"z": 1.0}); err != nil || pm["z"] != 1.0 || len(pm) != 1 {
		t.Fatalf("payload in place: %v %v", pm, err)
	}
	if err := s.Set(MustRef("payload@"), "text"); err != nil || s.Payload != "text" {
		t.Fatalf("payload replace: %v %v", s.Payload, err)
	}
}

func TestSetAbsentSources(t *testing.T) {
	s := &Scope{}
	if err := s.Set(MustRef("memory@a.b"), 1.0); err != nil || At(s.Memory, "a.b") != 1.0 {
		t.Fatalf("memory created: %v %v", s.Memory, err)
	}
	if err := s.Set(MustRef("payload@a"), 1.0); err != nil || s.Payload.(map[string]any)["a"] != 1.0 {
		t.Fatalf("payload created: %v %v", s.Payload, err)
	}
	for _, r := range []string{"profile@a", "session@a", "event@a", "profile@"} {
		err := s.Set(MustRef(r), map[string]any{})
		if err == nil || !strings.Contains(err.Error(), "there is no") {
			t.Errorf("Set(%s) on absent source: %v", r, err)
		}
	}
	if err := s.Set(Ref{Source: "nope", Path: []string{"a"}}, 1); err == nil {
		t.Error("unknown source accepted")
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		ref   string
		check string
		want  any // nil means the check must be missing
	}{
		{ref: "profile@traits.name", check: "profile@traits.name"},
		{ref: "profile@traits.nope.deeper", check: "profile@traits.age", want: 30.0},
		{ref: "payload@a.c.0", check: "payload@a.c.0", want: 2.0},
		{ref: "payload@a.c.7", check: "payload@a.c.2.d", want: "x"},
		{ref: "payload@a.c.2.d", check: "payload@a.c.2.d"},
		{ref: "event@properties", check: "event@properties"},
		{ref: "memory@k", check: "memory@k"},
		{ref: "session@id", check: "session@id"},
		{ref: "payload@a.b.c", check: "payload@a.b", want: 1.0},
	}
	for _, tt := range tests {
		s := testScope(t)
		if err := s.Delete(MustRef(tt.ref)); err != nil {
			t.Errorf("Delete(%s): %v", tt.ref, err)
			continue
		}
		got, err := s.Get(MustRef(tt.check))
		if tt.want == nil {
			if !errors.Is(err, ErrMissing) {
				t.Errorf("after Delete(%s), %s = %v", tt.ref, tt.check, got)
			}
		} else if err != nil || got != tt.want {
			t.Errorf("after Delete(%s), %s = %v, %v; want %v", tt.ref, tt.check, got, err, tt.want)
		}
	}
	s := testScope(t)
	holder := s.Profile
	if err := s.Delete(MustRef("profile@")); err != nil || len(holder) != 0 {
		t.Errorf("delete whole profile: %v %v", holder, err)
	}
	if err := s.Delete(MustRef("flow@id")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("delete flow: %v", err)
	}
	if err := (&Scope{}).Delete(MustRef("profile@a")); err != nil {
		t.Errorf("delete on absent profile: %v", err)
	}
	if err := s.Delete(MustRef("payload@")); err != nil || len(s.Payload.(map[string]any)) != 0 {
		t.Errorf("delete payload: %v", err)
	}
}

func TestGetDoesNotAllocate(t *testing.T) {
	s := testScope(t)
	r := MustRef("payload@a.c.2.d")
	miss := MustRef("profile@traits.missing.x")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.Get(r); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Lookup(miss); ok {
			t.Fatal("found")
		}
	})
	if allocs != 0 {
		t.Fatalf("Get allocates %v times", allocs)
	}
}

func BenchmarkGet(b *testing.B) {
	s := testScope(b)
	r := MustRef("profile@data.pii.firstname")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	s := testScope(b)
	r := MustRef("profile@traits.visits.count")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Set(r, 1.0); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNilScope(t *testing.T) {
	var s *Scope
	if _, err := s.Get(MustRef("profile@a")); !errors.Is(err, ErrMissing) {
		t.Errorf("Get on nil scope: %v", err)
	}
	if _, ok := s.Lookup(MustRef("payload@")); ok {
		t.Error("Lookup on nil scope found a value")
	}
	if err := s.Set(MustRef("memory@a"), 1.0); err == nil {
		t.Error("Set on nil scope succeeded")
	}
	if err := s.Delete(MustRef("memory@a")); err != nil {
		t.Errorf("Delete on nil scope: %v", err)
	}
	if got := MustTemplate("[{{ profile@a }}]").Render(nil); got != "[]" {
		t.Errorf("Render(nil) = %q", got)
	}
	typed := &Scope{Payload: map[string]any(nil)}
	if _, ok := typed.Lookup(MustRef("payload@")); ok {
		t.Error("a nil payload map exists")
	}
}
