package notation

import (
	"errors"
	"reflect"
	"testing"
)

func TestValue(t *testing.T) {
	s := testScope(t)
	s.Memory["num"] = "42"
	s.Memory["flag"] = "TRUE"
	s.Memory["none"] = "None"
	tests := []struct {
		in      string
		isRef   bool
		want    any
		missing bool
	}{
		{in: "hello", want: "hello"},
		{in: "", want: ""},
		{in: "42", want: "42"},
		{in: "profile@traits.name", isRef: true, want: "Ann"},
		{in: "payload@a.c", isRef: true, want: []any{1.0, 2.0, map[string]any{"d": "x"}}},
		{in: "profile@nope", isRef: true, missing: true},
		{in: "`true`", want: true},
		{in: "`False`", want: false},
		{in: "`null`", want: nil},
		{in: "`none`", want: nil},
		{in: "`42`", want: 42.0},
		{in: "`-3`", want: -3.0},
		{in: "`1.5`", want: 1.5},
		{in: "`.5`", want: 0.5},
		{in: "`1.2.3`", want: "1.2.3"},
		{in: "`1e5`", want: "1e5"},
		{in: "`abc`", want: "abc"},
		{in: "``", want: ""},
		{in: "`", want: "`"},
		{in: "`memory@num`", isRef: true, want: 42.0},
		{in: "`memory@flag`", isRef: true, want: true},
		{in: "`memory@none`", isRef: true, want: nil},
		{in: "`payload@a.b`", isRef: true, want: 1.0},
		{in: "memory@num", isRef: true, want: "42"},
	}
	for _, tt := range tests {
		v, err := CompileValue(tt.in)
		if err != nil {
			t.Errorf("CompileValue(%q): %v", tt.in, err)
			continue
		}
		if v.IsRef() != tt.isRef {
			t.Errorf("CompileValue(%q).IsRef() = %v", tt.in, v.IsRef())
		}
		if v.String() != tt.in {
			t.Errorf("String() = %q", v.String())
		}
		got, err := v.Resolve(s)
		if tt.missing {
			if !errors.Is(err, ErrMissing) {
				t.Errorf("Resolve(%q) err = %v, want ErrMissing", tt.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Resolve(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
	if _, err := CompileValue("profile@a..b"); err == nil {
		t.Error("malformed reference accepted")
	}
	if _, err := CompileValue("`profile@a..b`"); err == nil {
		t.Error("malformed cast reference accepted")
	}
	if v := MustValue("event@type"); v.Ref().String() != "event@type" {
		t.Errorf("Ref() = %v", v.Ref())
	}
	if v, _ := LiteralValue(3.0).Resolve(nil); v != 3.0 {
		t.Errorf("LiteralValue = %v", v)
	}
}

func FuzzCompileValue(f *testing.F) {
	for _, s := range []string{"hello", "`true`", "`12`", "profile@a.b", "`payload@x`", "`-1.5`", "profile@a..b"} {
		f.Add(s)
	}
	s := &Scope{Payload: map[string]any{"x": "1"}, Profile: map[string]any{"a": map[string]any{"b": "true"}}}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := CompileValue(in)
		if err != nil {
			return
		}
		got, err := v.Resolve(s)
		if !v.IsRef() && err != nil {
			t.Fatalf("literal %q failed to resolve: %v", in, err)
		}
		if err != nil && !errors.Is(err, ErrMissing) {
			t.Fatalf("Resolve(%q): %v", in, err)
		}
		if f, ok := got.(float64); ok && f != f {
			t.Fatalf("cast %q to NaN", in)
		}
	})
}
