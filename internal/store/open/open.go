// Package open opens the store.Store a DSN names. It is a package of its own
// so that package store, which both backends import, imports neither.
package open

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/postgres"
	"github.com/tracflow/tracflow/internal/store/sqlite"
)

// FileName is the SQLite database file inside the data folder.
const FileName = "tracflow.db"

// Open opens the store dsn names:
//
//   - "" or "sqlite": SQLite, the file dataDir/tracflow.db (the folder is
//     created when missing);
//   - "sqlite:PATH": SQLite, the file PATH;
//   - "postgres://..." or "postgresql://...": PostgreSQL (pgx DSN; extra
//     parameter lock_pool_max_conns, see package postgres).
//
// Migrations are applied before it returns.
func Open(ctx context.Context, dsn, dataDir string) (store.Store, error) {
	switch {
	case dsn == "" || dsn == "sqlite":
		if dataDir == "" {
			return nil, fmt.Errorf("store: no data folder given for the SQLite database")
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("store: data folder: %w", err)
		}
		return sqliteStore(ctx, filepath.Join(dataDir, FileName))
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("store: %q names no file", dsn)
		}
		return sqliteStore(ctx, path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return st, nil
	default:
		return nil, fmt.Errorf(`store: unknown database %q: use "sqlite", "sqlite:PATH" or "postgres://user:password@host:port/database"`, redact(dsn))
	}
}

func sqliteStore(ctx context.Context, path string) (store.Store, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// redact hides what could be a password in a DSN echoed in an error.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme < at {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}
