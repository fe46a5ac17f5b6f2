package confdoc_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tracflow/tracflow/internal/confdoc"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// field answers the one field err names, or fails.
func field(t *testing.T, err error) string {
	t.Helper()
	var fe plugin.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 1 {
		t.Fatalf("got %v, want one field error", err)
	}
	return fe[0].Field
}

func TestCopy(t *testing.T) {
	if _, err := confdoc.Copy(nil, "a segment"); field(t, err) != "(body)" {
		t.Fatal("a missing body names (body)")
	}
	d := store.Doc{"a": 1}
	out, err := confdoc.Copy(d, "a segment")
	if err != nil || !reflect.DeepEqual(out, d) {
		t.Fatalf("copy %v, %v", out, err)
	}
	out["b"] = 2
	if _, ok := d["b"]; ok {
		t.Fatal("the copy shares the original's map")
	}
}

func TestStringsBoolTags(t *testing.T) {
	d := store.Doc{"name": "n", "description": nil, "id": 3}
	if f := field(t, confdoc.Strings(d, "name", "description", "id")); f != "id" {
		t.Fatalf("Strings named %s, want id", f)
	}
	if err := confdoc.Strings(d, "name", "description", "missing"); err != nil {
		t.Fatal(err)
	}

	out := store.Doc{}
	if err := confdoc.Bool(store.Doc{"enabled": nil}, out, "enabled", true); err != nil || out["enabled"] != true {
		t.Fatalf("null flag: %v, %v", out, err)
	}
	out = store.Doc{"enabled": false}
	if err := confdoc.Bool(store.Doc{"enabled": false}, out, "enabled", true); err != nil || out["enabled"] != false {
		t.Fatalf("a given flag is kept: %v, %v", out, err)
	}
	if f := field(t, confdoc.Bool(store.Doc{"required": "yes"}, store.Doc{}, "required", false)); f != "required" {
		t.Fatalf("Bool named %s", f)
	}

	out = store.Doc{}
	if err := confdoc.Tags(store.Doc{}, out); err != nil || !reflect.DeepEqual(out["tags"], []any{}) {
		t.Fatalf("no tags: %v, %v", out, err)
	}
	if f := field(t, confdoc.Tags(store.Doc{"tags": "x"}, store.Doc{})); f != "tags" {
		t.Fatalf("Tags named %s", f)
	}
	if f := field(t, confdoc.Tags(store.Doc{"tags": []any{"a", 2}}, store.Doc{})); f != "tags[1]" {
		t.Fatalf("Tags named %s", f)
	}
}
