package notation

import (
	"errors"
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	s := testScope(t)
	s.Memory["f"] = 1.5
	s.Memory["i"] = 3.0
	s.Memory["big"] = 1e21
	s.Memory["int"] = 7
	s.Memory["html"] = map[string]any{"t": "<b>&</b>"}
	tests := []struct {
		src, want string
	}{
		{"Hello {{ profile@data.pii.firstname }}, you have {{payload@a.b}}", "Hello Ann, you have 1"},
		{"no placeholders", "no placeholders"},
		{"", ""},
		{"{{memory@f}}|{{memory@i}}|{{memory@int}}|{{memory@big}}", "1.5|3|7|1e+21"},
		{"{{ payload@a.c }}", `[1,2,{"d":"x"}]`},
		{"{{ memory@html }}", `{"t":"<b>&</b>"}`},
		{"[{{ payload@a.n }}][{{ payload@nope }}][{{ profile@x.y }}]", "[][][]"},
		{"{{  event@type  }}!", "page-view!"},
		{"bool {{ memory@flag }}", "bool "},
		{"a }} b", "a }} b"},
		{`{{ profile@traits["a.b"] }}`, "dotted"},
		{"{{ profile@traits.name }}{{ profile@traits.age }}", "Ann30"},
	}
	for _, tt := range tests {
		tpl, err := CompileTemplate(tt.src)
		if err != nil {
			t.Errorf("CompileTemplate(%q): %v", tt.src, err)
			continue
		}
		if got := tpl.Render(s); got != tt.want {
			t.Errorf("Render(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	s.Memory["flag"] = false
	if got := MustTemplate("{{memory@flag}}").Render(s); got != "false" {
		t.Errorf("bool render = %q", got)
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		src    string
		offset int
		msg    string
	}{
		{"Hello {{ profile@a", 6, "unclosed"},
		{"Hello {{ name }}", 6, "not a reference"},
		{"x {{}}", 2, "empty placeholder"},
		{"{{ profile@a..b }}", 0, "empty path segment"},
		{"ok {{ event@type }} then {{ broken", 25, "unclosed"},
	}
	for _, tt := range tests {
		_, err := CompileTemplate(tt.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("CompileTemplate(%q) err = %v, want *SyntaxError", tt.src, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("CompileTemplate(%q) = %v, want offset %d and %q", tt.src, err, tt.offset, tt.msg)
		}
	}
}

func TestTemplateReferences(t *testing.T) {
	tpl := MustTemplate("{{profile@a}} and {{ event@b.c }}")
	refs := tpl.References()
	if len(refs) != 2 || refs[0].String() != "profile@a" || refs[1].String() != "event@b.c" {
		t.Fatalf("References() = %v", refs)
	}
	if !tpl.HasReferences() || MustTemplate("plain").HasReferences() {
		t.Error("HasReferences wrong")
	}
	if got := tpl.String(); got != "{{ profile@a }} and {{ event@b.c }}" {
		t.Errorf("String() = %q", got)
	}
}

func FuzzCompileTemplate(f *testing.F) {
	for _, s := range []string{"Hello {{ profile@a }}", "{{", "}}", "{{ x }}", `{{ payload@["}}"] }}`, "a{{payload@}}b"} {
		f.Add(s)
	}
	s := testScope(f)
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := CompileTemplate(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(src) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		out := tpl.Render(s)
		if !tpl.HasReferences() && out != src {
			t.Fatalf("plain template %q rendered %q", src, out)
		}
		// The canonical form compiles to the same references.
		again, err := CompileTemplate(tpl.String())
		if err != nil {
			t.Fatalf("canonical %q of %q does not compile: %v", tpl.String(), src, err)
		}
		if again.String() != tpl.String() {
			t.Fatalf("canonical form not stable: %q vs %q", again.String(), tpl.String())
		}
	})
}

func BenchmarkTemplateRender(b *testing.B) {
	s := testScope(b)
	tpl := MustTemplate("Hello {{ profile@data.pii.firstname }}, you are {{ profile@traits.age }} and viewed {{ event@properties.url }}.")
	b.ReportAllocs()
	for b.Loop() {
		_ = tpl.Render(s)
	}
}
