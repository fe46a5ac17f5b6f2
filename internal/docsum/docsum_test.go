package docsum

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

func TestFingerprint(t *testing.T) {
	a := map[string]any{"id": "p", "traits": map[string]any{"a": 1.0, "b": []any{"x", "y"}}, "n": nil, "e": map[string]any{}, "s": "a string longer than eight bytes"}
	b := map[string]any{"s": "a string longer than eight bytes", "e": map[string]any{}, "n": nil, "traits": map[string]any{"b": []any{"x", "y"}, "a": 1}, "id": "p"}
	if Fingerprint(a) != Fingerprint(b) {
		t.Error("equal documents hash differently")
	}
	changes := []func(m map[string]any){
		func(m map[string]any) { dotpath.At(m, "traits").(map[string]any)["a"] = 2.0 },
		func(m map[string]any) { dotpath.At(m, "traits").(map[string]any)["b"] = []any{"y", "x"} },
		func(m map[string]any) { m["s"] = "a string longer than eight byteS" },
		func(m map[string]any) { delete(m, "n") },
		func(m map[string]any) { m["n"] = false },
		func(m map[string]any) { m["id"] = "q" },
		func(m map[string]any) { m["e"].(map[string]any)["k"] = "" },
		func(m map[string]any) { m["e"] = []any{} },
	}
	base := Fingerprint(a)
	for i, change := range changes {
		c := notation.DeepCopy(a).(map[string]any)
		change(c)
		if Fingerprint(c) == base {
			t.Errorf("change %d is not seen", i)
		}
	}
}

// TestMeasure checks that Measure's fingerprint is Fingerprint's, for the
// named types flows leave in documents too, and that its size grows with
// what a document holds.
func TestMeasure(t *testing.T) {
	p := storedProfile(t)
	docs := []any{p, plugin.Profile(p), map[string]any{"list": []string{"a", "b"}, "n": json.Number("1.5"), "i": 3, "s": struct{ A int }{1}}}
	for i, d := range docs {
		fp, n := Measure(d)
		if fp != Fingerprint(d) {
			t.Errorf("doc %d: Measure's fingerprint %x, Fingerprint's %x", i, fp, Fingerprint(d))
		}
		if n <= 0 {
			t.Errorf("doc %d: size %d", i, n)
		}
	}
	_, before := Measure(p)
	p["traits"].(map[string]any)["bio"] = string(make([]byte, 10_000))
	if _, after := Measure(p); after < before+10_000 {
		t.Errorf("a profile grown by 10,000 bytes measures %d, was %d", after, before)
	}
}

// storedProfile is a profile as the collector keeps it after a few
// purchases: decoded from JSON.
func storedProfile(tb testing.TB) map[string]any {
	b, err := json.Marshal(plugin.NewProfile("p-1", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	m["stats"].(map[string]any)["counters"] = map[string]any{"purchases": 7.0, "total": 87.5}
	return m
}

func BenchmarkFingerprintProfile(b *testing.B) {
	m := storedProfile(b)
	b.ReportAllocs()
	for b.Loop() {
		Fingerprint(m)
	}
}

func BenchmarkMeasureProfile(b *testing.B) {
	m := storedProfile(b)
	b.ReportAllocs()
	for b.Loop() {
		Measure(m)
	}
}
