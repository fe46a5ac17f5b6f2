package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// testPrune: old events and sessions go in pages of the size asked; new
// ones stay.
func testPrune(t *testing.T, st store.Store) {
	cs := &store.ChangeSet{Profiles: []store.Doc{profileDoc("p1")}}
	for i := range 25 {
		cs.Sessions = append(cs.Sessions, sessionDoc(fmt.Sprintf("old-s%02d", i), "p1", "2020-01-01T00:00:00Z"))
		cs.Events = append(cs.Events, eventDoc(fmt.Sprintf("old-e%02d", i), "view", "p1", "old-s00", fmt.Sprintf("2020-01-01T00:00:%02dZ", i)))
	}
	cs.Sessions = append(cs.Sessions, sessionDoc("new-s", "p1", "2030-01-01T00:00:00Z"))
	cs.Events = append(cs.Events, eventDoc("new-e", "view", "p1", "new-s", "2030-01-01T00:00:00Z"))
	apply(t, st, cs)
	cutoff := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, kind := range []string{store.KindEvent, store.KindSession} {
		var pages []int
		for {
			n, err := st.Prune(ctx(t), kind, cutoff, 10)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, n)
			if n < 10 {
				break
			}
		}
		if !slices.Equal(pages, []int{10, 10, 5}) {
			t.Fatalf("%s pages %v, want 10, 10, 5", kind, pages)
		}
	}
	evs, total, err := st.ProfileEvents(ctx(t), "p1", 0, 0)
	if err != nil || total != 1 || evs[0]["id"] != "new-e" {
		t.Fatalf("events left: %v (%d) %v", ids(evs), total, err)
	}
	ss, total, err := st.ProfileSessions(ctx(t), "p1", 0, 0)
	if err != nil || total != 1 || ss[0]["id"] != "new-s" {
		t.Fatalf("sessions left: %v (%d) %v", ids(ss), total, err)
	}
	if _, err := st.Profile(ctx(t), "p1"); err != nil {
		t.Fatalf("the profile must stay: %v", err)
	}
	if _, err := st.Prune(ctx(t), store.KindProfile, cutoff, 10); err == nil {
		t.Fatal("Prune of profiles must be refused (PruneProfiles does that)")
	}
}

// testPruneProfiles: inactive profiles go with their aliases, sessions and
// events; active ones stay, and a pruned profile's alias can be reused.
func testPruneProfiles(t *testing.T, st store.Store) {
	old := profileDoc("old", "old-alias") // updated 2024-05-02
	recent := profileDoc("recent")
	recent["metadata"] = map[string]any{"time": map[string]any{"insert": "2024-05-01T10:00:00Z", "update": "2030-01-01T00:00:00Z"}}
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{old, recent},
		Sessions: []store.Doc{sessionDoc("s-old", "old", "2030-01-01T00:00:00Z")},
		Events:   []store.Doc{eventDoc("e-old", "view", "old", "s-old", "2030-01-01T00:00:00Z")}})
	got, err := st.PruneProfiles(ctx(t), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil || !slices.Equal(got, []string{"old"}) {
		t.Fatalf("pruned %v %v, want [old]", got, err)
	}
	for _, id := range []string{"old", "old-alias"} {
		if _, err := st.Profile(ctx(t), id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("profile %s after pruning: %v", id, err)
		}
	}
	if _, err := st.Event(ctx(t), "e-old"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("event of a pruned profile: %v", err)
	}
	if _, err := st.Session(ctx(t), "s-old"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session of a pruned profile: %v", err)
	}
	if _, err := st.Profile(ctx(t), "recent"); err != nil {
		t.Fatalf("active profile: %v", err)
	}
	// The alias is free again (the writer forgot what it had committed).
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{profileDoc("other", "old-alias")}})
	if p, err := st.Profile(ctx(t), "old-alias"); err != nil || p["id"] != "other" {
		t.Fatalf("reused alias: %v %v", p, err)
	}
	apply(t, st, &store.ChangeSet{Profiles: []store.Doc{profileDoc("old", "old-alias2")}})
	if p, err := st.Profile(ctx(t), "old-alias2"); err != nil || p["id"] != "old" {
		t.Fatalf("a pruned profile written again gets its aliases: %v %v", p, err)
	}
}
