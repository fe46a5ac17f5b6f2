package api

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
)

// TestTrackedAnswer: the collector's answer, written field by field, is
// Tracardi's shape: the same JSON as that answer built as a map.
func TestTrackedAnswer(t *testing.T) {
	for _, c := range []struct {
		name  string
		debug bool
		res   tracking.Result
	}{
		{"empty", false, tracking.Result{Task: "t1", SessionID: "s1"}},
		{"profile-less", false, tracking.Result{Task: "t2", SessionID: "s2", Errors: []string{}, Warnings: []string{}}},
		{"full", true, tracking.Result{Task: "t3", ProfileID: "p \"3\"", SessionID: "s3",
			Response: map[string]any{"purchases": map[string]any{"counter": 3.0}, "list": []any{1.0, "x", nil}},
			UX:       []plugin.UX{{"tag": "div", "props": map[string]any{"id": "x"}}},
			Errors:   []string{"node n1: failed"}, Warnings: []string{"events[0]: retry"}, EventIDs: []string{"e1", "e2"}}},
		{"not debugging", false, tracking.Result{Task: "t4", ProfileID: "p4", SessionID: "s4", EventIDs: []string{"e1"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := c.res
			want := map[string]any{"task": res.Task, "ux": res.UX, "response": res.Response,
				"session": map[string]any{"id": res.SessionID}, "errors": res.Errors, "warnings": res.Warnings, "profile": nil}
			if res.ProfileID != "" {
				want["profile"] = map[string]any{"id": res.ProfileID}
			}
			if c.debug {
				want["events"] = res.EventIDs
			}
			wb, _ := json.Marshal(want)
			var wantV, gotV any
			json.Unmarshal(wb, &wantV)
			got, err := appendTracked(nil, &tracking.Payload{Debug: c.debug}, &res)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(got, &gotV); err != nil {
				t.Fatalf("%s: not JSON: %v", got, err)
			}
			if !reflect.DeepEqual(gotV, wantV) {
				t.Errorf("answer %s\nwant %s", got, wb)
			}
		})
	}
}

func BenchmarkTrackedAnswer(b *testing.B) {
	res := &tracking.Result{Task: "0193a0b2-7c1e-7d2f-8a3b-4c5d6e7f8091", ProfileID: "p-1", SessionID: "s-1",
		Response: map[string]any{"purchases": map[string]any{"counter": 3.0}}}
	p := &tracking.Payload{}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = appendTracked(buf[:0], p, res)
	}
}
