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

// Backend is the kind of database a DSN names.
type Backend int

// The backends.
const (
	Unknown Backend = iota
	SQLite
	PostgreSQL
)

// String names the backend for logs and errors.
func (b Backend) String() string {
	switch b {
	case SQLite:
		return "SQLite"
	case PostgreSQL:
		return "PostgreSQL"
	}
	return "unknown"
}

// Classify tells which backend dsn names (see Open), and for SQLite the
// database file's path (inside dataDir unless the DSN names one).
func Classify(dsn, dataDir string) (b Backend, path string) {
	switch {
	case dsn == "" || dsn == "sqlite":
		return SQLite, filepath.Join(dataDir, FileName)
	case strings.HasPrefix(dsn, "sqlite:"):
		return SQLite, strings.TrimPrefix(dsn, "sqlite:")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return PostgreSQL, ""
	}
	return Unknown, ""
}

// Embedded reports whether dsn names the embedded SQLite database, in the
// data folder or in a file of its own.
func Embedded(dsn string) bool {
	b, _ := Classify(dsn, "")
	return b == SQLite
}

// Open opens the store dsn names:
//
//   - "" or "sqlite": SQLite, the file dataDir/tracflow.db (the folder is
//     created with mode 0700 when missing);
//   - "sqlite:PATH": SQLite, the file PATH (its folder likewise);
//   - "postgres://..." or "postgresql://...": PostgreSQL (pgx DSN; extra
//     parameter lock_pool_max_conns, see package postgres).
//
// Migrations are applied before it returns.
func Open(ctx context.Context, dsn, dataDir string) (store.Store, error) {
	backend, path := Classify(dsn, dataDir)
	switch {
	case backend == SQLite && (dsn == "" || dsn == "sqlite"):
		if dataDir == "" {
			return nil, fmt.Errorf("store: no data folder given for the SQLite database")
		}
		if err := os.MkdirAll(dataDir, sqlite.DirMode); err != nil {
			return nil, fmt.Errorf("store: data folder: %w", err)
		}
		return sqliteStore(ctx, path)
	case backend == SQLite:
		if path == "" {
			return nil, fmt.Errorf("store: %q names no file", dsn)
		}
		return sqliteStore(ctx, path)
	case backend == PostgreSQL:
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
