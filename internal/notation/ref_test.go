package notation

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		wantErr bool
		want    Ref
	}{
		{in: "profile@traits.a.b", ok: true, want: Ref{Source: "profile", Path: []string{"traits", "a", "b"}}},
		{in: "payload@a", ok: true, want: Ref{Source: "payload", Path: []string{"a"}}},
		{in: "event@type", ok: true, want: Ref{Source: "event", Path: []string{"type"}}},
		{in: "session@id", ok: true, want: Ref{Source: "session", Path: []string{"id"}}},
		{in: "flow@name", ok: true, want: Ref{Source: "flow", Path: []string{"name"}}},
		{in: "memory@x.0.y", ok: true, want: Ref{Source: "memory", Path: []string{"x", "0", "y"}}},
		{in: "profile@", ok: true, want: Ref{Source: "profile"}},
		{in: "profile@.", ok: true, want: Ref{Source: "profile"}},
		{in: "profile@...", ok: true, want: Ref{Source: "profile"}},
		{in: "profile@$a", ok: true, want: Ref{Source: "profile", Path: []string{"$a"}}},
		{in: "profile@traits.first name", ok: true, want: Ref{Source: "profile", Path: []string{"traits", "first name"}}},
		{in: `profile@traits["a.b"].c`, ok: true, want: Ref{Source: "profile", Path: []string{"traits", "a.b", "c"}}},
		{in: `profile@["a"]`, ok: true, want: Ref{Source: "profile", Path: []string{"a"}}},
		{in: `payload@items[0].sku`, ok: true, want: Ref{Source: "payload", Path: []string{"items", "0", "sku"}}},
		{in: `payload@items[0][1]`, ok: true, want: Ref{Source: "payload", Path: []string{"items", "0", "1"}}},
		{in: `payload@a.["b"]`, ok: true, want: Ref{Source: "payload", Path: []string{"a", "b"}}},
		{in: `payload@a["q\"\\"]`, ok: true, want: Ref{Source: "payload", Path: []string{"a", `q"\`}}},
		{in: `payload@a[""]`, ok: true, want: Ref{Source: "payload", Path: []string{"a", ""}}},
		// literals
		{in: "hello", ok: false},
		{in: "", ok: false},
		{in: "@a", ok: false},
		{in: "user@example.com", ok: false},
		{in: "Profile@a", ok: false},
		{in: " profile@a", ok: false},
		{in: "profiles@a", ok: false},
		// malformed
		{in: "profile@a..b", ok: true, wantErr: true},
		{in: "profile@a.", ok: true, wantErr: true},
		{in: "profile@.a", ok: true, wantErr: true},
		{in: "profile@a]", ok: true, wantErr: true},
		{in: "profile@a[", ok: true, wantErr: true},
		{in: "profile@a[x]", ok: true, wantErr: true},
		{in: `profile@a["x"`, ok: true, wantErr: true},
		{in: `profile@a["x`, ok: true, wantErr: true},
		{in: `profile@a["x\n"]`, ok: true, wantErr: true},
		{in: `profile@a["x"]b`, ok: true, wantErr: true},
		{in: "profile@....", ok: true, wantErr: true},
	}
	for _, tt := range tests {
		got, ok, err := ParseRef(tt.in)
		if ok != tt.ok || (err != nil) != tt.wantErr {
			t.Errorf("ParseRef(%q) ok=%v err=%v; want ok=%v wantErr=%v", tt.in, ok, err, tt.ok, tt.wantErr)
			continue
		}
		if err != nil {
			if !reflect.DeepEqual(got, Ref{}) {
				t.Errorf("ParseRef(%q) returned %#v with an error", tt.in, got)
			}
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRef(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestRefString(t *testing.T) {
	tests := []struct {
		ref  Ref
		want string
	}{
		{Ref{Source: "profile", Path: []string{"traits", "a"}}, "profile@traits.a"},
		{Ref{Source: "profile"}, "profile@..."},
		{Ref{Source: "payload", Path: []string{"a.b", "c"}}, `payload@["a.b"].c`},
		{Ref{Source: "payload", Path: []string{"x", "first name"}}, `payload@x["first name"]`},
		{Ref{Source: "payload", Path: []string{"x", `q"\`}}, `payload@x["q\"\\"]`},
		{Ref{Source: "payload", Path: []string{"x", ""}}, `payload@x[""]`},
		{Ref{Source: "payload", Path: []string{"zażółć", "0"}}, `payload@zażółć.0`},
		{Ref{Source: "payload", Path: []string{"a}}b"}}, `payload@["a}}b"]`},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		back, ok, err := ParseRef(tt.want)
		if !ok || err != nil {
			t.Fatalf("ParseRef(%q): ok=%v err=%v", tt.want, ok, err)
		}
		if back.String() != tt.want || len(back.Path) != len(tt.ref.Path) {
			t.Errorf("round trip of %q gave %#v", tt.want, back)
		}
	}
}

func TestMustRef(t *testing.T) {
	if r := MustRef("event@type"); r.Source != "event" || r.Path[0] != "type" {
		t.Fatalf("MustRef = %#v", r)
	}
	for _, bad := range []string{"literal", "event@a..b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MustRef(%q) did not panic", bad)
				}
			}()
			MustRef(bad)
		}()
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"profile@traits.a.b", "payload@", `payload@a["b.c"][0]`, "event@a..b", "x", "memory@a.0", `flow@["\\\""]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, ok, err := ParseRef(s)
		if !ok {
			if err != nil || ref.Source != "" || ref.Path != nil {
				t.Fatalf("not a ref but ref=%#v err=%v", ref, err)
			}
			return
		}
		if err != nil {
			return
		}
		if !strings.HasPrefix(s, ref.Source+"@") {
			t.Fatalf("source %q does not prefix %q", ref.Source, s)
		}
		out := ref.String()
		back, ok, err := ParseRef(out)
		if !ok || err != nil {
			t.Fatalf("ParseRef(String()=%q) failed: ok=%v err=%v (from %q)", out, ok, err, s)
		}
		if !reflect.DeepEqual(normalize(back), normalize(ref)) {
			t.Fatalf("round trip %q -> %q -> %#v, want %#v", s, out, back, ref)
		}
	})
}

func normalize(r Ref) Ref {
	if len(r.Path) == 0 {
		r.Path = nil
	}
	return r
}
