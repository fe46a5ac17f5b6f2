package tracking_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/testenv"
)

const loadByField = "tracardi.process_engine.action.v1.internal.inject_profile_by_field.plugin"

// TestLoadedProfileIsSavedUnderItsLock checks that a flow that switches to
// a stored profile (Load profile by field) has its changes to that profile
// saved, under that profile's lock, with the changes it made to the
// request's own profile before the switch.
func TestLoadedProfileIsSavedUnderItsLock(t *testing.T) {
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
			{ID: "load", Module: loadByField, Init: map[string]any{"field": "data.contact.email.main", "value": "event@properties.email"}},
			{ID: "set", Module: testenv.CopyData, Init: map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.after": "yes"}}}},
			{ID: "answer", Module: testenv.AddResponse, Init: map[string]any{"key": "loaded", "body": map[string]any{"id": "profile@id"}}},
		}, "start.payload>own", "own.payload>load", "load.profile>set", "set.payload>answer")
		src := e.Setup("s1", flow, "login")
		send := func(profile, email string) map[string]any {
			return track(t, e, map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": profile},
				"events": []any{map[string]any{"type": "login", "properties": map[string]any{"email": email}}}})
		}

		answer := send("own", "ann@example.com")
		if got := testenv.At(answer, "response.loaded"); got == nil || got.(map[string]any)["id"] != "other" {
			t.Fatalf("the flow did not run on the loaded profile: %v", answer)
		}
		if w := warnings(answer); strings.Contains(w, "loaded by a flow") {
			t.Errorf("warnings %q: the loaded profile is saved now", w)
		}
		stored, err := e.Store.Profile(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		if tr := stored["traits"].(map[string]any); tr["after"] != "yes" || tr["kept"] != 1.0 {
			t.Errorf("the loaded profile's traits %v: want the flow's change saved and the rest kept", tr)
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
	})
}

// TestLoadedProfileLosesNoConcurrentUpdate counts on one profile from
// requests of its own and from requests of other profiles whose flow loads
// it by e-mail, all at once: no increment is lost.
func TestLoadedProfileLosesNoConcurrentUpdate(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		ctx := context.Background()
		if err := e.Store.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{{"id": "m", "operation": map[string]any{"new": false},
			"data": map[string]any{"contact": map[string]any{"phone": map[string]any{"main": "600"}}}}}}); err != nil {
			t.Fatal(err)
		}
		inc := testenv.Node{ID: "inc", Module: testenv.Increment, Init: map[string]any{"field": "profile@traits.n", "increment": 1}}
		e.Setup("s1", testenv.FlowJSON("direct", []testenv.Node{{ID: "start", Module: testenv.Start}, inc}, "start.payload>inc"), "direct")
		e.Setup("s1", testenv.FlowJSON("via", []testenv.Node{{ID: "start", Module: testenv.Start},
			{ID: "load", Module: loadByField, Init: map[string]any{"field": "data.contact.phone.main", "value": "event@properties.phone"}},
			inc}, "start.payload>load", "load.profile>inc"), "via")
		const n = 10
		var wg sync.WaitGroup
		for i := range n {
			for _, typ := range []string{"direct", "via"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					profile := "m"
					if typ == "via" {
						profile = fmt.Sprintf("z%02d", i) // after "m" in lock order
						if i%2 == 0 {
							profile = fmt.Sprintf("a%02d", i) // before it
						}
					}
					r := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": "s1"}, "profile": map[string]any{"id": profile},
						"events": []any{map[string]any{"type": typ, "properties": map[string]any{"phone": "600"}}}})
					if r.Status != 200 {
						t.Errorf("%s: %d %s", typ, r.Status, r.Raw)
					}
				}()
			}
		}
		wg.Wait()
		p, err := e.Store.Profile(ctx, "m")
		if err != nil {
			t.Fatal(err)
		}
		if got := p["traits"].(map[string]any)["n"]; got != float64(2*n) {
			t.Errorf("counter %v, want %d: updates were lost", got, 2*n)
		}
	})
}
