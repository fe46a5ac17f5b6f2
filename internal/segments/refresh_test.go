package segments_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

// pagingStore records the reads a refresh makes.
type pagingStore struct {
	store.Store
	mu      sync.Mutex
	selects []*store.Query
	maxDocs int
}

func (p *pagingStore) Select(ctx context.Context, q *store.Query) (*store.Page, error) {
	pg, err := p.Store.Select(ctx, q)
	p.mu.Lock()
	defer p.mu.Unlock()
	qc := *q
	p.selects = append(p.selects, &qc)
	if pg != nil {
		p.maxDocs = max(p.maxDocs, len(pg.Docs))
	}
	return pg, err
}

func openStore(t *testing.T) store.Store { return openDSN(t, "") }

// openDSN opens a real store: SQLite in a temporary folder for "", else
// the PostgreSQL DSN.
func openDSN(t *testing.T, dsn string) store.Store {
	t.Helper()
	st, err := open.Open(context.Background(), dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRefreshPagingBound: a re-evaluation reads the profiles a page at a
// time by keyset (never by offset, which makes the database keep every
// skipped row), so what it holds does not grow with the number of
// profiles: ten times the profiles, ten times the pages, the same page.
func TestRefreshPagingBound(t *testing.T) {
	backends := map[string]func(t *testing.T) string{"sqlite": func(*testing.T) string { return "" }, "postgres": func(t *testing.T) string { return storetest.PostgresDSN(t) }}
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, n := range []int{100, 1000} {
			t.Run(fmt.Sprintf("%s/%d", backend, n), func(t *testing.T) {
				st := openDSN(t, backends[backend](t))
				var docs []store.Doc
				for i := range n {
					docs = append(docs, store.Doc{"id": fmt.Sprintf("p%05d", i), "stats": map[string]any{"visits": float64(i % 10)}, "segments": []any{}})
				}
				if err := st.Apply(t.Context(), &store.ChangeSet{Profiles: docs}); err != nil {
					t.Fatal(err)
				}
				if err := st.PutConfig(t.Context(), segments.Kind, "nine", store.Doc{"id": "nine", "name": "Nine", "condition": "stats.visits == 9"}); err != nil {
					t.Fatal(err)
				}
				ps := &pagingStore{Store: st}
				forgot := 0
				r := segments.NewRefresher(ps, func(string) { forgot++ }, nil)
				r.PageSize = 40
				p, err := r.RunAll(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if p.State != "done" || p.Done != n || p.Changed != n/10 || forgot != n/10 {
					t.Fatalf("progress %+v, forgot %d: want %d done, %d changed", p, forgot, n, n/10)
				}
				wantPages := n/40 + 1
				if len(ps.selects) != wantPages {
					t.Errorf("%d reads, want %d pages of 40", len(ps.selects), wantPages)
				}
				for i, q := range ps.selects {
					if q.Limit != 40 || q.Offset != 0 || q.Filter != nil || (i > 0) != (q.After != "") {
						t.Fatalf("read %d: %+v; want keyset pages of 40 without offset or filter", i, q)
					}
				}
				if ps.maxDocs > 40 {
					t.Errorf("a read answered %d profiles, more than a page", ps.maxDocs)
				}
				c, err := st.Select(t.Context(), &store.Query{Kind: store.KindProfile, Filter: &store.Filter{Fields: [][]string{{"segments"}},
					Match: func(d store.Doc) bool { l, _ := d["segments"].([]any); return len(l) == 1 && l[0] == "nine" }}, Limit: 1})
				if err != nil || c.Total != n/10 {
					t.Fatalf("profiles in nine: %v %v", c, err)
				}
			})
		}
	}
}

// TestRefreshStepsResume: a run cut into steps (a short budget) goes on
// from where the previous step stopped, and finishes with every profile
// evaluated once.
func TestRefreshStepsResume(t *testing.T) {
	st := openStore(t)
	var docs []store.Doc
	for i := range 90 {
		docs = append(docs, store.Doc{"id": fmt.Sprintf("p%03d", i), "stats": map[string]any{"visits": 1.0}})
	}
	if err := st.Apply(t.Context(), &store.ChangeSet{Profiles: docs}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutConfig(t.Context(), segments.Kind, "all", store.Doc{"id": "all", "name": "All", "condition": "stats.visits > 0"}); err != nil {
		t.Fatal(err)
	}
	r := segments.NewRefresher(st, nil, nil)
	r.PageSize, r.Budget = 10, time.Nanosecond // one page per step
	steps, p, err := r.RunSteps(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if steps != 10 || p.Done != 90 || p.Changed != 90 || p.State != "done" {
		t.Fatalf("%d steps, progress %+v; want 10 steps, 90 done and changed", steps, p)
	}
}
