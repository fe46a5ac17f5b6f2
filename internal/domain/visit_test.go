package domain

import (
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

func TestStartVisit(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := NewProfile("p1", t0)
	s := NewSession("s1", "p1", t0)
	s["context"] = map[string]any{"time": map[string]any{"tz": "Europe/Warsaw"}}
	StartVisit(p, s, t0)
	StartVisit(p, s, t0.Add(time.Hour))
	if got := p["stats"].(map[string]any)["visits"]; got != 0.0 {
		t.Fatalf("stats.visits = %v, want 0: flows count visits, as in Tracardi", got)
	}
	v := p["metadata"].(map[string]any)["time"].(map[string]any)["visit"].(map[string]any)
	if v["count"] != 2.0 || v["last"] != Timestamp(t0) || v["current"] != Timestamp(t0.Add(time.Hour)) || v["tz"] != "Europe/Warsaw" {
		t.Fatalf("visit = %v", v)
	}
}

func TestNoteActivity(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := NewProfile("p1", t0)
	if _, _, ok := LastActivity(p); ok {
		t.Fatal("a new profile has no activity")
	}
	steps := []struct {
		session string
		at      time.Duration
		changed bool
	}{
		{"s1", 0, true},
		{"s1", time.Minute, false},    // younger than the gap: left alone
		{"s1", 2 * time.Minute, true}, // the gap passed
		{"s2", 2 * time.Minute, true}, // another session
		{"s2", time.Minute, true},     // a clock that went back is recorded
	}
	for i, st := range steps {
		now := t0.Add(st.at)
		if got := NoteActivity(p, st.session, now, 2*time.Minute); got != st.changed {
			t.Fatalf("step %d: changed = %v, want %v", i, got, st.changed)
		}
		id, at, ok := LastActivity(p)
		if !ok || id != st.session {
			t.Fatalf("step %d: last activity %q %v %v", i, id, at, ok)
		}
	}
}

func TestSettle(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := NewProfile("p1", t0)
	if !IsNew(p) {
		t.Fatal("a new profile is new while its request runs")
	}
	Settle(p, false, t0.Add(time.Hour))
	if IsNew(p) {
		t.Fatal("settled profile still new")
	}
	if got := p["metadata"].(map[string]any)["time"].(map[string]any)["update"]; got == Timestamp(t0.Add(time.Hour)) {
		t.Fatal("an unchanged profile got an update time")
	}
	Settle(p, true, t0.Add(time.Hour))
	if got := p["metadata"].(map[string]any)["time"].(map[string]any)["update"]; got != Timestamp(t0.Add(time.Hour)) {
		t.Fatalf("update = %v", got)
	}
	Settle(plugin.Profile(nil), true, t0) // a profile-less request: nothing to do
}
