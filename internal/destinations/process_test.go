package destinations_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store"
)

// split is a server's destinations service and a delivery process's, as
// serve and `tracflow deliver` set them up: the server's queue leaves the
// delivery jobs to the other, which knows the destinations from a Mirror.
type split struct {
	st     store.Store
	server *destinations.Service
	worker *destinations.Service
	mirror *destinations.Mirror
	res    *resources.Service
}

func splitBackends(t *testing.T, f func(t *testing.T, s *split)) {
	stores(t, func(t *testing.T, st store.Store, open opener) {
		ctx := context.Background()
		box, err := secrets.New(secrets.GenerateKey())
		if err != nil {
			t.Fatal(err)
		}
		res, err := resources.New(ctx, st, box)
		if err != nil {
			t.Fatal(err)
		}
		s := &split{st: st, res: res, server: destinations.New(st, res, nil), mirror: destinations.NewMirror()}
		s.worker = destinations.New(s.mirror, s.mirror, nil)
		sq, err := open(fast(jobs.Options{Kinds: s.server.JobKinds(), Queues: []string{jobs.DefaultQueue}}))
		if err != nil {
			t.Fatal(err)
		}
		wq, err := open(fast(jobs.Options{Kinds: s.worker.JobKinds(), Queues: []string{destinations.JobQueue}, Follower: true}))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.server.Init(ctx, sq); err != nil {
			t.Fatal(err)
		}
		if err := s.worker.Init(ctx, wq); err != nil {
			t.Fatal(err)
		}
		s.server.Start()
		for _, q := range []*jobs.Queue{sq, wq} {
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { s.server.Close(); wq.Close(ctx); sq.Close(ctx) })
		f(t, s)
	})
}

// save stores a destination on the server's side, which reads it again,
// and tells the delivery side.
func (s *split) save(t *testing.T, d store.Doc) store.Doc {
	t.Helper()
	ctx := context.Background()
	n, err := destinations.Normalize(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.PutConfig(ctx, destinations.Kind, n["id"].(string), n); err != nil {
		t.Fatal(err)
	}
	if err := s.server.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	s.tell(t)
	return n
}

// tell gives the delivery side the server's configuration, as serve does
// after every reload.
func (s *split) tell(t *testing.T) {
	t.Helper()
	sn, err := s.server.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.mirror.Set(sn)
	if err := s.worker.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (s *split) deliveries(t *testing.T, dest string, n int) []destinations.Delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, _, err := s.server.Deliveries(context.Background(), dest, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, d := range ds {
			if d.Status == destinations.StatusDelivered || d.Status == destinations.StatusCancelled {
				done++
			}
		}
		if done == n {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d finished deliveries: %+v", n, ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Deliveries matched by the server are stored and sent by the delivery
// side, whether the server hands the batch over or stores it itself, with
// the credentials of the destination's resource as the server read them.
func TestDeliveryProcessSendsWhatTheServerMatched(t *testing.T) {
	splitBackends(t, func(t *testing.T, s *split) {
		ctx := context.Background()
		var mu sync.Mutex
		auth := map[string]string{} // idempotency key: Authorization
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			auth[r.Header.Get("Idempotency-Key")] = r.Header.Get("Authorization")
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		defer recv.Close()
		if _, err := s.res.Save(ctx, store.Doc{"id": "hook-token", "name": "Hook token", "type": "token",
			"credentials": map[string]any{"production": map[string]any{"token": "s3cret"}}}); err != nil {
			t.Fatal(err)
		}
		d := webhook("d1", recv.URL)
		d["resource"] = map[string]any{"id": "hook-token"}
		s.save(t, d)

		// Handed over: the delivery side stores the batch.
		var handed, refused int
		s.server.Forward(func(b []byte) bool {
			if !s.worker.StoreBatch(b) {
				t.Errorf("storing a handed batch failed")
				return false
			}
			handed++
			return true
		})
		s.server.Notify([]map[string]any{event("e1", "purchase")}, profile, nil, true, nil)
		s.deliveries(t, "d1", 1)
		// Not taken: the server stores it; the delivery side sends it.
		s.server.Forward(func([]byte) bool { refused++; return false })
		s.server.Notify([]map[string]any{event("e2", "purchase")}, profile, nil, true, nil)
		ds := s.deliveries(t, "d1", 2)
		if handed != 1 || refused != 1 {
			t.Errorf("handed %d, refused %d batches; want 1 and 1", handed, refused)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, dl := range ds {
			if dl.Status != destinations.StatusDelivered {
				t.Errorf("delivery %s: %s (%s); want delivered", dl.EventID, dl.Status, dl.LastError)
			}
			if got := auth[dl.ID]; got != "Bearer s3cret" {
				t.Errorf("delivery %s sent with Authorization %q; want the resource's token", dl.EventID, got)
			}
		}
		if len(auth) != 2 {
			t.Errorf("the receiver got %d deliveries; want 2", len(auth))
		}
	})
}

// A destination disabled on the server stops its deliveries on the
// delivery side once it is told.
func TestDeliveryProcessFollowsTheServersDestinations(t *testing.T) {
	splitBackends(t, func(t *testing.T, s *split) {
		ctx := context.Background()
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		defer recv.Close()
		n := s.save(t, webhook("d1", recv.URL))
		s.server.Notify([]map[string]any{event("e1", "purchase")}, profile, nil, true, nil)
		deadline := time.Now().Add(30 * time.Second)
		for {
			ds, _, err := s.server.Deliveries(ctx, "d1", 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 1 && ds[0].Status == destinations.StatusRetrying {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no failed attempt: %+v", ds)
			}
			time.Sleep(20 * time.Millisecond)
		}
		n["enabled"] = false
		s.save(t, n)
		ds := s.deliveries(t, "d1", 1)
		if ds[0].Status != destinations.StatusCancelled || ds[0].LastError != "the destination is disabled" {
			t.Errorf("delivery: %s (%q); want cancelled: the destination is disabled", ds[0].Status, ds[0].LastError)
		}
		// What the mirror does not know is gone: its jobs are cancelled.
		if _, err := s.mirror.GetConfig(ctx, destinations.Kind, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown destination: %v; want store.ErrNotFound", err)
		}
	})
}
