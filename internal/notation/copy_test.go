package notation

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func TestDeepCopy(t *testing.T) {
	src := decode(t, `{"a":{"b":[1,{"c":"d"}],"e":null},"f":"g","h":true}`)
	src["typed"] = map[string]string{"x": "y"}
	src["strs"] = []string{"p"}
	src["maps"] = []map[string]any{{"k": []any{1.0}}}
	src["ints"] = []int{1, 2}
	src["intmap"] = map[string]int{"a": 1}
	src["nested"] = map[string][]any{"a": {map[string]any{"z": 1.0}}}
	cp := DeepCopy(src).(map[string]any)
	if !reflect.DeepEqual(cp, src) {
		t.Fatalf("copy differs:\n%#v\n%#v", cp, src)
	}
	At(cp, "a.b.1").(map[string]any)["c"] = "changed"
	cp["typed"].(map[string]string)["x"] = "changed"
	cp["strs"].([]string)[0] = "changed"
	cp["maps"].([]map[string]any)[0]["k"].([]any)[0] = 2.0
	cp["ints"].([]int)[0] = 9
	cp["intmap"].(map[string]int)["a"] = 9
	At(cp, "nested.a.0").(map[string]any)["z"] = 2.0
	want := decode(t, `{"a":{"b":[1,{"c":"d"}],"e":null},"f":"g","h":true}`)
	for k, v := range want {
		if !reflect.DeepEqual(src[k], v) {
			t.Errorf("source changed at %s: %#v", k, src[k])
		}
	}
	if At(src, "typed.x") != "y" || At(src, "strs.0") != "p" || At(src, "maps.0.k.0") != 1.0 ||
		At(src, "ints.0") != 1 || At(src, "intmap.a") != 1 || At(src, "nested.a.0.z") != 1.0 {
		t.Error("typed containers shared")
	}
	for _, v := range []any{nil, "s", 1.5, true, json.Number("3"), 7, int64(8), map[string]any(nil), []any(nil)} {
		if got := DeepCopy(v); !reflect.DeepEqual(got, v) {
			t.Errorf("DeepCopy(%#v) = %#v", v, got)
		}
	}
}

func TestMerge(t *testing.T) {
	dst := decode(t, `{"a":{"b":1,"c":{"d":2}},"x":[1],"y":"keep"}`)
	src := decode(t, `{"a":{"c":{"e":3},"f":4},"x":[2,3],"z":{"n":1}}`)
	got := Merge(dst, src)
	want := decode(t, `{"a":{"b":1,"c":{"d":2,"e":3},"f":4},"x":[2,3],"y":"keep","z":{"n":1}}`)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Merge = %v", got)
	}
	At(got, "z").(map[string]any)["n"] = 9.0
	if At(src, "z.n") != 1.0 {
		t.Fatal("Merge shares src")
	}
	if m := Merge(nil, map[string]any{"a": 1.0}); m["a"] != 1.0 {
		t.Fatalf("Merge(nil) = %v", m)
	}
	// An object replaces a scalar and a scalar replaces an object.
	m := Merge(map[string]any{"a": 1.0, "b": map[string]any{}}, map[string]any{"a": map[string]any{"q": 1.0}, "b": "s"})
	if !reflect.DeepEqual(m, map[string]any{"a": map[string]any{"q": 1.0}, "b": "s"}) {
		t.Fatalf("Merge = %v", m)
	}
}

func TestToFloat(t *testing.T) {
	tests := []struct {
		in   any
		want float64
		ok   bool
	}{
		{1.5, 1.5, true}, {float32(2.5), 2.5, true}, {3, 3, true}, {int8(-4), -4, true}, {int16(5), 5, true},
		{int32(6), 6, true}, {int64(7), 7, true}, {uint(8), 8, true}, {uint8(9), 9, true}, {uint16(10), 10, true},
		{uint32(11), 11, true}, {uint64(12), 12, true}, {uintptr(13), 13, true}, {json.Number("1.25"), 1.25, true},
		{json.Number("x"), 0, false}, {"1", 0, false}, {true, 0, false}, {nil, 0, false},
	}
	for _, tt := range tests {
		got, ok := ToFloat(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ToFloat(%#v) = %v, %v", tt.in, got, ok)
		}
	}
}

func TestStringify(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""}, {"s", "s"}, {true, "true"}, {false, "false"}, {3.0, "3"}, {1.5, "1.5"}, {-0.25, "-0.25"},
		{1e21, "1e+21"}, {1e-7, "1e-07"}, {123456789.0, "123456789"}, {math.NaN(), "NaN"}, {7, "7"},
		{int64(8), "8"}, {uint8(9), "9"}, {json.Number("1.0"), "1.0"},
		{[]any{1.0, "a", nil}, `[1,"a",null]`}, {map[string]any{"a": "<&>"}, `{"a":"<&>"}`},
		{[]string{"x"}, `["x"]`}, {map[string]any{"n": math.NaN()}, "map[n:NaN]"},
	}
	for _, tt := range tests {
		if got := Stringify(tt.in); got != tt.want {
			t.Errorf("Stringify(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkDeepCopy(b *testing.B) {
	v := decode(b, `{"id":"e1","type":"purchase","properties":{"sku":"A-1","price":12.5,"qty":2,"tags":["x","y"],
		"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}]},"context":{"page":{"url":"/checkout","title":"Pay"},
		"browser":{"ua":"Mozilla/5.0","lang":"pl"}},"metadata":{"time":{"insert":"2024-01-01T00:00:00Z"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = DeepCopy(v)
	}
}
