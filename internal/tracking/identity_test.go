package tracking_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/identity"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
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
		if got := p["stats"].(map[string]any)["counters"].(map[string]any)["pages"]; got != 3.0 {
			t.Errorf("pages counter %v, want 2 + 1", got)
		}
		if got := p["data"].(map[string]any)["contact"].(map[string]any)["email"].(map[string]any)["main"]; got == nil {
			t.Errorf("no e-mail on the survivor")
		}
		evs, total, err := e.Store.ProfileEvents(ctx, "phone", 100, 0)
		if err != nil || total != 8 {
			t.Errorf("survivor's events: %d (%v), want the 4 of the phone, the 3 of the laptop and profile-merged", total, err)
		}
		merged := 0
		for _, ev := range evs {
			if ev["type"] == "profile-merged" {
				merged++
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
			if s["profile"].(map[string]any)["id"] != "phone" {
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
		if got := mustProfile(t, e.Store, "phone")["stats"].(map[string]any)["counters"].(map[string]any)["pages"]; got != 5.0 {
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
			if got := pa["stats"].(map[string]any)["counters"].(map[string]any)["pages"]; got != 2.0 {
				t.Errorf("pair %d: pages %v, want 1 + 1", i, got)
			}
			if _, n, _ := a.Store.ProfileEvents(ctx, pa["id"].(string), 10, 0); n != 5 {
				t.Errorf("pair %d: %d events on the survivor, want 2 page views, 2 sign-ins, 1 profile-merged", i, n)
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
