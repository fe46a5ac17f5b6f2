package notation

import (
	"fmt"
	"strings"
	"testing"
)

func TestAt(t *testing.T) {
	type doc map[string]any
	v := map[string]any{
		"response":    map[string]any{"views": map[string]any{"value": 3.0}},
		"result":      []any{map[string]any{"type": "a"}, map[string]any{"type": "b", "tags": []any{"x"}}},
		"named":       doc{"doc": doc{"n": 1.0}, "list": []string{"y", "z"}, "ints": map[string]int{"one": 1}},
		"e-mail.work": "dotted",
		"null":        nil,
	}
	for path, want := range map[string]any{
		"":                          nil, // checked below
		"response.views.value":      3.0,
		"result.1.type":             "b",
		"result[1].tags[0]":         "x",
		"result[0].type":            "a",
		"named.doc.n":               1.0,
		"named.list.1":              "z",
		"named.ints.one":            1,
		`["e-mail.work"]`:           "dotted",
		"result[2].type":            nil,
		"result.-1":                 nil,
		"result.x":                  nil,
		"response.views.value.more": nil,
		"named.list.2":              nil,
		"named.ints.two":            nil,
		"missing.path":              nil,
		"null.x":                    nil,
	} {
		if path == "" {
			continue
		}
		if got := At(v, path); got != want {
			t.Errorf("At(%q) = %#v, want %#v", path, got, want)
		}
	}
	if got, ok := At(v, "").(map[string]any); !ok || got["named"] == nil {
		t.Errorf(`At(v, "") = %v, want v itself`, got)
	}
	if got := At(nil, "a"); got != nil {
		t.Errorf("At(nil, a) = %v, want nil", got)
	}
}

func TestAtPanicsOnMalformedPath(t *testing.T) {
	for _, path := range []string{"a..b", "a.", `a["b`, "a]b"} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), fmt.Sprintf("%q", path)) {
					t.Errorf("At(%q) recovered %v, want a panic naming the path", path, r)
				}
			}()
			At(map[string]any{}, path)
		}()
	}
}
