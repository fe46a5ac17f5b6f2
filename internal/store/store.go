// Package store defines how Tracflow keeps its data: profiles, sessions and
// events in Tracardi's JSON shapes, and configuration documents (sources,
// rules, flows, users, resources, ...).
//
// Two backends implement [Store]: internal/store/sqlite (the embedded default)
// and internal/store/postgres (several processes sharing one database).
// internal/store/open picks one from a DSN. Both pass the same test suite,
// internal/store/storetest.
//
// Documents are decoded JSON objects ([Doc]); numbers read back are float64,
// as encoding/json decodes them. The fields that are queried on are copied
// into columns when a document is written (see [ChangeSet]); the document
// itself is kept whole.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/jsonx"
)

// Errors the backends wrap with what was missing or clashing; test them with
// errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrClosed   = errors.New("store: closed")
	// ErrStale is a conditional write (PutConfigIf) that found the document
	// at another version than the one given; the error is a *StaleError.
	ErrStale = errors.New("changed since it was read")
	// ErrEventExists is the error of a change set whose NewEvents holds an
	// id already stored; nothing of that change set was written.
	ErrEventExists = errors.New("event id already exists")
)

// AnyVersion, given to PutConfigIf, writes whatever version is stored.
const AnyVersion int64 = -1

// StaleError says which document a conditional write found changed.
type StaleError struct {
	Kind, ID string
	Want     int64 // the version the writer had read (0: it meant to create)
	Have     int64 // the version stored now (0: the document is gone)
}

func (e *StaleError) Error() string {
	switch {
	case e.Want == 0:
		return fmt.Sprintf("store: config %s %q already exists (version %d)", e.Kind, e.ID, e.Have)
	case e.Have == 0:
		return fmt.Sprintf("store: config %s %q was deleted since version %d was read", e.Kind, e.ID, e.Want)
	}
	return fmt.Sprintf("store: config %s %q is at version %d, not %d: it changed since it was read", e.Kind, e.ID, e.Have, e.Want)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// Doc is a JSON document (a decoded JSON object).
type Doc = map[string]any

// ChangeSet is what one tracked request (or one API call) writes. Apply
// commits it atomically. Within a change set the deletions run first, then
// the profiles, sessions and events are upserted, so a merge can delete the
// merged-away profile and give its id to the survivor as an alias, and
// re-point events to the survivor, in one change set.
type ChangeSet struct {
	// Profiles are upserted by doc["id"]. The profile's id and its aliases
	// doc["ids"] (strings) are indexed, so Profile finds the profile by any
	// of them. An alias that belongs to another profile is an ErrConflict.
	// Columns: metadata.time.insert, metadata.time.update.
	Profiles []Doc
	// Sessions are upserted by doc["id"]. Columns: profile.id,
	// metadata.time.insert.
	Sessions []Doc
	// Events are upserted by doc["id"]. Columns: type, profile.id,
	// session.id, source.id, metadata.status, metadata.time.insert.
	//
	// Times are RFC 3339 strings (a time without zone is taken as UTC, as
	// Python's isoformat writes it). A missing metadata.time.insert orders
	// the record by the time of Apply; the document is stored as given.
	Events []Doc
	// NewEvents are inserted, never replaced: when one's id is already
	// stored (or repeated in the change set), Apply writes nothing of the
	// change set and answers an error wrapping ErrEventExists. The
	// collector writes its events this way, so that a public request cannot
	// overwrite a stored event. Columns as for Events.
	NewEvents []Doc
	// DeleteProfiles deletes each profile (by id, not alias) with its
	// aliases, sessions and events. Deleting a missing profile is no error.
	DeleteProfiles []string

	// Encoded, when not nil, receives the JSON that Apply wrote each
	// profile, session and event as, so that the caller need not encode
	// them again (the collector's destinations send them). Stores that keep
	// documents unencoded (the memory store) add nothing.
	Encoded *jsonx.Known
}

// Empty reports whether the change set writes nothing.
func (cs *ChangeSet) Empty() bool {
	return cs == nil || len(cs.Profiles) == 0 && len(cs.Sessions) == 0 && len(cs.Events) == 0 && len(cs.NewEvents) == 0 && len(cs.DeleteProfiles) == 0
}

// Store keeps profiles, sessions, events and configuration documents.
// Its methods are safe for concurrent use.
type Store interface {
	// Querier selects and counts records by query (see query.go).
	Querier

	// Apply commits the change set durably (fsync'd, it survives kill -9)
	// before it returns. Concurrent Apply calls are group-committed: a single
	// writer collects whatever has queued into one transaction, then answers
	// all of them. A change set that fails (bad input, an alias conflict)
	// fails only its own Apply call, never the others in its group.
	//
	// ctx is honoured only until the change set is queued: once queued,
	// Apply waits for the outcome, so that a caller holding LockProfile
	// never releases the lock while its write is still pending.
	Apply(ctx context.Context, cs *ChangeSet) error

	// Profile loads a profile by its id or by one of its aliases (doc["ids"]).
	Profile(ctx context.Context, idOrAlias string) (Doc, error)
	Session(ctx context.Context, id string) (Doc, error)
	Event(ctx context.Context, id string) (Doc, error)
	// ProfileEvents pages through a profile's events, newest first (by
	// metadata.time.insert, then by id, both descending); total counts them
	// all. limit <= 0 means no limit.
	ProfileEvents(ctx context.Context, profileID string, limit, offset int) (events []Doc, total int, err error)
	// ProfileSessions pages through a profile's sessions in the same order.
	ProfileSessions(ctx context.Context, profileID string, limit, offset int) (sessions []Doc, total int, err error)

	// LockProfile serialises work on one profile id: within the process
	// (sharded lock table, no global lock) and, on PostgreSQL, across
	// processes (an advisory lock held on a dedicated connection). The
	// collector holds it from loading the profile until Apply of its changes
	// returned. release must be called exactly once. Hold one profile lock
	// at a time, or take several in a fixed order.
	//
	// The lock is on the string given: lock the profile's primary id. When a
	// tracker sends an alias, load the profile, and if its id differs,
	// release, lock that id and load again.
	LockProfile(ctx context.Context, profileID string) (release func(), err error)

	// Configuration documents (sources, rules, flows, users, tokens,
	// resources, plugins, settings), keyed by (kind, id). doc["name"], when a
	// string, is kept in a column.
	//
	// Every document has a version: 1 when created, one more on every
	// write. GetConfig and ListConfig set doc["version"] to it (a float64,
	// as JSON numbers decode); a "version" in a document given to PutConfig
	// or PutConfigIf is not stored.
	PutConfig(ctx context.Context, kind, id string, doc Doc) error
	// PutConfigIf writes doc only if the stored document is at version
	// (0: only if there is none; AnyVersion: whatever is stored) and answers
	// the new version. Otherwise it writes nothing and answers a
	// *StaleError (errors.Is ErrStale). Concurrent conditional writes of
	// one document, in any processes, cannot both succeed from one version.
	PutConfigIf(ctx context.Context, kind, id string, doc Doc, version int64) (int64, error)
	GetConfig(ctx context.Context, kind, id string) (Doc, error)
	// ListConfig returns all documents of a kind ordered by id.
	ListConfig(ctx context.Context, kind string) ([]Doc, error)
	// DeleteConfig answers ErrNotFound when the document is absent.
	DeleteConfig(ctx context.Context, kind, id string) error
	// ConfigVersion changes whenever a configuration document changes, in
	// any process sharing the database. It is one indexed read; poll it to
	// refresh cached sources, rules and flows.
	ConfigVersion(ctx context.Context) (int64, error)

	// TakeAttempt counts an attempt (a login, a password check) under key,
	// atomically across every process sharing the database, and says
	// whether it may go ahead. An attempt before the key's wait is over is
	// refused and not counted. An allowed attempt sets the next wait to
	// policy.Backoff of the attempts counted so far; the count starts again
	// after policy.Reset without attempts. ClearAttempts forgets the key
	// (after a success).
	TakeAttempt(ctx context.Context, key string, now time.Time, policy AttemptPolicy) (Attempt, error)
	ClearAttempts(ctx context.Context, key string) error

	// Prune deletes, in one short transaction, up to limit events or
	// sessions (kind KindEvent or KindSession) inserted before before, oldest
	// first, and answers how many it deleted (fewer than limit: none are
	// left). Retention calls it again and again, so that no lock is held
	// long.
	Prune(ctx context.Context, kind string, before time.Time, limit int) (int, error)
	// PruneProfiles deletes up to limit profiles not updated since before,
	// oldest first, with their aliases, sessions and events, and answers
	// their ids.
	PruneProfiles(ctx context.Context, before time.Time, limit int) ([]string, error)

	// Stats reports what the writer has done so far.
	Stats() Stats

	Ping(ctx context.Context) error
	// Close stops taking writes, commits everything already queued, then
	// closes the database. Apply after Close answers ErrClosed.
	Close() error
}

// Stats counts the writer's work since Open.
type Stats struct {
	Writes      int64 // queued writes (Apply and config changes) answered
	Failed      int64 // of those, answered with an error
	Commits     int64 // transactions committed
	Batches     int64 // groups taken off the queue
	Retried     int64 // groups that failed whole and were retried one write at a time
	MaxBatch    int64 // most writes in one group
	QueueLength int64 // writes waiting right now
}

// AttemptPolicy is how TakeAttempt spaces attempts out.
type AttemptPolicy struct {
	// Backoff is the wait after n attempts (n >= 1); zero lets the next one
	// go ahead at once.
	Backoff func(n int) time.Duration
	// Reset is how long a key must stay quiet for its count to start again.
	Reset time.Duration
}

// Attempt is what TakeAttempt decided.
type Attempt struct {
	Allowed bool
	Count   int       // attempts counted under the key, this one included when allowed
	Until   time.Time // when refused: when the next attempt may go ahead
}

// NextAttempt is TakeAttempt's decision, shared by the backends: given the
// stored count, time of the last attempt and end of the wait (zero values
// for a new key), it answers the decision and what to store.
func NextAttempt(count int, last, until, now time.Time, p AttemptPolicy) (a Attempt, newLast, newUntil time.Time) {
	if count > 0 && now.Before(until) {
		return Attempt{Count: count, Until: until}, last, until
	}
	if count > 0 && now.Sub(last) > p.Reset {
		count = 0
	}
	count++
	newUntil = now
	if p.Backoff != nil {
		newUntil = now.Add(p.Backoff(count))
	}
	return Attempt{Allowed: true, Count: count}, now, newUntil
}

// Version reads a configuration document's version (0 when it has none).
func Version(d Doc) int64 {
	v, _ := d["version"].(float64)
	return int64(v)
}

// Expected reads the version a change was made from, given as
// d["version"] (a whole number; 0 means "create, it must not exist"). ok is
// false when d has none: the change applies to whatever is stored.
func Expected(d Doc) (version int64, ok bool) {
	v, ok := d["version"].(float64)
	if !ok || v < 0 {
		return AnyVersion, false
	}
	return int64(v), true
}

// WithoutVersion returns d without its "version" field (d itself when it
// has none), as the backends store it.
func WithoutVersion(d Doc) Doc {
	if _, ok := d["version"]; !ok {
		return d
	}
	out := make(Doc, len(d))
	for k, v := range d {
		if k != "version" {
			out[k] = v
		}
	}
	return out
}

// UpdateConfig reads a configuration document, lets change edit it and
// writes it back only if nobody wrote it in between, reading and changing
// it again when somebody did (a few times, then it gives up with the
// *StaleError). Use it for read-modify-write of single fields, so that two
// concurrent changes of different fields both stay. change may answer an
// error to stop; UpdateConfig answers the document as written, with its
// new version.
func UpdateConfig(ctx context.Context, st Store, kind, id string, change func(d Doc) error) (Doc, error) {
	var err error
	for range 8 {
		var d Doc
		d, err = st.GetConfig(ctx, kind, id)
		if err != nil {
			return nil, err
		}
		v := Version(d)
		if err = change(d); err != nil {
			return nil, err
		}
		var nv int64
		nv, err = st.PutConfigIf(ctx, kind, id, d, v)
		if err == nil {
			d["version"] = float64(nv)
			return d, nil
		}
		if !errors.Is(err, ErrStale) {
			return nil, err
		}
	}
	return nil, err
}
