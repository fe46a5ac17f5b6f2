package tracking_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/tracking"
)

// writeCounter is the real store, counting the documents the tracker asks
// it to write.
type writeCounter struct {
	store.Store
	mu                         sync.Mutex
	profiles, sessions, events int
}

func (w *writeCounter) Apply(ctx context.Context, cs *store.ChangeSet) error {
	w.mu.Lock()
	w.profiles += len(cs.Profiles)
	w.sessions += len(cs.Sessions)
	w.events += len(cs.NewEvents)
	w.mu.Unlock()
	return w.Store.Apply(ctx, cs)
}

// A request writes only what it changed: an event whose flow moves a
// profile counter rewrites the profile, never the session row it left alone
// (the session is written once, when it opens). On both backends, with and
// without a session id (a request without one joins the profile's open
// session, which is not written again either).
func TestUnchangedSessionIsNotWritten(t *testing.T) {
	for _, withSession := range []bool{true, false} {
		t.Run(fmt.Sprintf("session-id=%v", withSession), func(t *testing.T) {
			onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
				_, embedded := e.Store.(*sqlite.Store)
				e.Setup("src", testenv.CounterFlow("count", "stats.counters.purchases", "purchases"), "purchase")
				w := &writeCounter{Store: e.Store}
				tr := tracking.New(w, e.Catalog, tracking.Options{CacheProfiles: embedded})
				const n = 5
				for i := range n {
					p := &tracking.Payload{SourceID: "src", ProfileID: "p1",
						Events: []tracking.EventIn{{Type: "purchase", Properties: map[string]any{"price": 1.5}}}}
					if withSession {
						p.SessionID = "s1"
					}
					res, err := tr.Track(context.Background(), p, nil)
					if err != nil {
						t.Fatalf("request %d: %v", i, err)
					}
					if got := fmt.Sprint(res.Response["purchases"]); got != fmt.Sprintf("map[value:%d]", i+1) {
						t.Fatalf("request %d answered %s", i, got)
					}
				}
				// The first request also stores the visit's system events:
				// profile-created, session-opened, visit-started.
				const system = 3
				if w.sessions != 1 || w.profiles != n || w.events != n+system {
					t.Fatalf("written: %d sessions, %d profiles, %d events; want 1 session (when it opened), %d profiles, %d events",
						w.sessions, w.profiles, w.events, n, n+system)
				}
			})
		})
	}
}
