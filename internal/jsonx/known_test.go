package jsonx

import (
	"fmt"
	"testing"
)

func TestAppendSortedKnownCopiesKnownDocuments(t *testing.T) {
	profile := map[string]any{"id": "p1", "b": 1.0, "a": 2.0}
	event := map[string]any{"id": "e1", "type": "purchase"}
	equal := map[string]any{"id": "p1", "b": 1.0, "a": 2.0} // equal to profile, another map

	var k Known
	k.Add(profile, []byte(`{"id":"p1","b":1,"a":2}`)) // the order a store wrote it in
	k.Add(event, []byte(`{"type":"purchase","id":"e1"}`))
	if k.Len() != 2 {
		t.Fatalf("Len = %d, want 2", k.Len())
	}

	cases := []struct {
		name string
		v    any
		want string
	}{
		{"known documents nested", map[string]any{"profile": profile, "event": event, "n": 1.0},
			`{"event":{"type":"purchase","id":"e1"},"n":1,"profile":{"id":"p1","b":1,"a":2}}`},
		{"a known document alone", profile, `{"id":"p1","b":1,"a":2}`},
		{"in a list", []any{event}, `[{"type":"purchase","id":"e1"}]`},
		{"an equal map is encoded, sorted", map[string]any{"x": equal}, `{"x":{"a":2,"b":1,"id":"p1"}}`},
	}
	for _, c := range cases {
		got, err := AppendSortedKnown(nil, c.v, &k)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.name, got, err, c.want)
		}
	}

	// Without a Known (nil) or with an empty one, it is AppendSorted.
	v := map[string]any{"profile": profile}
	want, _ := AppendSorted(nil, v)
	for _, kk := range []*Known{nil, {}} {
		if got, err := AppendSortedKnown(nil, v, kk); err != nil || string(got) != string(want) {
			t.Errorf("Known %v: got %s, %v; want %s", kk, got, err, want)
		}
	}
}

func TestKnownHoldsManyDocumentsAndTheLastEncodingWins(t *testing.T) {
	var k Known
	docs := make([]map[string]any, 10) // more than it holds without a map
	for i := range docs {
		docs[i] = map[string]any{"i": float64(i)}
		k.Add(docs[i], fmt.Appendf(nil, `{"i":%d,"first":true}`, i))
	}
	for i := range docs {
		k.Add(docs[i], fmt.Appendf(nil, `{"i":%d}`, i)) // written again: replaces
	}
	k.Add(nil, []byte(`{}`)) // ignored
	if k.Len() != len(docs) {
		t.Fatalf("Len = %d, want %d", k.Len(), len(docs))
	}
	for i, d := range docs {
		got, err := AppendSortedKnown(nil, d, &k)
		if want := fmt.Sprintf(`{"i":%d}`, i); err != nil || string(got) != want {
			t.Errorf("doc %d: got %s, %v; want %s", i, got, err, want)
		}
	}
	var none *Known
	none.Add(docs[0], []byte(`{}`)) // a nil Known takes nothing, and does not panic
	if none.Len() != 0 {
		t.Errorf("nil Known: Len = %d", none.Len())
	}
}
