// Package postgres is Tracflow's storage for several processes sharing one
// PostgreSQL database (pgx/v5). Documents are JSONB. Writes are
// group-committed like the SQLite backend: a single writer per process sends
// everything queued as one pipelined batch, which the server runs as one
// implicit transaction (the extended protocol commits at the batch's single
// Sync, or rolls all of it back on an error), in one round trip.
//
// LockProfile takes an in-process lock and then a PostgreSQL advisory lock on
// a hash of the profile id, held on a connection of a separate small pool
// until release, so that processes sharing the database serialise work on a
// profile too.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/groupcommit"
	"github.com/tracflow/tracflow/internal/store/keylock"
	"github.com/tracflow/tracflow/internal/store/migrate"
	"github.com/tracflow/tracflow/internal/store/rows"
)

//go:embed migrations/*.sql
var migrations embed.FS

const (
	maxBatch  = 1024
	queueSize = 4096

	// Connections per process, unless the DSN says otherwise with
	// pool_max_conns (reads and the writer) and lock_pool_max_conns (held by
	// profile locks; one per profile locked at the same time).
	defaultPoolConns = 8
	defaultLockConns = 32

	// commitTimeout bounds one group's round trip, so that a server that
	// stopped answering fails the writes instead of stalling the writer.
	commitTimeout = 30 * time.Second

	// migrationLock is the advisory lock key that serialises migrations of
	// processes starting at once.
	migrationLock = 7_305_110_001
)

// Store is the PostgreSQL backend. It implements store.Store.
type Store struct {
	pool   *pgxpool.Pool // reads and the writer
	lockDB *pgxpool.Pool // connections held by profile locks
	q      *groupcommit.Queue[write]
	locks  *keylock.Table
	closed atomic.Bool
	where  string // host/database, for error messages

	prunedAttempts atomic.Int64 // when old attempts were last deleted (Unix µs)
}

var _ store.Store = (*Store)(nil)

// write is one queued write: a change set, or another write that queues its
// own statements.
type write struct {
	set   *rows.Set
	queue func(b *pgx.Batch)
}

// Open connects to dsn (postgres://...) and applies the schema migrations.
// Tables live in the first schema of the search_path (settable in the DSN:
// ?search_path=name).
func Open(ctx context.Context, dsn string) (_ *Store, err error) {
	dsn, lockConns, err := takeParam(dsn, "lock_pool_max_conns", defaultLockConns)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres DSN: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = defaultPoolConns
	}
	s := &Store{locks: keylock.New(), where: cfg.ConnConfig.Host + "/" + cfg.ConnConfig.Database}
	defer func() {
		if err != nil {
			s.closePools()
		}
	}()
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("store: postgres %s: %w", s.where, err)
	}
	lcfg := cfg.Copy()
	lcfg.MaxConns = int32(lockConns)
	lcfg.MinConns = 0
	if s.lockDB, err = pgxpool.NewWithConfig(ctx, lcfg); err != nil {
		return nil, fmt.Errorf("store: postgres %s: %w", s.where, err)
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	s.q = groupcommit.New(s.commit, maxBatch, queueSize)
	return s, nil
}

// takeParam removes a parameter of ours from a URL DSN, which pgx would
// otherwise send to the server as a setting.
func takeParam(dsn, name string, def int) (string, int, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn, def, nil // a key=value DSN: left to pgx
	}
	q := u.Query()
	v := q.Get(name)
	if v == "" {
		return dsn, def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("store: postgres DSN: %s=%q: want a positive number", name, v)
	}
	q.Del(name)
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: postgres %s: %w", s.where, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("store: postgres %s has schema version %d, newer than this build knows (%d): upgrade Tracflow", s.where, current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_us) VALUES ($1, $2, $3)`,
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

const (
	sqlDeleteEvents   = `DELETE FROM events WHERE profile_id = $1`
	sqlDeleteSessions = `DELETE FROM sessions WHERE profile_id = $1`
	sqlDeleteAliases  = `DELETE FROM profile_aliases WHERE profile_id = $1`
	sqlDeleteProfile  = `DELETE FROM profiles WHERE id = $1`
	// One statement writes the profile and brings its aliases in line with
	// its ids. The alias rows of a stored profile are always those of its
	// stored document's ids (every write of a profile comes here; deleting
	// a profile deletes them), so when the ids are the stored ones, which
	// is the usual update, the alias parts are skipped by a one-time filter:
	// one statement per profile instead of three. Every part sees the
	// tables as they were before the statement.
	sqlUpsertProfile = `WITH prev AS (SELECT doc -> 'ids' AS ids FROM profiles WHERE id = $1),
		same AS (SELECT EXISTS (SELECT 1 FROM prev WHERE prev.ids IS NOT DISTINCT FROM ($4::jsonb -> 'ids')) AS ids),
		up AS (INSERT INTO profiles (id, inserted_us, updated_us, doc) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET inserted_us = excluded.inserted_us, updated_us = excluded.updated_us, doc = excluded.doc),
		stale AS (DELETE FROM profile_aliases WHERE NOT (SELECT ids FROM same) AND profile_id = $1 AND alias <> ALL($5::text[]))
		INSERT INTO profile_aliases (alias, profile_id) SELECT a, $1 FROM unnest($5::text[]) a
		WHERE NOT (SELECT ids FROM same) AND NOT EXISTS (SELECT 1 FROM profile_aliases x WHERE x.alias = a AND x.profile_id = $1)`
	sqlUpsertSession = `INSERT INTO sessions (id, profile_id, inserted_us, doc) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET profile_id = excluded.profile_id, inserted_us = excluded.inserted_us, doc = excluded.doc`
	sqlUpsertEvent = `INSERT INTO events (id, type, profile_id, session_id, source_id, status, inserted_us, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, profile_id = excluded.profile_id, session_id = excluded.session_id,
		source_id = excluded.source_id, status = excluded.status, inserted_us = excluded.inserted_us, doc = excluded.doc`
	// A new event never replaces a stored one: the primary key refuses it.
	sqlInsertEvent = `INSERT INTO events (id, type, profile_id, session_id, source_id, status, inserted_us, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	// The config writes answer the version written (NULL when nothing was:
	// a stale version) and the version found before (NULL: none). A
	// data-modifying WITH runs whether or not it is read, and the outer
	// SELECT sees the rows as they were before the statement.
	sqlPutConfig = `WITH w AS (INSERT INTO configs (kind, id, name, updated_us, doc, version) VALUES ($1, $2, $3, $4, $5, 1)
		ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, updated_us = excluded.updated_us, doc = excluded.doc,
		version = configs.version + 1 RETURNING version),
		b AS (UPDATE config_version SET version = version + 1 WHERE singleton = 1)
		SELECT (SELECT version FROM w), NULL::bigint`
	sqlCreateConfig = `WITH w AS (INSERT INTO configs (kind, id, name, updated_us, doc, version) VALUES ($1, $2, $3, $4, $5, 1)
		ON CONFLICT (kind, id) DO NOTHING RETURNING version),
		b AS (UPDATE config_version SET version = version + 1 WHERE singleton = 1 AND EXISTS (SELECT FROM w))
		SELECT (SELECT version FROM w), (SELECT version FROM configs WHERE kind = $1 AND id = $2)`
	sqlUpdateConfigIf = `WITH w AS (UPDATE configs SET name = $3, updated_us = $4, doc = $5, version = version + 1
		WHERE kind = $1 AND id = $2 AND version = $6 RETURNING version),
		b AS (UPDATE config_version SET version = version + 1 WHERE singleton = 1 AND EXISTS (SELECT FROM w))
		SELECT (SELECT version FROM w), (SELECT version FROM configs WHERE kind = $1 AND id = $2)`
	sqlDeleteConfig = `WITH d AS (DELETE FROM configs WHERE kind = $1 AND id = $2 RETURNING 1)
		UPDATE config_version SET version = version + 1 WHERE singleton = 1 AND EXISTS (SELECT FROM d)`

	sqlProfile         = `SELECT p.doc FROM profile_aliases a JOIN profiles p ON p.id = a.profile_id WHERE a.alias = $1`
	sqlSession         = `SELECT doc FROM sessions WHERE id = $1`
	sqlEvent           = `SELECT doc FROM events WHERE id = $1`
	sqlProfileEvents   = `SELECT doc FROM events WHERE profile_id = $1 ORDER BY inserted_us DESC, id DESC LIMIT $2 OFFSET $3`
	sqlCountEvents     = `SELECT count(*) FROM events WHERE profile_id = $1`
	sqlProfileSessions = `SELECT doc FROM sessions WHERE profile_id = $1 ORDER BY inserted_us DESC, id DESC LIMIT $2 OFFSET $3`
	sqlCountSessions   = `SELECT count(*) FROM sessions WHERE profile_id = $1`
	sqlGetConfig       = `SELECT doc, version FROM configs WHERE kind = $1 AND id = $2`
	sqlListConfig      = `SELECT doc, version FROM configs WHERE kind = $1 ORDER BY id`
	sqlConfigVersion   = `SELECT version FROM config_version WHERE singleton = 1`
	sqlAliasOwners     = `SELECT alias, profile_id FROM profile_aliases WHERE alias = ANY($1::text[]) AND profile_id <> $2 ORDER BY alias LIMIT 1`
)

// exec queues a statement whose error is wrapped by what it wrote.
func exec(b *pgx.Batch, what string, sql string, args ...any) {
	b.Queue(sql, args...).Fn = func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		return nil
	}
}

func queueSet(b *pgx.Batch, set *rows.Set) {
	for _, id := range set.DeleteProfiles {
		what := fmt.Sprintf("delete profile %q", id)
		for _, q := range [...]string{sqlDeleteEvents, sqlDeleteSessions, sqlDeleteAliases, sqlDeleteProfile} {
			exec(b, what, q, id)
		}
	}
	for _, p := range set.Profiles {
		what := fmt.Sprintf("profile %q", p.ID)
		exec(b, what, sqlUpsertProfile, p.ID, p.InsertedUS, p.UpdatedUS, jsonb(p.Doc), p.Aliases)
	}
	for _, r := range set.Sessions {
		exec(b, fmt.Sprintf("session %q", r.ID), sqlUpsertSession, r.ID, null(r.ProfileID), r.InsertedUS, jsonb(r.Doc))
	}
	for _, e := range set.Events {
		exec(b, fmt.Sprintf("event %q", e.ID), sqlUpsertEvent, e.ID, null(e.Type), null(e.ProfileID), null(e.SessionID),
			null(e.SourceID), null(e.Status), e.InsertedUS, jsonb(e.Doc))
	}
	for _, e := range set.NewEvents {
		exec(b, fmt.Sprintf("event %q", e.ID), sqlInsertEvent, e.ID, null(e.Type), null(e.ProfileID), null(e.SessionID),
			null(e.SourceID), null(e.Status), e.InsertedUS, jsonb(e.Doc))
	}
}

func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// jsonb returns doc as JSONB accepts it: JSONB cannot hold the NUL
// character, so an escaped NUL (\u0000) becomes U+FFFD rather than failing
// the write.
func jsonb(doc []byte) []byte {
	for i := 0; i < len(doc)-1; i++ {
		if doc[i] != '\\' {
			continue
		}
		if doc[i+1] == 'u' && i+6 <= len(doc) && string(doc[i+2:i+6]) == "0000" {
			copy(doc[i+2:i+6], "fffd")
		}
		i++ // skip the escaped character
	}
	return doc
}

func (s *Store) commit(ctx context.Context, batch []write) error {
	b := &pgx.Batch{}
	for _, w := range batch {
		if w.set != nil {
			queueSet(b, w.set)
		} else {
			w.queue(b)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	err := s.pool.SendBatch(ctx, b).Close()
	if err != nil && len(batch) == 1 && batch[0].set != nil {
		err = s.explainConflict(ctx, batch[0].set, err)
	}
	return err
}

// explainConflict turns a duplicate alias into ErrConflict naming the id and
// the profile that has it, and a duplicate new event into ErrEventExists.
func (s *Store) explainConflict(ctx context.Context, set *rows.Set, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.TableName == "events" {
		return fmt.Errorf("%w (%w)", err, store.ErrEventExists)
	}
	if !errors.As(err, &pe) || pe.Code != "23505" || pe.TableName != "profile_aliases" {
		return err
	}
	for _, p := range set.Profiles {
		var alias, owner string
		if s.pool.QueryRow(ctx, sqlAliasOwners, p.Aliases, p.ID).Scan(&alias, &owner) == nil {
			return fmt.Errorf("store: profile %q: id %q already belongs to profile %q: %w", p.ID, alias, owner, store.ErrConflict)
		}
	}
	return fmt.Errorf("%w (%w)", err, store.ErrConflict)
}

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
	return s.q.Do(ctx, write{set: set})
}

// Profile implements store.Store.
func (s *Store) Profile(ctx context.Context, idOrAlias string) (store.Doc, error) {
	return s.one(ctx, "profile", idOrAlias, sqlProfile, idOrAlias)
}

// Session implements store.Store.
func (s *Store) Session(ctx context.Context, id string) (store.Doc, error) {
	return s.one(ctx, "session", id, sqlSession, id)
}

// Event implements store.Store.
func (s *Store) Event(ctx context.Context, id string) (store.Doc, error) {
	return s.one(ctx, "event", id, sqlEvent, id)
}

func (s *Store) one(ctx context.Context, what, id, sql string, args ...any) (store.Doc, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, sql, args...).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: %s %q: %w", what, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s %q: %w", what, id, err)
	}
	return rows.Unmarshal(b)
}

// ProfileEvents implements store.Store.
func (s *Store) ProfileEvents(ctx context.Context, profileID string, limit, offset int) ([]store.Doc, int, error) {
	return s.page(ctx, sqlProfileEvents, sqlCountEvents, "events", profileID, limit, offset)
}

// ProfileSessions implements store.Store.
func (s *Store) ProfileSessions(ctx context.Context, profileID string, limit, offset int) ([]store.Doc, int, error) {
	return s.page(ctx, sqlProfileSessions, sqlCountSessions, "sessions", profileID, limit, offset)
}

// page reads the count and the page in one round trip and one snapshot.
func (s *Store) page(ctx context.Context, list, count, what, profileID string, limit, offset int) ([]store.Doc, int, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	offset = max(offset, 0)
	var total int
	docs := []store.Doc{}
	b := &pgx.Batch{}
	b.Queue(count, profileID).QueryRow(func(r pgx.Row) error { return r.Scan(&total) })
	b.Queue(list, profileID, lim, offset).Query(func(rs pgx.Rows) error {
		var err error
		docs, err = collect(rs)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, fmt.Errorf("store: %s of profile %q: %w", what, profileID, err)
	}
	return docs, total, nil
}

func collect(rs pgx.Rows) ([]store.Doc, error) {
	out := []store.Doc{}
	for rs.Next() {
		d, err := rows.Unmarshal(rs.RawValues()[0])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rs.Err()
}

// advisoryKey is the advisory lock key of a profile id.
func advisoryKey(profileID string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tracflow/profile/"))
	h.Write([]byte(profileID))
	return int64(h.Sum64())
}

// LockProfile implements store.Store.
func (s *Store) LockProfile(ctx context.Context, profileID string) (func(), error) {
	if profileID == "" {
		return nil, errors.New("store: LockProfile: empty profile id")
	}
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	local, err := s.locks.Lock(ctx, profileID)
	if err != nil {
		return nil, err
	}
	conn, err := s.lockDB.Acquire(ctx)
	if err != nil {
		local()
		return nil, fmt.Errorf("store: lock profile %q: %w", profileID, err)
	}
	key := advisoryKey(profileID)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		// The lock may have been granted as the wait was cancelled: ending
		// the session gives it back.
		discard(conn)
		local()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("store: lock profile %q: %w", profileID, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var ok bool
			if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&ok); err != nil || !ok {
				discard(conn)
			} else {
				conn.Release()
			}
			local()
		})
	}, nil
}

// discard closes a pooled connection instead of returning it to the pool.
func discard(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Hijack().Close(ctx)
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
	if s.closed.Load() {
		return 0, store.ErrClosed
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
	what := fmt.Sprintf("config %s %q", kind, id)
	var written, have *int64
	err = s.q.Do(ctx, write{queue: func(bt *pgx.Batch) {
		var q *pgx.QueuedQuery
		switch {
		case version < 0:
			q = bt.Queue(sqlPutConfig, kind, id, null(name), now, jsonb(b))
		case version == 0:
			q = bt.Queue(sqlCreateConfig, kind, id, null(name), now, jsonb(b))
		default:
			q = bt.Queue(sqlUpdateConfigIf, kind, id, null(name), now, jsonb(b), version)
		}
		q.QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&written, &have); err != nil {
				return fmt.Errorf("store: %s: %w", what, err)
			}
			return nil
		})
	}})
	if err != nil {
		return 0, err
	}
	if written == nil {
		se := &store.StaleError{Kind: kind, ID: id, Want: version}
		if have != nil {
			se.Have = *have
		}
		return 0, se
	}
	return *written, nil
}

// GetConfig implements store.Store.
func (s *Store) GetConfig(ctx context.Context, kind, id string) (store.Doc, error) {
	var b []byte
	var v int64
	err := s.pool.QueryRow(ctx, sqlGetConfig, kind, id).Scan(&b, &v)
	if errors.Is(err, pgx.ErrNoRows) {
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
	rs, err := s.pool.Query(ctx, sqlListConfig, kind)
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

// TakeAttempt implements store.Store. It runs in its own transaction, with
// the key's row locked, so that processes count one key in turn.
func (s *Store) TakeAttempt(ctx context.Context, key string, now time.Time, p store.AttemptPolicy) (store.Attempt, error) {
	if s.closed.Load() {
		return store.Attempt{}, store.ErrClosed
	}
	fail := func(err error) (store.Attempt, error) {
		return store.Attempt{}, fmt.Errorf("store: attempts: %w", err)
	}
	if s.prunedAttempts.Load() < now.Add(-time.Minute).UnixMicro() && p.Reset > 0 {
		s.prunedAttempts.Store(now.UnixMicro())
		if _, err := s.pool.Exec(ctx, `DELETE FROM attempts WHERE last_us < $1`, now.Add(-p.Reset).UnixMicro()); err != nil {
			return fail(err)
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO attempts (key, count, last_us, until_us) VALUES ($1, 0, 0, 0) ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return fail(err)
	}
	var count int
	var lastUS, untilUS int64
	if err := tx.QueryRow(ctx, `SELECT count, last_us, until_us FROM attempts WHERE key = $1 FOR UPDATE`, key).Scan(&count, &lastUS, &untilUS); err != nil {
		return fail(err)
	}
	a, last, until := store.NextAttempt(count, time.UnixMicro(lastUS), time.UnixMicro(untilUS), now, p)
	if a.Allowed {
		if _, err := tx.Exec(ctx, `UPDATE attempts SET count = $2, last_us = $3, until_us = $4 WHERE key = $1`,
			key, a.Count, last.UnixMicro(), until.UnixMicro()); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return a, nil
}

// ClearAttempts implements store.Store.
func (s *Store) ClearAttempts(ctx context.Context, key string) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM attempts WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: attempts: %w", err)
	}
	return nil
}

// DeleteConfig implements store.Store.
func (s *Store) DeleteConfig(ctx context.Context, kind, id string) error {
	if err := configKey(kind, id); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	what := fmt.Sprintf("config %s %q", kind, id)
	var found bool
	err := s.q.Do(ctx, write{queue: func(b *pgx.Batch) {
		b.Queue(sqlDeleteConfig, kind, id).Exec(func(ct pgconn.CommandTag) error {
			found = ct.RowsAffected() > 0
			return nil
		})
	}})
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if !found {
		return fmt.Errorf("store: %s: %w", what, store.ErrNotFound)
	}
	return nil
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
	if err := s.pool.QueryRow(ctx, sqlConfigVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: config version: %w", err)
	}
	return v, nil
}

// SchemaVersion is the last migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Stats implements store.Store.
func (s *Store) Stats() store.Stats { return s.q.Stats() }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping postgres %s: %w", s.where, err)
	}
	return nil
}

// Close implements store.Store. It waits for profile locks still held to
// be released.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.q.Close()
	s.closePools()
	return nil
}

func (s *Store) closePools() {
	if s.lockDB != nil {
		s.lockDB.Close()
	}
	if s.pool != nil {
		s.pool.Close()
	}
}
