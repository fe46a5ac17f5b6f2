package tracking_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/jsonx"
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

// The commit hook gets the JSON the store wrote each document as: the
// profile, the session when written, and every event, each decoding to the
// document itself. The destinations send these bytes instead of encoding
// the documents again.
func TestCommitHookGetsTheStoredEncodings(t *testing.T) {
	onEachBackend(t, testenv.Options{}, func(t *testing.T, e *testenv.Env) {
		e.Setup("src", testenv.CounterFlow("count", "stats.counters.purchases", "purchases"), "purchase")
		type seen struct {
			known        int
			docs, stored []any
		}
		var calls []seen
		hook := func(events []map[string]any, profile, session map[string]any, _ bool, stored *jsonx.Known) {
			var s seen
			s.known = stored.Len()
			for _, d := range append([]map[string]any{profile, session}, events...) {
				raw, err := jsonx.AppendSortedKnown(nil, []any{d}, stored)
				if err != nil {
					t.Error(err)
					return
				}
				var got []any
				if err := json.Unmarshal(raw, &got); err != nil {
					t.Errorf("%s: %v", raw, err)
					return
				}
				plain, _ := json.Marshal(d)
				var want any
				_ = json.Unmarshal(plain, &want)
				s.docs, s.stored = append(s.docs, want), append(s.stored, got[0])
			}
			calls = append(calls, s)
		}
		tr := tracking.New(e.Store, e.Catalog, tracking.Options{Committed: hook})
		for i := range 2 {
			p := &tracking.Payload{SourceID: "src", ProfileID: "p1", SessionID: "s1",
				Events: []tracking.EventIn{{Type: "purchase", Properties: map[string]any{"price": 1.5, "note": "<&>"}}}}
			if _, err := tr.Track(context.Background(), p, nil); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		// The first request writes the profile, the new session, the event
		// and the visit's three system events; the second the profile and
		// the event.
		if len(calls) != 2 || calls[0].known != 6 || calls[1].known != 2 {
			var known []int
			for _, c := range calls {
				known = append(known, c.known)
			}
			t.Fatalf("hook calls %d, documents known %v; want 2 calls knowing 6 and 2", len(calls), known)
		}
		for i, c := range calls {
			if !reflect.DeepEqual(c.docs, c.stored) {
				t.Errorf("request %d: the stored encodings\n%v\nare not the documents\n%v", i, c.stored, c.docs)
			}
		}
	})
}
