package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/postgres"
	"github.com/tracflow/tracflow/internal/store/storetest"
)

var (
	dsnsMu sync.Mutex
	dsns   = map[store.Store]string{}
)

func open(tb testing.TB, dsn string) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	dsnsMu.Lock()
	dsns[st] = dsn
	dsnsMu.Unlock()
	return st
}

func dsnOf(st store.Store) string {
	dsnsMu.Lock()
	defer dsnsMu.Unlock()
	return dsns[st]
}

func TestStore(t *testing.T) {
	storetest.PostgresDSN(t) // skips without a server
	storetest.Run(t,
		func(t *testing.T) store.Store { return open(t, storetest.PostgresDSN(t)) },
		storetest.Reopen(func(t *testing.T, closed store.Store) store.Store { return open(t, dsnOf(closed)) }),
		storetest.Second(func(t *testing.T, first store.Store) store.Store { return open(t, dsnOf(first)) }),
	)
}

// TestMigrations opens a fresh schema from several processes at once: one
// applies the migrations, the others find them applied.
func TestMigrations(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				st.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := open(t, dsn)
	files, _ := filepath.Glob("migrations/*.sql")
	if v, err := st.SchemaVersion(context.Background()); err != nil || v != len(files) {
		t.Fatalf("schema version %d, %v; want %d (one per migration)", v, err, len(files))
	}
}

func TestBadDSN(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	if _, err := postgres.Open(context.Background(), dsn+"&lock_pool_max_conns=zero"); err == nil {
		t.Fatal("no error for lock_pool_max_conns=zero")
	}
	st := open(t, dsn+"&lock_pool_max_conns=2&pool_max_conns=3")
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func benchOpen(b *testing.B) store.Store {
	st, err := postgres.Open(context.Background(), storetest.PostgresDSN(b))
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func BenchmarkApply(b *testing.B)        { storetest.BenchmarkApply(b, benchOpen) }
func BenchmarkLockedUpdate(b *testing.B) { storetest.BenchmarkLockedUpdate(b, benchOpen) }
