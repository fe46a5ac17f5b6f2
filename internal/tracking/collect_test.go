package tracking_test

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/tracflow/tracflow/internal/store/open"

	"github.com/tracflow/tracflow/internal/testenv"
)

// TestCollectSessionReadFailureIsNotANewProfile: a webhook event naming a
// stored session belongs to that session's profile; when the session cannot
// be read, the request fails instead of giving the event a new profile.
func TestCollectSessionReadFailureIsNotANewProfile(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("hook", testenv.CounterFlow("count", "stats.counters.orders", "orders"), "order")
	e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": "buyer"},
		"session": map[string]any{"id": "buyer-session"}, "events": []any{map[string]any{"type": "visit"}}}).MustOK(t)
	r := e.Do("GET", "/collect/order/"+src+"/buyer-session?total=5", "", nil).MustOK(t)
	if got := r.Obj()["profile"]; got == nil || got.(map[string]any)["id"] != "buyer" {
		t.Fatalf("webhook event with the session did not go to its profile: %s", r.Raw)
	}

	// The stored session becomes unreadable.
	db, err := sql.Open("sqlite", filepath.Join(e.Dir, open.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE sessions SET doc = '{not json' WHERE id = 'buyer-session'`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("corrupted %d sessions, want 1", n)
	}
	r = e.Do("GET", "/collect/order/"+src+"/buyer-session?total=6", "", nil)
	if r.Status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500 when the session cannot be read: %s", r.Status, r.Raw)
	}
}
