package tracking_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/testenv"
)

// TestLoadedProfileIsNotSavedWithoutItsLock checks that a flow that
// switches to a stored profile (Load profile by field) does not save that
// profile, whose lock the request does not hold, while the request's own
// profile and the event (assigned to the loaded profile) are stored.
func TestLoadedProfileIsNotSavedWithoutItsLock(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		ctx := context.Background()
		other := store.Doc{"id": "other", "traits": map[string]any{"kept": 1.0}, "operation": map[string]any{"new": false},
			"data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.com"}}}}
		if err := e.Store.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{other}}); err != nil {
			t.Fatal(err)
		}
		flow := testenv.FlowJSON("load", []testenv.Node{
			{ID: "start", Module: testenv.Start},
			{ID: "own", Module: testenv.CopyData, Init: map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.before": "yes"}}}},
			{ID: "load", Module: "tracardi.process_engine.action.v1.internal.inject_profile_by_field.plugin",
				Init: map[string]any{"field": "data.contact.email.main", "value": "event@properties.email"}},
			{ID: "set", Module: testenv.CopyData, Init: map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.after": "yes"}}}},
			{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "loaded", "body": map[string]any{"id": "profile@id"}}},
		}, "start.payload>own", "own.payload>load", "load.profile>set", "set.payload>answer")
		src := e.Setup("s1", flow, "login")
		send := func(profile, email string) map[string]any {
			return track(t, e, map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": profile},
				"events": []any{map[string]any{"type": "login", "properties": map[string]any{"email": email}}}})
		}

		answer := send("own", "ann@example.com")
		if got := answer["response"].(map[string]any)["loaded"]; got == nil || got.(map[string]any)["id"] != "other" {
			t.Fatalf("the flow did not run on the loaded profile: %v", answer)
		}
		if w := warnings(answer); !strings.Contains(w, `profile "other" was loaded by a flow`) {
			t.Errorf("warnings %q: nothing says the loaded profile's changes were not saved", w)
		}
		stored, err := e.Store.Profile(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		if tr := stored["traits"].(map[string]any); tr["after"] != nil || tr["kept"] != 1.0 {
			t.Errorf("the loaded profile was written without its lock: traits %v", tr)
		}
		own, err := e.Store.Profile(ctx, "own")
		if err != nil {
			t.Fatalf("the request's own profile was not stored: %v", err)
		}
		if tr, _ := own["traits"].(map[string]any); tr["before"] != "yes" || tr["after"] != nil {
			t.Errorf("own profile traits %v: want the change made before the switch only", tr)
		}
		if n := trackerEvents(t, e, "other"); n != 1 {
			t.Errorf("events of the loaded profile: %d, want the tracked one", n)
		}

		// Loading the request's own profile is under its lock: saved.
		if err := e.Store.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{{"id": "self",
			"data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "self@example.com"}}}}}}); err != nil {
			t.Fatal(err)
		}
		answer = send("self", "self@example.com")
		if w := warnings(answer); strings.Contains(w, "loaded by a flow") {
			t.Errorf("warning for the request's own profile: %s", w)
		}
		self, err := e.Store.Profile(ctx, "self")
		if err != nil {
			t.Fatal(err)
		}
		if tr, _ := self["traits"].(map[string]any); tr["after"] != "yes" {
			t.Errorf("own profile loaded by field: traits %v, want the flow's change saved", tr)
		}
	})
}
