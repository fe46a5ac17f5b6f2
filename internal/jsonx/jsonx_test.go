package jsonx

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func roundTrip(t *testing.T, v any) {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Fatalf("Marshal(%#v): %v", v, err)
	}
	var got any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("output %q is not JSON: %v", b, err)
	}
	want, _ := json.Marshal(v)
	var wantV any
	json.Unmarshal(want, &wantV)
	if !reflect.DeepEqual(got, wantV) {
		t.Errorf("Marshal(%#v) = %s, decodes to %#v; encoding/json gives %s", v, b, got, want)
	}
}

func TestMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, 0.0, math.Copysign(0, -1), 1.0, -2.5, 1e21, 1e-7, 123456789.125, 3.0, math.MaxFloat64, 5e-324,
		"", "plain", "quote \" backslash \\ tab \t newline \n cr \r", "\x00\x01\x1f", "héllo ✓ 𝄞", "bad \xff utf8", "\u2028\u2029",
		"<html>&amp;", 7, int64(-9), json.Number("12.50"),
		[]any{}, []any{1.0, "a", nil, []any{true}}, []string{"x", "y"},
		map[string]any{}, map[string]any{"a": map[string]any{"b": []any{1.0, map[string]any{"c": nil}}}, "k\"ey": "v"},
		map[string]string{"x": "y"}, struct{ A int }{1}, []map[string]any{{"tag": "div"}, nil},
	}
	for _, v := range values {
		roundTrip(t, v)
	}
}

// TestSortedIsEncodingJSON checks that AppendSorted writes the bytes
// encoding/json writes without HTML escaping, for every value the
// round-trip test uses.
func TestSortedIsEncodingJSON(t *testing.T) {
	values := []any{
		map[string]any{"b": 1.0, "a": map[string]any{"z": []any{"x", map[string]any{"d": nil, "c": true}}, "y": "<&>"}, "k\"ey": "v"},
		map[string]any{"single": map[string]any{}}, []any{map[string]any{"2": 2.0, "10": 10.0, "1": 1.0}},
	}
	for i := range 40 {
		m := map[string]any{}
		for j := range i {
			m[string(rune('a'+j%26))+string(rune('A'+j))] = float64(j)
		}
		values = append(values, m)
	}
	for _, v := range values {
		got, err := AppendSorted(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Errorf("AppendSorted: %s\nencoding/json: %s", got, w)
		}
	}
}

func TestFloatsLikeEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123.456, -1e-9, 2.5e25} {
		got, _ := Marshal(f)
		want, _ := json.Marshal(f)
		if string(got) != string(want) {
			t.Errorf("%v: %s, encoding/json %s", f, got, want)
		}
	}
}

func TestNaNIsAnError(t *testing.T) {
	if _, err := Marshal(map[string]any{"x": math.NaN()}); err == nil {
		t.Error("NaN encoded")
	}
}

func FuzzMarshal(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,"x",null,true,{"b":[]}]`, `"\u2028\ud800"`, `1e300`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		roundTrip(t, v)
	})
}

func BenchmarkMarshalProfile(b *testing.B) {
	doc := map[string]any{"id": "0193a0b2-7c1e-7d2f-8a3b-4c5d6e7f8091", "ids": []any{},
		"metadata": map[string]any{"time": map[string]any{"insert": "2026-11-26T12:00:00.000000Z", "visit": map[string]any{"count": 3.0, "last": nil}}},
		"stats":    map[string]any{"visits": 3.0, "views": 12.0, "counters": map[string]any{"n": 4.0}},
		"traits":   map[string]any{"city": "Oslo", "tags": []any{"a", "b"}}, "segments": []any{}, "active": true,
		"data": map[string]any{"pii": map[string]any{"firstname": "Ada"}, "contact": map[string]any{"email": map[string]any{}}}}
	b.Run("jsonx", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf, _ = Append(buf[:0], doc)
		}
	})
	b.Run("jsonx-sorted", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf, _ = AppendSorted(buf[:0], doc)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(doc)
		}
	})
}
