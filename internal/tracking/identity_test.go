package tracking_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/identity"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
)

func event(src, profile, session, typ string, props map[string]any) map[string]any {
	body := map[string]any{"source": map[string]any{"id": src},
		"events": []any{map[string]any{"type": typ, "properties": props}}}
	if profile != "" {
		body["profile"] = map[string]any{"id": profile}
	}
	if session != "" {
		body["session"] = map[string]any{"id": session}
	}
	return body
}

func mustProfile(t *testing.T, st store.Store, id string) store.Doc {
	t.Helper()
	p, err := st.Profile(context.Background(), id)
	if err != nil {
		t.Fatalf("profile %q: %v", id, err)
	}
	return p
}

// TestPhoneAndLaptopBecomeOneProfile is the identity story: a person with
// a profile on a phone and another on a laptop signs in with the same
// e-mail on both; one profile remains with both histories, every trait,
// the sum of the counters, and both old ids answering with it.
func TestPhoneAndLaptopBecomeOneProfile(t *testing.T) {
	c := newClock()
	onEachBackend(t, c.options(), func(t *testing.T, e *testenv.Env) {
		ctx := context.Background()
		src := e.Setup("web", testenv.CounterFlow("count", "stats.counters.pages", "pages"), "page-view")
		for _, dev := range []string{"phone", "laptop"} {
			if _, err := e.Catalog.SaveEventMapping(ctx, store.Doc{"name": dev + " info", "event_type": map[string]any{"id": dev + "-info"},
				"event_to_profile": []any{map[string]any{"event": "properties.model", "profile": "traits." + dev, "op": "equal"},
					map[string]any{"event": "properties.color", "profile": "traits.color"}}}); err != nil {
				t.Fatal(err)
			}
		}
		// The phone's history: two page views, its model; then the laptop's.
		for range 2 {
			track(t, e, event(src, "phone", "s-phone", "page-view", nil))
		}
		track(t, e, event(src, "phone", "s-phone", "phone-info", map[string]any{"model": "pixel", "color": "red"}))
		c.add(time.Hour)
		track(t, e, event(src, "laptop", "s-laptop", "page-view", nil))
		track(t, e, event(src, "laptop", "s-laptop", "laptop-info", map[string]any{"model": "thinkpad", "color": "blue"}))
		if tr := mustProfile(t, e.Store, "laptop")["traits"].(map[string]any); tr["laptop"] != "thinkpad" {
			t.Fatalf("the event mapping did not run before the rules: traits %v", tr)
		}

		a := track(t, e, event(src, "phone", "s-phone", "sign-in", map[string]any{"email": "ann@example.com"}))
		if id := idOf(t, a, "profile"); id != "phone" {
			t.Fatalf("the phone's own sign-in answered %q", id)
		}
		phone := mustProfile(t, e.Store, "phone")
		emm := identity.HashID("emm-", "ann@example.com")
		if !slices.Contains(phone["ids"].([]any), any(emm)) {
			t.Errorf("phone ids %v: want the hashed e-mail %s", phone["ids"], emm)
		}
		c.add(time.Minute)
		a = track(t, e, event(src, "laptop", "s-laptop", "sign-in", map[string]any{"email": "Ann@Example.com"}))
		if id := idOf(t, a, "profile"); id != "phone" {
			t.Fatalf("the laptop's sign-in answered %q: want the survivor, the older phone profile (%v)", id, a["errors"])
		}

		p := mustProfile(t, e.Store, "laptop")
		if p["id"] != "phone" {
			t.Fatalf("the laptop's id finds %v, want the survivor", p["id"])
		}
		for _, want := range []string{"laptop", emm} {
			if !slices.Contains(p["ids"].([]any), any(want)) {
				t.Errorf("ids %v lack %q", p["ids"], want)
			}
		}
		tr := p["traits"].(map[string]any)
		if tr["phone"] != "pixel" || tr["laptop"] != "thinkpad" || tr["color"] != "blue" {
			t.Errorf("traits %v: want both devices' traits, the later colour", tr)
		}
		if got := testenv.At(p, "stats.counters.pages"); got != 3.0 {
			t.Errorf("pages counter %v, want 2 + 1", got)
		}
		if got := testenv.At(p, "data.contact.email.main"); got == nil {
			t.Errorf("no e-mail on the survivor")
		}
		evs, total, err := e.Store.ProfileEvents(ctx, "phone", 100, 0)
		if err != nil || total != 14 {
			t.Errorf("survivor's events: %d (%v), want the 4 of the phone, the 3 of the laptop, profile-merged, "+
				"and each profile's profile-created, session-opened and visit-started", total, err)
		}
		merged := 0
		for _, ev := range evs {
			if ev["type"] == "profile-merged" {
				merged++
				if !tracking.IsSystem(plugin.Event(ev)) {
					t.Errorf("profile-merged is not marked as a system event: %v", ev["metadata"])
				}
				if pr := ev["properties"].(map[string]any); fmt.Sprint(pr["merged"]) != "[laptop]" {
					t.Errorf("profile-merged properties %v", pr)
				}
			}
		}
		if merged != 1 {
			t.Errorf("%d profile-merged events, want 1", merged)
		}
		if _, n, _ := e.Store.ProfileEvents(ctx, "laptop", 10, 0); n != 0 {
			t.Errorf("%d events left on the merged-away profile", n)
		}
		sessions, n, err := e.Store.ProfileSessions(ctx, "phone", 10, 0)
		if err != nil || n != 2 {
			t.Errorf("survivor's sessions: %d (%v), want both", n, err)
		}
		for _, s := range sessions {
			if testenv.At(s, "profile.id") != "phone" {
				t.Errorf("session %v not re-pointed", s["id"])
			}
		}
		// Both old ids keep answering with the survivor, and its history
		// goes on.
		for _, old := range []string{"laptop", "phone"} {
			a := track(t, e, event(src, old, "", "page-view", nil))
			if id := idOf(t, a, "profile"); id != "phone" {
				t.Errorf("tracking with %q answered %q", old, id)
			}
		}
		if got := testenv.At(mustProfile(t, e.Store, "phone"), "stats.counters.pages"); got != 5.0 {
			t.Errorf("pages after the merge %v, want 5", got)
		}
		if got := e.Admin("GET", "/profile/laptop", nil).MustOK(t).Obj()["id"]; got != "phone" {
			t.Errorf("GET /profile/laptop answered %v", got)
		}
	})
}

// TestConcurrentMergesEndInOneProfile sends, at once, the sign-ins of two
// profiles of one person: on SQLite through one server, on PostgreSQL
// through two servers sharing the database. Each pair ends as one profile
// with both histories.
func TestConcurrentMergesEndInOneProfile(t *testing.T) {
	const pairs = 12
	run := func(t *testing.T, a, b *testenv.Env) {
		ctx := context.Background()
		src := a.Setup("web", testenv.CounterFlow("count", "stats.counters.pages", "pages"), "page-view")
		if err := b.Catalog.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range pairs {
			track(t, a, event(src, fmt.Sprintf("a%02d", i), "", "page-view", nil))
			track(t, b, event(src, fmt.Sprintf("b%02d", i), "", "page-view", nil))
		}
		var wg sync.WaitGroup
		for i := range pairs {
			for _, side := range []struct {
				e  *testenv.Env
				id string
			}{{a, fmt.Sprintf("a%02d", i)}, {b, fmt.Sprintf("b%02d", i)}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := side.e.Do("POST", "/track", "", event(src, side.id, "", "sign-in", map[string]any{"email": fmt.Sprintf("p%d@example.com", i)}))
					if r.Status != 200 || len(r.Obj()["errors"].([]any)) > 0 {
						t.Errorf("sign-in of %s: %d %s", side.id, r.Status, r.Raw)
					}
				}()
			}
		}
		wg.Wait()
		for i := range pairs {
			pa := mustProfile(t, a.Store, fmt.Sprintf("a%02d", i))
			pb := mustProfile(t, b.Store, fmt.Sprintf("b%02d", i))
			if pa["id"] != pb["id"] {
				t.Errorf("pair %d: two profiles remain, %v and %v", i, pa["id"], pb["id"])
				continue
			}
			if got := testenv.At(pa, "stats.counters.pages"); got != 2.0 {
				t.Errorf("pair %d: pages %v, want 1 + 1", i, got)
			}
			if _, n, _ := a.Store.ProfileEvents(ctx, pa["id"].(string), 10, 0); n != 11 {
				t.Errorf("pair %d: %d events on the survivor, want 2 page views, 2 sign-ins, 1 profile-merged, "+
					"2 profile-created, 2 session-opened and 2 visit-started", i, n)
			}
		}
		page, err := a.Store.Select(ctx, &store.Query{Kind: store.KindProfile, Limit: 1})
		if err != nil || page.Total != pairs {
			t.Errorf("%d profiles stored (%v), want %d", page.Total, err, pairs)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		e := testenv.New(t, testenv.Options{})
		run(t, e, e)
	})
	t.Run("postgres-two-servers", func(t *testing.T) {
		if os.Getenv(storetest.PostgresEnv) == "" {
			t.Skip("TRACFLOW_TEST_PG is not set")
		}
		// Two servers, one database (and the secret key file they share).
		o := testenv.Options{DSN: storetest.PostgresDSN(t), DataDir: t.TempDir()}
		run(t, testenv.New(t, o), testenv.New(t, o))
	})
}

// TestIdentificationPointAndMergeProfilesMerge merges by an
// identification point's fields and by the merge_profiles plugin's keys,
// neither of them a hashed contact field.
func TestIdentificationPointAndMergeProfilesMerge(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		ctx := context.Background()
		flow := testenv.FlowJSON("mrg", []testenv.Node{
			{ID: "start", Module: testenv.Start},
			{ID: "copy", Module: testenv.CopyData, Init: map[string]any{"traits": map[string]any{"set": map[string]any{"profile@traits.crm": "event@properties.crm"}}}},
			{ID: "merge", Module: "tracardi.process_engine.action.v1.operations.merge_profiles_action", Init: map[string]any{"mergeBy": []any{"profile@traits.crm"}}},
		}, "start.payload>copy", "copy.payload>merge")
		src := e.Setup("web", flow, "crm-link")
		if _, err := e.Catalog.SaveIdentificationPoint(ctx, store.Doc{"name": "login", "source": map[string]any{"id": src},
			"event_type": map[string]any{"id": "login"},
			"fields": []any{map[string]any{"event_property": map[string]any{"value": "properties.login", "ref": true}, "profile_trait": "data.identifier.token"},
				map[string]any{"event_property": "properties.shop", "profile_trait": "traits.shop"}}}); err != nil {
			t.Fatal(err)
		}
		track(t, e, event(src, "p1", "", "login", map[string]any{"login": "ann", "shop": "north"}))
		track(t, e, event(src, "p2", "", "login", map[string]any{"login": "ann"})) // not every field: no match
		if mustProfile(t, e.Store, "p2")["id"] != "p2" {
			t.Fatal("a point matched without all its fields")
		}
		a := track(t, e, event(src, "p3", "", "login", map[string]any{"login": "ann", "shop": "north"}))
		if idOf(t, a, "profile") != "p1" || mustProfile(t, e.Store, "p3")["id"] != "p1" {
			t.Errorf("the identification point did not merge p3 into p1: %v", a)
		}
		track(t, e, event(src, "q1", "", "crm-link", map[string]any{"crm": "c-7"}))
		a = track(t, e, event(src, "q2", "", "crm-link", map[string]any{"crm": "c-7"}))
		if idOf(t, a, "profile") != "q1" || mustProfile(t, e.Store, "q2")["id"] != "q1" {
			t.Errorf("merge_profiles did not merge q2 into q1: %v", a)
		}
		if m, ok := testenv.At(mustProfile(t, e.Store, "q1"), "operation.merge").([]any); !ok || len(m) != 0 {
			t.Errorf("operation.merge %v is kept after the merge", m)
		}
	})
}

// TestUnknownProfileIDReplacedWhenTheSourceSaysSo checks the source setting
// unknown_profile: adopt (default) keeps an unknown id, replace gives a new
// one; a known id is kept either way.
func TestUnknownProfileIDReplacedWhenTheSourceSaysSo(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/event-source", map[string]any{"id": "adopt", "name": "adopt"}).MustOK(t)
	e.Admin("POST", "/event-source", map[string]any{"id": "fresh", "name": "fresh", "unknown_profile": "replace"}).MustOK(t)
	if r := e.Admin("POST", "/event-source", map[string]any{"id": "bad", "name": "bad", "unknown_profile": "maybe"}); r.Status != 422 || !strings.Contains(string(r.Raw), "unknown_profile") {
		t.Errorf("a bad unknown_profile: %d %s", r.Status, r.Raw)
	}
	if id := idOf(t, track(t, e, event("adopt", "from-browser", "", "page-view", nil)), "profile"); id != "from-browser" {
		t.Errorf("adopt answered %q", id)
	}
	id := idOf(t, track(t, e, event("fresh", "never-seen", "", "page-view", nil)), "profile")
	if id == "never-seen" {
		t.Fatal("replace kept the unknown id")
	}
	if _, err := e.Store.Profile(context.Background(), "never-seen"); err == nil {
		t.Error("a profile with the unknown id was stored")
	}
	if again := idOf(t, track(t, e, event("fresh", id, "", "page-view", nil)), "profile"); again != id {
		t.Errorf("a known id on a replace source answered %q", again)
	}
}
