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
)

// Errors the backends wrap with what was missing or clashing; test them with
// errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrClosed   = errors.New("store: closed")
	// ErrEventExists is the error of a change set whose NewEvents holds an
	// id already stored; nothing of that change set was written.
	ErrEventExists = errors.New("event id already exists")
)

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
	PutConfig(ctx context.Context, kind, id string, doc Doc) error
	GetConfig(ctx context.Context, kind, id string) (Doc, error)
	// ListConfig returns all documents of a kind ordered by id.
	ListConfig(ctx context.Context, kind string) ([]Doc, error)
	// DeleteConfig answers ErrNotFound when the document is absent.
	DeleteConfig(ctx context.Context, kind, id string) error
	// ConfigVersion changes whenever a configuration document changes, in
	// any process sharing the database. It is one indexed read; poll it to
	// refresh cached sources, rules and flows.
	ConfigVersion(ctx context.Context) (int64, error)

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
