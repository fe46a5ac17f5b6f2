package catalog

import (
	"errors"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

func TestNormalizeOrigins(t *testing.T) {
	got, err := normalizeOrigins([]any{" https://Shop.Example.com ", "https://shop.example.com:443", "http://localhost:8080", "*", "https://*.example.org", "http://[::1]:3000/"})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"https://shop.example.com", "http://localhost:8080", "*", "https://*.example.org", "http://[::1]:3000"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if got, err := normalizeOrigins(nil); err != nil || len(got) != 0 {
		t.Errorf("nil: %v %v", got, err)
	}
	for _, bad := range []any{
		"https://shop.example.com",
		[]any{1},
		[]any{"shop.example.com"},
		[]any{"https://shop.example.com/path"},
		[]any{"https://user@shop.example.com"},
		[]any{"https://shop.example.com?x=1"},
		[]any{"null"},
		[]any{"https://*"},
		[]any{"https://a.*.example.com"},
		[]any{"https://" + strings.Repeat("a", 400) + ".com"},
		make([]any, MaxAllowedOrigins+1),
	} {
		_, err := normalizeOrigins(bad)
		var fe plugin.FieldError
		if !errors.As(err, &fe) || !strings.HasPrefix(fe.Field, "allowed_origins") {
			t.Errorf("%v: %v, want an error on allowed_origins", bad, err)
		}
	}
}

func TestOriginAllowed(t *testing.T) {
	src := func(origins ...any) store.Doc { return store.Doc{"allowed_origins": origins} }
	for _, c := range []struct {
		src    store.Doc
		origin string
		want   bool
	}{
		{store.Doc{}, "https://evil.example", true},
		{src(), "null", true},
		{src("*"), "https://evil.example", true},
		{src("https://shop.example.com"), "https://shop.example.com", true},
		{src("https://shop.example.com"), "https://SHOP.example.com", true},
		{src("https://shop.example.com"), "http://shop.example.com", false},
		{src("https://shop.example.com"), "https://shop.example.com.evil.example", false},
		{src("https://shop.example.com"), "null", false},
		{src("https://shop.example.com"), "", false},
		{src("https://*.example.com"), "https://a.b.example.com", true},
		{src("https://*.example.com"), "https://example.com", false},
		{src("https://*.example.com"), "https://evilexample.com", false},
		{src("https://*.example.com"), "http://a.example.com", false},
	} {
		if got := OriginAllowed(c.src, c.origin); got != c.want {
			t.Errorf("%v with %q: %v, want %v", c.src["allowed_origins"], c.origin, got, c.want)
		}
	}
	if !AnyOriginAllowed(store.Doc{}) || !AnyOriginAllowed(src("*")) || AnyOriginAllowed(src("https://a.example")) {
		t.Error("AnyOriginAllowed")
	}
}
