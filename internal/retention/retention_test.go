package retention_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/retention"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/postgres"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}

func backends(t *testing.T, f func(t *testing.T, st store.Store, openQ func(jobs.Options) *jobs.Queue)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tracflow.db")
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, st, func(o jobs.Options) *jobs.Queue {
			q, err := jobs.OpenSQLite(context.Background(), jobs.QueueFile(path), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close(context.Background()) })
			return q
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, st, func(o jobs.Options) *jobs.Queue {
			q, err := jobs.OpenPostgres(context.Background(), dsn, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close(context.Background()) })
			return q
		})
	})
}

func seed(t *testing.T, st store.Store, now time.Time) {
	old := now.Add(-60 * 24 * time.Hour)
	cs := &store.ChangeSet{Profiles: []store.Doc{domain.NewProfile("keep", now), domain.NewProfile("idle", old)}}
	for i := range 2500 {
		cs.Events = append(cs.Events, store.Doc{"id": fmt.Sprintf("old-%d", i), "type": "view", "profile": map[string]any{"id": "keep"},
			"source": map[string]any{"id": "s"}, "metadata": map[string]any{"time": map[string]any{"insert": domain.Timestamp(old)}}})
	}
	for i := range 30 {
		cs.Events = append(cs.Events, store.Doc{"id": fmt.Sprintf("new-%d", i), "type": "view", "profile": map[string]any{"id": "keep"},
			"source": map[string]any{"id": "s"}, "metadata": map[string]any{"time": map[string]any{"insert": domain.Timestamp(now)}}})
	}
	cs.Sessions = []store.Doc{domain.NewSession("old-s", "keep", old), domain.NewSession("new-s", "keep", now)}
	if err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
}

// Old events, sessions and idle profiles go, a page at a time; new ones
// stay.
func TestRunDeletesOldRowsInPages(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store, _ func(jobs.Options) *jobs.Queue) {
		now := time.Now()
		seed(t, st, now)
		var forgot []string
		r := retention.New(st, nil, retention.Policy{Events: 30 * 24 * time.Hour, Sessions: 30 * 24 * time.Hour, Profiles: 30 * 24 * time.Hour},
			func(id string) { forgot = append(forgot, id) }, nil)
		res, err := r.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res != (retention.Result{Events: 2500, Sessions: 1, Profiles: 1}) {
			t.Fatalf("deleted %+v", res)
		}
		if len(forgot) != 1 || forgot[0] != "idle" {
			t.Fatalf("forgot %v", forgot)
		}
		evs, total, err := st.ProfileEvents(context.Background(), "keep", 0, 0)
		if err != nil || total != 30 || evs[0]["id"] == nil {
			t.Fatalf("events left %d %v", total, err)
		}
		if _, err := st.Session(context.Background(), "new-s"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Profile(context.Background(), "keep"); err != nil {
			t.Fatal(err)
		}
		// Nothing left to do: a second run deletes nothing.
		if res, err := r.Run(context.Background()); err != nil || res.Total() != 0 {
			t.Fatalf("second run %+v %v", res, err)
		}
	})
}

// The retention job runs from the queue's schedule.
func TestPeriodicJobRuns(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store, openQ func(jobs.Options) *jobs.Queue) {
		now := time.Now()
		seed(t, st, now)
		r := retention.New(st, nil, retention.Policy{Events: 30 * 24 * time.Hour, Every: 200 * time.Millisecond}, nil, nil)
		q := openQ(jobs.Options{Kinds: []jobs.Kind{r.Kind()}, Periodic: r.Periodic(), PollInterval: 20 * time.Millisecond})
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			_, total, err := st.ProfileEvents(context.Background(), "keep", 1, 0)
			if err == nil && total == 30 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("events left: %d %v", total, err)
			}
		}
	})
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "0": 0, "30d": 720 * time.Hour, "36h": 36 * time.Hour} {
		if got, err := retention.ParseAge(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"x", "-1d", "3w", "-5h"} {
		if _, err := retention.ParseAge(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
