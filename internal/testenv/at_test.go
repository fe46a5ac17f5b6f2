package testenv

import "testing"

func TestAt(t *testing.T) {
	body := map[string]any{
		"response": map[string]any{"views": map[string]any{"value": 3.0}},
		"result":   []any{map[string]any{"type": "a"}, map[string]any{"type": "b", "tags": []any{"x"}}},
	}
	type doc map[string]any
	body["named"] = doc{"doc": doc{"n": 1.0}, "list": []string{"y"}}
	r := &Response{Body: body}
	for path, want := range map[string]any{
		"response.views.value":      3.0,
		"result.1.type":             "b",
		"result[1].tags[0]":         "x",
		"result[0].type":            "a",
		"result[2].type":            nil,
		"result.x":                  nil,
		"response.views.value.more": nil,
		"missing.path":              nil,
	} {
		if got := r.At(path); got != want {
			t.Errorf("At(%q) = %v, want %v", path, got, want)
		}
	}
}
