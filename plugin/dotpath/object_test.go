package dotpath

import (
	"errors"
	"reflect"
	"testing"
)

func TestApply(t *testing.T) {
	tpl := map[string]any{
		"name":  "profile@traits.name",
		"age":   "profile@traits.age",
		"opt?":  "profile@traits.nope",
		"inner": map[string]any{"deep?": "payload@x.y", "city": "payload@city"},
		"fixed": "web",
	}
	s := &Scope{
		Profile: map[string]any{"traits": map[string]any{"name": "Ann"}},
		Payload: map[string]any{"city": "Oslo"},
	}
	lenient, err := CompileObject(tpl, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := lenient.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "Ann", "age": nil, "inner": map[string]any{"city": "Oslo"}, "fixed": "web"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lenient = %v, want %v", got, want)
	}

	strict, err := CompileObject(tpl, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Apply(s); !errors.Is(err, ErrMissing) {
		t.Fatalf("strict apply with profile@traits.age missing: err = %v, want ErrMissing", err)
	}
	At(s.Profile, "traits").(map[string]any)["age"] = 30.0
	got, err = strict.Apply(s)
	if err != nil {
		t.Fatalf("strict apply with only optional keys missing: %v", err)
	}
	if got.(map[string]any)["age"] != 30.0 {
		t.Errorf("strict = %v", got)
	}
}

func TestStrictReportsFirstMissInStableOrder(t *testing.T) {
	tpl := map[string]any{"b": "payload@b", "a": "payload@a", "c": "payload@c"}
	strict, err := CompileObject(tpl, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		_, err := strict.Apply(&Scope{Payload: map[string]any{}})
		if err == nil || err.Error() != `payload@a: key "a" not found` {
			t.Fatalf("err = %v", err)
		}
	}
}

func TestJoinLists(t *testing.T) {
	in := map[string]any{"tags": []any{"a", 1.0, true}, "colours": []any{"red", "blue"}, "name": "Ann", "none": []any{}}
	sep := func(k string) string {
		if k == "tags" {
			return ","
		}
		return "|"
	}
	got := JoinLists(in, sep)
	want := map[string]any{"tags": "a,1,true", "colours": "red|blue", "name": "Ann", "none": ""}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, ok := in["tags"].([]any); !ok {
		t.Fatal("JoinLists changed its input")
	}
}
