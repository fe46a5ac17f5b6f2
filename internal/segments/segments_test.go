package segments_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
)

var now = time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)

func TestApply(t *testing.T) {
	set, errs := segments.NewSet([]store.Doc{
		{"id": "vip", "name": "VIP", "condition": "stats.visits > 5"},
		{"id": "buyer", "name": "Buyer", "condition": `profile@traits.bought == true`, "event_type": []any{"purchase"}},
		{"id": "off", "name": "Off", "condition": "stats.visits > 0", "enabled": false},
		{"id": "bad", "name": "Bad", "condition": "stats.visits >"},
	})
	if set.Len() != 2 || errs["bad"] == nil {
		t.Fatalf("set of %d, errors %v", set.Len(), errs)
	}
	cases := []struct {
		name       string
		visits     float64
		bought     bool
		segs       []any
		event      string
		want       string
		in, out    string
		segmentsAt bool
	}{
		{"enters", 6, false, []any{}, "page-view", "[vip]", "[vip]", "[]", true},
		{"stays", 6, false, []any{"vip"}, "page-view", "[vip]", "[]", "[]", false},
		{"leaves, other names kept", 1, false, []any{"vip", "manual"}, "page-view", "[manual]", "[]", "[vip]", true},
		{"event type limits", 1, true, []any{}, "page-view", "[]", "[]", "[]", false},
		{"event type matches", 1, true, []any{}, "purchase", "[buyer]", "[buyer]", "[]", true},
		{"no event: every segment", 9, true, []any{}, "", "[buyer vip]", "[buyer vip]", "[]", true},
		{"disabled segment not managed", 0, false, []any{"off"}, "", "[off]", "[]", "[]", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := map[string]any{"stats": map[string]any{"visits": c.visits}, "traits": map[string]any{"bought": c.bought}, "segments": c.segs}
			ch := set.Apply(p, c.event, now)
			if got := fmt.Sprint(segments.List(p)); got != c.want {
				t.Errorf("segments %s, want %s", got, c.want)
			}
			if fmt.Sprint(ch.Entered) != c.in && !(len(ch.Entered) == 0 && c.in == "[]") {
				t.Errorf("entered %v, want %s", ch.Entered, c.in)
			}
			if fmt.Sprint(ch.Left) != c.out && !(len(ch.Left) == 0 && c.out == "[]") {
				t.Errorf("left %v, want %s", ch.Left, c.out)
			}
			_, stamped := p["metadata"]
			if stamped != c.segmentsAt {
				t.Errorf("metadata.time.segmentation set = %v, want %v", stamped, c.segmentsAt)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	d, err := segments.Normalize(store.Doc{"name": "Big Spenders", "condition": "stats.counters.spent > 100"})
	if err != nil || d["id"] != "big-spenders" || d["enabled"] != true || fmt.Sprint(d["event_type"]) != "[]" {
		t.Fatalf("%v %v", d, err)
	}
	if _, err := segments.Normalize(store.Doc{"name": "x", "condition": `session@id == "a"`}); err == nil {
		t.Error("a condition on the session was accepted")
	}
}

func TestDiff(t *testing.T) {
	ch := segments.Diff([]string{"a", "b"}, []string{"b", "c"})
	if fmt.Sprint(ch.Entered, ch.Left) != "[c] [a]" {
		t.Errorf("diff %v", ch)
	}
}

// BenchmarkApply is the cost post-event segmentation adds to an event: ten
// segments evaluated against a profile whose membership does not change.
func BenchmarkApply(b *testing.B) {
	var docs []store.Doc
	for i := range 10 {
		docs = append(docs, store.Doc{"id": fmt.Sprintf("s%d", i), "name": "S", "condition": fmt.Sprintf("stats.visits > %d AND traits.country == \"PL\"", i*10)})
	}
	set, _ := segments.NewSet(docs)
	p := map[string]any{"stats": map[string]any{"visits": 35.0}, "traits": map[string]any{"country": "PL"}, "segments": []any{"s0", "s1", "s2", "s3"}}
	b.ReportAllocs()
	for b.Loop() {
		if !set.Apply(p, "page-view", now).Empty() {
			b.Fatal("membership changed")
		}
	}
}
