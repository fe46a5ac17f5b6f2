package plugin

import (
	"testing"
	"time"
)

func TestPassThreshold(t *testing.T) {
	st := &State{Profile: Profile{"id": "p"}}
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		value any
		at    time.Duration
		pass  bool
	}{
		{true, 0, true},                // first value passes
		{true, time.Second, false},     // same value: blocked
		{false, 2 * time.Second, true}, // changed
		{false, 3 * time.Second, false},
		{true, 4 * time.Second, true},
		{map[string]any{"a": 1.0}, 5 * time.Second, true},
		{map[string]any{"a": 1.0}, 6 * time.Second, false},
	}
	for i, s := range steps {
		if got := st.PassThreshold("k", s.value, 0, t0.Add(s.at)); got != s.pass {
			t.Errorf("step %d (%v): pass=%v, want %v", i, s.value, got, s.pass)
		}
	}
	// Thresholds of other keys are separate; a ttl lets an equal value pass again.
	if !st.PassThreshold("other", true, time.Minute, t0) || st.PassThreshold("other", true, time.Minute, t0.Add(30*time.Second)) {
		t.Error("separate key or ttl window wrong")
	}
	if !st.PassThreshold("other", true, time.Minute, t0.Add(2*time.Minute)) {
		t.Error("an equal value did not pass after the ttl")
	}
	if _, ok := st.Profile["aux"].(map[string]any)[ThresholdsKey].(map[string]any)["k"]; !ok {
		t.Error("the threshold is not kept in the profile")
	}
	// Without a profile every value passes.
	free := &State{}
	first, again := free.PassThreshold("k", 1, 0, t0), free.PassThreshold("k", 1, 0, t0)
	if !first || !again {
		t.Error("a profile-less threshold blocked")
	}
}
