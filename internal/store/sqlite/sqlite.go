// Package sqlite is Tracflow's embedded storage: one SQLite file
// (modernc.org/sqlite, pure Go) in WAL mode with synchronous=FULL, written by
// a single writer goroutine that group-commits, and read through a separate
// pool of read-only connections.
//
// One process owns the file: Open takes an exclusive lock on a file beside
// it, since LockProfile serialises only within the process.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/groupcommit"
	"github.com/tracflow/tracflow/internal/store/keylock"
	"github.com/tracflow/tracflow/internal/store/migrate"
	"github.com/tracflow/tracflow/internal/store/rows"
)

//go:embed migrations/*.sql
var migrations embed.FS

const (
	maxBatch   = 1024 // writes per transaction at most
	queueSize  = 4096 // writes waiting before Apply blocks
	busyMillis = 10000

	// The write-ahead log is copied into the database file by a background
	// checkpoint every checkpointEvery; the writer does it itself only when
	// the log reaches walAutoCheckpoint pages (of 4 KiB).
	checkpointEvery   = 200 * time.Millisecond
	walAutoCheckpoint = 32768
)

// Store is the SQLite backend. It implements store.Store.
type Store struct {
	path   string
	w      *sql.DB // exactly one connection: the writer
	r      *sql.DB // read-only connections
	ws     [nWriteStmts]*sql.Stmt
	rs     [nReadStmts]*sql.Stmt
	q      *groupcommit.Queue[write]
	locks  *keylock.Table
	unlock func() error // the process lock on the file
	closed atomic.Bool

	ck     *sql.DB // the checkpointer's connection
	ckStop chan struct{}
	ckDone chan struct{}

	aliases map[string]string // committed alias sets by profile; the writer's own

	prunedAttempts atomic.Int64 // when old attempts were last deleted (Unix µs)
}

var _ store.Store = (*Store)(nil)

// write is one queued write; it runs inside the writer's transaction.
type write func(t *wtx) error

// Open opens (creating if needed) the database file at path and applies the
// schema migrations.
func Open(ctx context.Context, path string) (_ *Store, err error) {
	if err := prepareFiles(path); err != nil {
		return nil, err
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, locks: keylock.New(), unlock: unlock}
	defer func() {
		if err != nil {
			_ = s.closeDBs() // the error that stopped the open is the one to report
		}
	}()
	if s.w, err = sql.Open("sqlite", dsn(path, roleWriter)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	n := readers()
	if s.r, err = sql.Open("sqlite", dsn(path, roleReader)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	s.r.SetConnMaxIdleTime(0)
	for i, q := range writeSQL {
		if s.ws[i], err = s.w.PrepareContext(ctx, q); err != nil {
			return nil, fmt.Errorf("store: prepare %q: %w", q, err)
		}
	}
	for i, q := range readSQL {
		if s.rs[i], err = s.r.PrepareContext(ctx, q); err != nil {
			return nil, fmt.Errorf("store: prepare %q: %w", q, err)
		}
	}
	if s.ck, err = sql.Open("sqlite", dsn(path, roleCheckpointer)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.ck.SetMaxOpenConns(1)
	s.ckStop, s.ckDone = make(chan struct{}), make(chan struct{})
	go s.checkpoints()
	s.aliases = map[string]string{}
	s.q = groupcommit.New(s.commit, maxBatch, queueSize)
	return s, nil
}

// checkpoints copies the write-ahead log into the database file in the
// background, so that commits do not wait for it. The writer checkpoints by
// itself only when the log grows past walAutoCheckpoint pages.
func (s *Store) checkpoints() {
	defer close(s.ckDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ckStop:
			return
		case <-t.C:
			// A passive checkpoint that fails is tried again at the next tick.
			_, _ = s.ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// Page caches: memory the server holds for good once the database is larger
// than they are, outside Go's heap, so they are bounded whatever the number
// of cores. The writer keeps the index pages it inserts into; the readers
// share a budget, since they read mostly what the collector's cache missed
// and the operating system caches the file too.
const (
	writerCacheKiB       = 8 << 10
	readersCacheKiB      = 6 << 10
	checkpointerCacheKiB = 1 << 10
)

// readers is the size of the pool of read-only connections.
func readers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// readerCacheKiB is one reader's share of the readers' page cache.
func readerCacheKiB() int { return max(readersCacheKiB/readers(), 1<<10) }

// Connection roles.
const (
	roleWriter = iota
	roleReader
	roleCheckpointer
)

func dsn(path string, role int) string {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyMillis))
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(FULL)")
	switch role {
	case roleWriter:
		v.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
		v.Add("_pragma", "journal_mode(WAL)")
		v.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walAutoCheckpoint))
		v.Set("_txlock", "immediate")
	case roleReader:
		v.Add("_pragma", fmt.Sprintf("cache_size(%d)", -readerCacheKiB()))
		v.Add("_pragma", "query_only(1)")
	case roleCheckpointer:
		// It reads only the log's frames and the pages they replace.
		v.Add("_pragma", fmt.Sprintf("cache_size(%d)", -checkpointerCacheKiB))
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode()
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("store: %s has schema version %d, newer than this build knows (%d): upgrade Tracflow", s.path, current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_us) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Statements of the writer, prepared once on its connection.
const (
	wDeleteEvents = iota
	wDeleteSessions
	wDeleteAliases
	wDeleteProfile
	wUpdateProfile
	wUpsertProfile
	wDeleteStaleAliases
	wInsertNewAliases
	wAliasOwner
	wUpdateSessionDoc
	wUpsertSession
	wUpsertEvent
	wInsertEvent
	wPutConfig
	wCreateConfig
	wUpdateConfigIf
	wConfigVersionOf
	wDeleteConfig
	wBumpConfig
	wGetAttempt
	wPutAttempt
	wClearAttempt
	wPruneAttempts
	nWriteStmts
)

var writeSQL = [nWriteStmts]string{
	wDeleteEvents:   `DELETE FROM events WHERE profile_id = ?`,
	wDeleteSessions: `DELETE FROM sessions WHERE profile_id = ?`,
	wDeleteAliases:  `DELETE FROM profile_aliases WHERE profile_id = ?`,
	wDeleteProfile:  `DELETE FROM profiles WHERE id = ?`,
	// A stored profile is updated in place: one search of the table, where
	// the upsert first tries an insert, then finds the row again to update.
	wUpdateProfile: `UPDATE profiles SET inserted_us = ?, updated_us = ?, doc = ? WHERE id = ?`,
	wUpsertProfile: `INSERT INTO profiles (id, inserted_us, updated_us, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET inserted_us = excluded.inserted_us, updated_us = excluded.updated_us, doc = excluded.doc`,
	// Aliases are rewritten only where they changed: in the usual update of a
	// profile these two statements read and write nothing else.
	wDeleteStaleAliases: `DELETE FROM profile_aliases WHERE profile_id = ?1 AND alias NOT IN (SELECT value FROM json_each(?2))`,
	wInsertNewAliases: `INSERT INTO profile_aliases (alias, profile_id) SELECT j.value, ?1 FROM json_each(?2) j
		WHERE NOT EXISTS (SELECT 1 FROM profile_aliases a WHERE a.alias = j.value AND a.profile_id = ?1)`,
	wAliasOwner: `SELECT alias, profile_id FROM profile_aliases
		WHERE alias IN (SELECT value FROM json_each(?2)) AND profile_id <> ?1 ORDER BY alias LIMIT 1`,
	// A session update that keeps its profile and insert time rewrites only
	// its row; the upsert would also rewrite its sessions_profile entry.
	wUpdateSessionDoc: `UPDATE sessions SET doc = ? WHERE id = ? AND profile_id IS ? AND inserted_us = ?`,
	wUpsertSession: `INSERT INTO sessions (id, profile_id, inserted_us, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET profile_id = excluded.profile_id, inserted_us = excluded.inserted_us, doc = excluded.doc`,
	wUpsertEvent: `INSERT INTO events (id, type, profile_id, session_id, source_id, status, inserted_us, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, profile_id = excluded.profile_id, session_id = excluded.session_id,
		source_id = excluded.source_id, status = excluded.status, inserted_us = excluded.inserted_us, doc = excluded.doc`,
	// A new event never replaces a stored one: the primary key refuses it.
	wInsertEvent: `INSERT INTO events (id, type, profile_id, session_id, source_id, status, inserted_us, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	wPutConfig: `INSERT INTO configs (kind, id, name, updated_us, doc, version) VALUES (?, ?, ?, ?, ?, 1)
		ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, updated_us = excluded.updated_us, doc = excluded.doc,
		version = configs.version + 1 RETURNING version`,
	wCreateConfig: `INSERT INTO configs (kind, id, name, updated_us, doc, version) VALUES (?, ?, ?, ?, ?, 1)
		ON CONFLICT (kind, id) DO NOTHING RETURNING version`,
	wUpdateConfigIf: `UPDATE configs SET name = ?3, updated_us = ?4, doc = ?5, version = version + 1
		WHERE kind = ?1 AND id = ?2 AND version = ?6 RETURNING version`,
	wConfigVersionOf: `SELECT version FROM configs WHERE kind = ? AND id = ?`,
	wDeleteConfig:    `DELETE FROM configs WHERE kind = ? AND id = ?`,
	wBumpConfig:      `UPDATE config_version SET version = version + 1 WHERE singleton = 1`,
	wGetAttempt:      `SELECT count, last_us, until_us FROM attempts WHERE key = ?`,
	wPutAttempt: `INSERT INTO attempts (key, count, last_us, until_us) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET count = excluded.count, last_us = excluded.last_us, until_us = excluded.until_us`,
	wClearAttempt:  `DELETE FROM attempts WHERE key = ?`,
	wPruneAttempts: `DELETE FROM attempts WHERE last_us < ?`,
}

// Statements of the readers.
const (
	rProfile = iota
	rSession
	rEvent
	rProfileEvents
	rCountEvents
	rProfileSessions
	rCountSessions
	rGetConfig
	rListConfig
	rConfigVersion
	nReadStmts
)

var readSQL = [nReadStmts]string{
	rProfile:         `SELECT p.doc FROM profile_aliases a JOIN profiles p ON p.id = a.profile_id WHERE a.alias = ?`,
	rSession:         `SELECT doc FROM sessions WHERE id = ?`,
	rEvent:           `SELECT doc FROM events WHERE id = ?`,
	rProfileEvents:   `SELECT doc FROM events WHERE profile_id = ? ORDER BY inserted_us DESC, id DESC LIMIT ? OFFSET ?`,
	rCountEvents:     `SELECT count(*) FROM events WHERE profile_id = ?`,
	rProfileSessions: `SELECT doc FROM sessions WHERE profile_id = ? ORDER BY inserted_us DESC, id DESC LIMIT ? OFFSET ?`,
	rCountSessions:   `SELECT count(*) FROM sessions WHERE profile_id = ?`,
	rGetConfig:       `SELECT doc, version FROM configs WHERE kind = ? AND id = ?`,
	rListConfig:      `SELECT doc, version FROM configs WHERE kind = ? ORDER BY id`,
	rConfigVersion:   `SELECT version FROM config_version WHERE singleton = 1`,
}

// wtx is the writer's transaction, with its statements bound to it on first use.
type wtx struct {
	ctx   context.Context
	tx    *sql.Tx
	base  *[nWriteStmts]*sql.Stmt
	stmts [nWriteStmts]*sql.Stmt
	// aliases is the store's memo of each profile's alias set as last
	// committed; pending holds this transaction's changes to it ("" = forget),
	// applied only when the transaction commits.
	aliases map[string]string
	pending map[string]string
}

func (t *wtx) exec(i int, args ...any) (sql.Result, error) {
	return t.stmt(i).ExecContext(t.ctx, args...)
}

// updateElse runs the update statement and, when it changed no row, the
// other one (an upsert) with its own arguments.
func (t *wtx) updateElse(update int, updateArgs []any, otherwise int, otherwiseArgs ...any) error {
	res, err := t.exec(update, updateArgs...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = t.exec(otherwise, otherwiseArgs...)
	return err
}

func (t *wtx) stmt(i int) *sql.Stmt {
	if t.stmts[i] == nil {
		t.stmts[i] = t.tx.StmtContext(t.ctx, t.base[i])
	}
	return t.stmts[i]
}

func (s *Store) commit(ctx context.Context, batch []write) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	t := &wtx{ctx: ctx, tx: tx, base: &s.ws, aliases: s.aliases, pending: map[string]string{}}
	for _, w := range batch {
		if err := w(t); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if len(s.aliases) > aliasMemoSize {
		clear(s.aliases)
	}
	for id, a := range t.pending {
		if a == "" {
			delete(s.aliases, id)
		} else {
			s.aliases[id] = a
		}
	}
	return nil
}

// aliasMemoSize bounds the memo of committed alias sets; past it the memo
// starts again empty.
const aliasMemoSize = 50_000

// Apply implements store.Store.
func (s *Store) Apply(ctx context.Context, cs *store.ChangeSet) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if cs.Empty() {
		return ctx.Err()
	}
	set, err := rows.Encode(cs, time.Now())
	if err != nil {
		return err
	}
	return s.q.Do(ctx, func(t *wtx) error { return applySet(t, set) })
}

func applySet(t *wtx, set *rows.Set) error {
	for _, id := range set.DeleteProfiles {
		t.pending[id] = ""
		for _, i := range [...]int{wDeleteEvents, wDeleteSessions, wDeleteAliases, wDeleteProfile} {
			if _, err := t.exec(i, id); err != nil {
				return fmt.Errorf("store: delete profile %q: %w", id, err)
			}
		}
	}
	for _, p := range set.Profiles {
		if err := t.updateElse(wUpdateProfile, []any{p.InsertedUS, p.UpdatedUS, p.Doc, p.ID},
			wUpsertProfile, p.ID, p.InsertedUS, p.UpdatedUS, p.Doc); err != nil {
			return fmt.Errorf("store: profile %q: %w", p.ID, err)
		}
		aliases, err := jsonx.Marshal(p.Aliases)
		if err != nil {
			return fmt.Errorf("store: profile %q: %w", p.ID, err)
		}
		// Most updates keep the aliases: when the set is the one last
		// committed (this process is the only writer), skip both statements.
		if a, ok := t.pending[p.ID]; ok && a == string(aliases) {
			continue
		} else if !ok && t.aliases[p.ID] == string(aliases) {
			continue
		}
		t.pending[p.ID] = string(aliases)
		if _, err := t.exec(wDeleteStaleAliases, p.ID, aliases); err != nil {
			return fmt.Errorf("store: profile %q: %w", p.ID, err)
		}
		if _, err := t.exec(wInsertNewAliases, p.ID, aliases); err != nil {
			if isConstraint(err) {
				var alias, owner string
				if t.stmt(wAliasOwner).QueryRowContext(t.ctx, p.ID, aliases).Scan(&alias, &owner) == nil {
					return fmt.Errorf("store: profile %q: id %q already belongs to profile %q: %w", p.ID, alias, owner, store.ErrConflict)
				}
			}
			return fmt.Errorf("store: profile %q: aliases: %w", p.ID, err)
		}
	}
	for _, r := range set.Sessions {
		if err := t.updateElse(wUpdateSessionDoc, []any{r.Doc, r.ID, null(r.ProfileID), r.InsertedUS},
			wUpsertSession, r.ID, null(r.ProfileID), r.InsertedUS, r.Doc); err != nil {
			return fmt.Errorf("store: session %q: %w", r.ID, err)
		}
	}
	for _, e := range set.Events {
		if _, err := t.exec(wUpsertEvent, e.ID, null(e.Type), null(e.ProfileID), null(e.SessionID),
			null(e.SourceID), null(e.Status), e.InsertedUS, e.Doc); err != nil {
			return fmt.Errorf("store: event %q: %w", e.ID, err)
		}
	}
	for _, e := range set.NewEvents {
		if _, err := t.exec(wInsertEvent, e.ID, null(e.Type), null(e.ProfileID), null(e.SessionID),
			null(e.SourceID), null(e.Status), e.InsertedUS, e.Doc); err != nil {
			if isConstraint(err) {
				return fmt.Errorf("store: event %q: %w", e.ID, store.ErrEventExists)
			}
			return fmt.Errorf("store: event %q: %w", e.ID, err)
		}
	}
	return nil
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func isConstraint(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3lib.SQLITE_CONSTRAINT
}

// Profile implements store.Store.
func (s *Store) Profile(ctx context.Context, idOrAlias string) (store.Doc, error) {
	return s.one(ctx, rProfile, "profile", idOrAlias, idOrAlias)
}

// Session implements store.Store.
func (s *Store) Session(ctx context.Context, id string) (store.Doc, error) {
	return s.one(ctx, rSession, "session", id, id)
}

// Event implements store.Store.
func (s *Store) Event(ctx context.Context, id string) (store.Doc, error) {
	return s.one(ctx, rEvent, "event", id, id)
}

func (s *Store) one(ctx context.Context, stmt int, what, id string, args ...any) (store.Doc, error) {
	var b []byte
	err := s.rs[stmt].QueryRowContext(ctx, args...).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s %q: %w", what, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s %q: %w", what, id, err)
	}
	return rows.Unmarshal(b)
}

// ProfileEvents implements store.Store.
func (s *Store) ProfileEvents(ctx context.Context, profileID string, limit, offset int) ([]store.Doc, int, error) {
	return s.page(ctx, rProfileEvents, rCountEvents, "events", profileID, limit, offset)
}

// ProfileSessions implements store.Store.
func (s *Store) ProfileSessions(ctx context.Context, profileID string, limit, offset int) ([]store.Doc, int, error) {
	return s.page(ctx, rProfileSessions, rCountSessions, "sessions", profileID, limit, offset)
}

func (s *Store) page(ctx context.Context, list, count int, what, profileID string, limit, offset int) ([]store.Doc, int, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	offset = max(offset, 0)
	var total int
	if err := s.rs[count].QueryRowContext(ctx, profileID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: %s of profile %q: %w", what, profileID, err)
	}
	docs, err := s.docs(ctx, list, profileID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: %s of profile %q: %w", what, profileID, err)
	}
	return docs, total, nil
}

func (s *Store) docs(ctx context.Context, stmt int, args ...any) ([]store.Doc, error) {
	rs, err := s.rs[stmt].QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []store.Doc{}
	for rs.Next() {
		var b sql.RawBytes
		if err := rs.Scan(&b); err != nil {
			return nil, err
		}
		d, err := rows.Unmarshal(b)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rs.Err()
}

// LockProfile implements store.Store: one process owns the file, so an
// in-process lock is enough.
func (s *Store) LockProfile(ctx context.Context, profileID string) (func(), error) {
	if profileID == "" {
		return nil, errors.New("store: LockProfile: empty profile id")
	}
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	return s.locks.Lock(ctx, profileID)
}

// PutConfig implements store.Store.
func (s *Store) PutConfig(ctx context.Context, kind, id string, doc store.Doc) error {
	_, err := s.PutConfigIf(ctx, kind, id, doc, store.AnyVersion)
	return err
}

// PutConfigIf implements store.Store.
func (s *Store) PutConfigIf(ctx context.Context, kind, id string, doc store.Doc, version int64) (int64, error) {
	if err := configKey(kind, id); err != nil {
		return 0, err
	}
	if doc == nil {
		return 0, fmt.Errorf("store: config %s %q: document is nil", kind, id)
	}
	b, err := rows.Marshal(store.WithoutVersion(doc))
	if err != nil {
		return 0, fmt.Errorf("store: config %s %q: %w", kind, id, err)
	}
	name, _ := doc["name"].(string)
	now := time.Now().UnixMicro()
	var written, have int64
	err = s.q.Do(ctx, func(t *wtx) error {
		var err error
		switch {
		case version < 0:
			err = t.stmt(wPutConfig).QueryRowContext(t.ctx, kind, id, null(name), now, b).Scan(&written)
		case version == 0:
			err = t.stmt(wCreateConfig).QueryRowContext(t.ctx, kind, id, null(name), now, b).Scan(&written)
		default:
			err = t.stmt(wUpdateConfigIf).QueryRowContext(t.ctx, kind, id, null(name), now, b, version).Scan(&written)
		}
		if errors.Is(err, sql.ErrNoRows) {
			// Not written: a stale version, answered as such, not a failed
			// write (which would fail the whole group).
			written = 0
			err = t.stmt(wConfigVersionOf).QueryRowContext(t.ctx, kind, id).Scan(&have)
			if errors.Is(err, sql.ErrNoRows) {
				have, err = 0, nil
			}
			if err != nil {
				return fmt.Errorf("store: config %s %q: %w", kind, id, err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: config %s %q: %w", kind, id, err)
		}
		if _, err := t.exec(wBumpConfig); err != nil {
			return fmt.Errorf("store: config version: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if written == 0 {
		return 0, &store.StaleError{Kind: kind, ID: id, Want: version, Have: have}
	}
	return written, nil
}

// GetConfig implements store.Store.
func (s *Store) GetConfig(ctx context.Context, kind, id string) (store.Doc, error) {
	var b []byte
	var v int64
	err := s.rs[rGetConfig].QueryRowContext(ctx, kind, id).Scan(&b, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: config %s %q: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: config %s %q: %w", kind, id, err)
	}
	d, err := rows.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	d["version"] = float64(v)
	return d, nil
}

// ListConfig implements store.Store.
func (s *Store) ListConfig(ctx context.Context, kind string) ([]store.Doc, error) {
	rs, err := s.rs[rListConfig].QueryContext(ctx, kind)
	if err != nil {
		return nil, fmt.Errorf("store: config %s: %w", kind, err)
	}
	defer rs.Close()
	docs := []store.Doc{}
	for rs.Next() {
		var b []byte
		var v int64
		if err := rs.Scan(&b, &v); err != nil {
			return nil, fmt.Errorf("store: config %s: %w", kind, err)
		}
		d, err := rows.Unmarshal(b)
		if err != nil {
			return nil, err
		}
		d["version"] = float64(v)
		docs = append(docs, d)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: config %s: %w", kind, err)
	}
	return docs, nil
}

// TakeAttempt implements store.Store.
func (s *Store) TakeAttempt(ctx context.Context, key string, now time.Time, p store.AttemptPolicy) (store.Attempt, error) {
	if s.closed.Load() {
		return store.Attempt{}, store.ErrClosed
	}
	prune := s.prunedAttempts.Load() < now.Add(-time.Minute).UnixMicro()
	if prune {
		s.prunedAttempts.Store(now.UnixMicro())
	}
	var a store.Attempt
	err := s.q.Do(ctx, func(t *wtx) error {
		if prune && p.Reset > 0 {
			if _, err := t.exec(wPruneAttempts, now.Add(-p.Reset).UnixMicro()); err != nil {
				return fmt.Errorf("store: attempts: %w", err)
			}
		}
		var count int
		var lastUS, untilUS int64
		err := t.stmt(wGetAttempt).QueryRowContext(t.ctx, key).Scan(&count, &lastUS, &untilUS)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: attempts: %w", err)
		}
		var last, until time.Time
		a, last, until = store.NextAttempt(count, time.UnixMicro(lastUS), time.UnixMicro(untilUS), now, p)
		if !a.Allowed {
			return nil
		}
		if _, err := t.exec(wPutAttempt, key, a.Count, last.UnixMicro(), until.UnixMicro()); err != nil {
			return fmt.Errorf("store: attempts: %w", err)
		}
		return nil
	})
	return a, err
}

// ClearAttempts implements store.Store.
func (s *Store) ClearAttempts(ctx context.Context, key string) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return s.q.Do(ctx, func(t *wtx) error {
		if _, err := t.exec(wClearAttempt, key); err != nil {
			return fmt.Errorf("store: attempts: %w", err)
		}
		return nil
	})
}

// DeleteConfig implements store.Store.
func (s *Store) DeleteConfig(ctx context.Context, kind, id string) error {
	if err := configKey(kind, id); err != nil {
		return err
	}
	var found bool
	err := s.q.Do(ctx, func(t *wtx) error {
		res, err := t.exec(wDeleteConfig, kind, id)
		if err != nil {
			return fmt.Errorf("store: config %s %q: %w", kind, id, err)
		}
		n, _ := res.RowsAffected()
		if found = n > 0; !found {
			return nil
		}
		if _, err := t.exec(wBumpConfig); err != nil {
			return fmt.Errorf("store: config version: %w", err)
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("store: config %s %q: %w", kind, id, store.ErrNotFound)
	}
	return err
}

func configKey(kind, id string) error {
	if kind == "" {
		return errors.New("store: config kind is empty")
	}
	if id == "" {
		return fmt.Errorf("store: config %s: id is empty", kind)
	}
	return nil
}

// ConfigVersion implements store.Store.
func (s *Store) ConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.rs[rConfigVersion].QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: config version: %w", err)
	}
	return v, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// SchemaVersion is the last migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Stats implements store.Store.
func (s *Store) Stats() store.Stats { return s.q.Stats() }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.path, err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.q.Close()
	close(s.ckStop)
	<-s.ckDone
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	for _, st := range s.ws {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, st := range s.rs {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.ck != nil {
		errs = append(errs, s.ck.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.unlock != nil {
		errs = append(errs, s.unlock())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}
