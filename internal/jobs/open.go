package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/tracflow/tracflow/internal/stmtcache"
	"github.com/tracflow/tracflow/internal/store/open"
)

// Open opens the queue in the database dsn names, as store/open reads it.
func Open(ctx context.Context, dsn, dataDir string, o Options) (*Queue, error) {
	switch b, path := open.Classify(dsn, dataDir); b {
	case open.SQLite:
		return OpenSQLite(ctx, QueueFile(path), o)
	case open.PostgreSQL:
		return OpenPostgres(ctx, dsn, o)
	}
	return nil, fmt.Errorf("jobs: unknown database %q", dsn)
}

// QueueFile is the SQLite file of the queue beside the store's file
// (tracflow.db: tracflow-jobs.db). The queue has a file of its own: sharing
// the store's, River's writes took SQLite's one write lock from the
// collector's group-commit writer, whose waits for it then showed in /track
// latency (see docs/storage.md).
func QueueFile(storePath string) string {
	return strings.TrimSuffix(storePath, ".db") + "-jobs.db"
}

// sqliteDSN opens the store's file with the store's settings (WAL,
// synchronous=FULL, a 10 s busy timeout), on a connection of its own.
func sqliteDSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(FULL)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode()
}

// OpenSQLite opens (creating it, readable by its owner only) the queue's
// SQLite file at path and brings River's schema up to date.
func OpenSQLite(ctx context.Context, path string, o Options) (*Queue, error) {
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("jobs: create %s: %w", path, err)
	} else {
		f.Close()
	}
	db, err := stmtcache.Open(sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	// SQLite takes one writer at a time; River's driver is made for a
	// single connection.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	drv := riversqlite.New(db)
	if err := migrateUp[*sql.Tx](ctx, drv); err != nil {
		db.Close()
		return nil, err
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	obs := &observer{}
	cfg, kinds, err := config(o, obs)
	if err != nil {
		db.Close()
		return nil, err
	}
	c, err := river.NewClient(drv, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	q := &Queue{c: c, db: db, dialect: SQLite, kinds: kinds, obs: obs, log: cfg.Logger, close: func() { db.Close() }}
	q.withTx = func(ctx context.Context, ps []river.InsertManyParams, write WriteFunc) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		ex := &sqlExec{tx: tx, stmts: map[string]*sql.Stmt{}}
		defer ex.close()
		if err := writeAndInsert(ctx, c, tx, ex, ps, write); err != nil {
			return err
		}
		return tx.Commit()
	}
	q.startGroup()
	return q, nil
}

// OpenPostgres opens the queue in the PostgreSQL database of dsn (River's
// tables in the first schema of its search path) with a small pool of its
// own, and brings River's schema up to date (River's migrator takes a lock,
// so processes starting together do not clash).
func OpenPostgres(ctx context.Context, dsn string, o Options) (*Queue, error) {
	if u, err := url.Parse(dsn); err == nil {
		q := u.Query()
		q.Del("lock_pool_max_conns") // the store's own setting
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if pc.MaxConns > 8 || pc.MaxConns == 0 {
		pc.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("jobs: connect: %w", err)
	}
	drv := riverpgxv5.New(pool)
	if err := migrateUp[pgx.Tx](ctx, drv); err != nil {
		pool.Close()
		return nil, err
	}
	obs := &observer{}
	cfg, kinds, err := config(o, obs)
	if err != nil {
		pool.Close()
		return nil, err
	}
	c, err := river.NewClient(drv, cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	q := &Queue{c: c, db: db, dialect: Postgres, kinds: kinds, obs: obs, log: cfg.Logger, close: func() { db.Close(); pool.Close() }}
	q.withTx = func(ctx context.Context, ps []river.InsertManyParams, write WriteFunc) error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := writeAndInsert(ctx, c, tx, pgxExec{tx: tx, rebind: q.Rebind}, ps, write); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	q.startGroup()
	return q, nil
}

func migrateUp[T any](ctx context.Context, drv riverdriver.Driver[T]) error {
	m, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrations: %w", err)
	}
	return nil
}

// writeAndInsert is EnqueueWith's work inside its transaction tx, on
// either backend: the caller's rows through ex, then the jobs.
func writeAndInsert[TTx any](ctx context.Context, c *river.Client[TTx], tx TTx, ex Execer, ps []river.InsertManyParams, write WriteFunc) error {
	if err := write(ctx, ex); err != nil {
		return err
	}
	if len(ps) == 0 {
		return nil
	}
	_, err := c.InsertManyFastTx(ctx, tx, ps)
	return err
}

// Execer runs statements (written with ? placeholders) in EnqueueWith's
// transaction.
type Execer interface {
	Exec(ctx context.Context, query string, args ...any) error
}

// WriteFunc writes rows of the caller's own tables in EnqueueWith's
// transaction.
type WriteFunc func(ctx context.Context, tx Execer) error

// sqlExec prepares each statement once per transaction: a caller writes
// many rows with the same statement.
type sqlExec struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (e *sqlExec) Exec(ctx context.Context, query string, args ...any) error {
	st, ok := e.stmts[query]
	if !ok {
		var err error
		if st, err = e.tx.PrepareContext(ctx, query); err != nil {
			return err
		}
		e.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

func (e *sqlExec) close() {
	for _, st := range e.stmts {
		st.Close()
	}
}

type pgxExec struct {
	tx     pgx.Tx
	rebind func(string) string
}

func (e pgxExec) Exec(ctx context.Context, query string, args ...any) error {
	_, err := e.tx.Exec(ctx, e.rebind(query), args...)
	return err
}
