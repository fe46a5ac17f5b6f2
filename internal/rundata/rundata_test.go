package rundata_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}

// backends opens a fresh SQLite file and a fresh PostgreSQL schema.
func backends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := ""
			if name == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			st, err := open.Open(context.Background(), dsn, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, st)
		})
	}
}

func at(min int) string {
	return time.Date(2026, 1, 1, 10, min, 0, 0, time.UTC).Format(time.RFC3339)
}

func event(id, typ, profile string, min int) store.Doc {
	ev := store.Doc{"id": id, "type": typ, "source": map[string]any{"id": "web"},
		"metadata":   map[string]any{"time": map[string]any{"insert": at(min)}, "profile_less": profile == ""},
		"properties": map[string]any{"n": float64(min)}}
	if profile != "" {
		ev["profile"] = map[string]any{"id": profile}
	}
	return ev
}

func seed(t *testing.T, st store.Store) {
	t.Helper()
	cs := &store.ChangeSet{
		Profiles: []store.Doc{
			{"id": "p1", "ids": []any{"alias-1"}, "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.com"}}},
				"metadata": map[string]any{"time": map[string]any{"insert": at(0)}}},
			{"id": "p2", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "twin@example.com"}}},
				"metadata": map[string]any{"time": map[string]any{"insert": at(1)}}},
			{"id": "p3", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "twin@example.com"}}},
				"metadata": map[string]any{"time": map[string]any{"insert": at(2)}}},
		},
		Sessions: []store.Doc{
			{"id": "s1", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(1)}}},
			{"id": "s2", "profile": map[string]any{"id": "p1"}, "metadata": map[string]any{"time": map[string]any{"insert": at(5)}}},
			{"id": "s3", "profile": map[string]any{"id": "p2"}, "metadata": map[string]any{"time": map[string]any{"insert": at(6)}}},
		},
		Events: []store.Doc{
			event("e1", "page-view", "p1", 1), event("e2", "purchase", "p1", 2), event("e3", "page-view", "p1", 3),
			event("e4", "page-view", "p2", 4), event("e5", "page-view", "", 5),
		},
	}
	if err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	if err := st.PutConfig(context.Background(), catalog.KindSource, "web", store.Doc{"id": "web", "name": "Web", "type": []any{"rest"}}); err != nil {
		t.Fatal(err)
	}
}

func ids[T ~map[string]any](docs []T) []string {
	out := []string{}
	for _, d := range docs {
		out = append(out, d["id"].(string))
	}
	return out
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestData(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		seed(t, st)
		ctx := context.Background()
		d := rundata.New(st)

		ev, err := d.Event(ctx, "e2")
		if err != nil || ev.Type() != "purchase" {
			t.Fatalf("Event = %v, %v", ev, err)
		}
		if _, err := d.Event(ctx, "nope"); !errors.Is(err, plugin.ErrNotFound) {
			t.Errorf("missing event: %v", err)
		}

		for _, c := range []struct {
			q    plugin.EventQuery
			want []string
		}{
			{plugin.EventQuery{ProfileID: "p1", Limit: 10}, []string{"e3", "e2", "e1"}},
			{plugin.EventQuery{ProfileID: "p1", Type: "page-view", Limit: 10}, []string{"e3", "e1"}},
			{plugin.EventQuery{ProfileID: "p1", Type: "page-view", Limit: 1}, []string{"e3"}},
			{plugin.EventQuery{Type: "page-view", Limit: 10}, []string{"e5"}},
			{plugin.EventQuery{ProfileID: "p9", Limit: 10}, []string{}},
		} {
			evs, err := d.LastEvents(ctx, c.q)
			if err != nil || !same(ids(evs), c.want) {
				t.Errorf("LastEvents(%+v) = %v, %v; want %v", c.q, ids(evs), err, c.want)
			}
		}

		ss, err := d.LastSessions(ctx, "p1", 10)
		if err != nil || !same(ids(ss), []string{"s2", "s1"}) {
			t.Errorf("LastSessions = %v, %v", ids(ss), err)
		}
		if _, err := d.LastSessions(ctx, "", 10); err == nil {
			t.Error("LastSessions without a profile id: no error")
		}

		ps, total, err := d.ProfilesByField(ctx, "data.contact.email.main", "ann@example.com", 2)
		if err != nil || total != 1 || !same(ids(ps), []string{"p1"}) {
			t.Errorf("ProfilesByField(email) = %v, %d, %v", ids(ps), total, err)
		}
		ps, total, err = d.ProfilesByField(ctx, "data.contact.email.main", "twin@example.com", 1)
		if err != nil || total != 2 || len(ps) != 1 {
			t.Errorf("ProfilesByField(twins) = %v, %d, %v", ids(ps), total, err)
		}
		ps, total, err = d.ProfilesByField(ctx, "id", "alias-1", 2)
		if err != nil || total != 1 || !same(ids(ps), []string{"p1"}) {
			t.Errorf("ProfilesByField(id alias) = %v, %d, %v", ids(ps), total, err)
		}
		if _, total, _ = d.ProfilesByField(ctx, "data.contact.email.main", "nobody@example.com", 2); total != 0 {
			t.Errorf("ProfilesByField(nobody) total = %d", total)
		}

		for _, c := range []struct {
			kind, where string
			from        time.Time
			want        int
		}{
			{"event", "", time.Time{}, 5},
			{"event", `type == "page-view"`, time.Time{}, 4},
			{"event", `type == "page-view" and properties.n > 3`, time.Time{}, 2},
			{"event", `event@profile.id == "p1"`, time.Time{}, 3},
			{"event", "", time.Date(2026, 1, 1, 10, 3, 0, 0, time.UTC), 3},
			{"profile", `data.contact.email.main == "twin@example.com"`, time.Time{}, 2},
			{"session", `profile.id == "p1"`, time.Time{}, 2},
		} {
			n, err := d.Count(ctx, c.kind, c.where, c.from, time.Time{})
			if err != nil || n != c.want {
				t.Errorf("Count(%s, %q, %v) = %d, %v; want %d", c.kind, c.where, c.from, n, err, c.want)
			}
		}
		if _, err := d.Count(ctx, "event", "type ==", time.Time{}, time.Time{}); err == nil {
			t.Error("Count with a bad condition: no error")
		}
		if _, err := d.Count(ctx, "None", "", time.Time{}, time.Time{}); err == nil {
			t.Error("Count of an unknown kind: no error")
		}
		if _, err := d.Count(ctx, "event", `profile@id == "x"`, time.Time{}, time.Time{}); err == nil {
			t.Error("Count of events reading the profile: no error")
		}

		src, err := d.Source(ctx, "web")
		if err != nil || src["name"] != "Web" {
			t.Errorf("Source = %v, %v", src, err)
		}
		if _, err := d.Source(ctx, "nope"); !errors.Is(err, plugin.ErrNotFound) {
			t.Errorf("missing source: %v", err)
		}
	})
}

func TestNoStorage(t *testing.T) {
	var st plugin.State
	if _, err := st.StoredData(); !errors.Is(err, plugin.ErrNoStorage) {
		t.Errorf("StoredData without storage: %v", err)
	}
}
