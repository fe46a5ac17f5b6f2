package plugin

import (
	"context"
	"errors"
	"time"
)

// Errors a Data provider answers; test them with errors.Is.
var (
	// ErrNoStorage is what StoredData answers in runs that have no
	// storage attached (tracflow flow run, plugin unit tests).
	ErrNoStorage = errors.New("no storage attached: this run cannot read stored events, sessions, profiles or sources")
	// ErrNotFound is a record (event, source, ...) that does not exist.
	ErrNotFound = errors.New("not found")
)

// Record kinds for Data.Count.
const (
	KindEvent   = "event"
	KindProfile = "profile"
	KindSession = "session"
)

// MaxLastRecords bounds how many records LastEvents and LastSessions
// answer, whatever limit is asked for.
const MaxLastRecords = 100

// Data reads the stored events, sessions, profiles and event sources for
// plugins. The engine provides it in the run state (State.Data) when the
// run has storage: /track runs and the editor's debug runs. Records are
// Tracardi's JSON documents, read as they are stored; a plugin that
// changes one changes only its copy.
//
// Every method honours ctx. Implementations are safe for concurrent use.
type Data interface {
	// Event loads a stored event by id; ErrNotFound when there is none.
	Event(ctx context.Context, id string) (Event, error)
	// LastEvents answers stored events, newest first (by insert time),
	// at most q.Limit of them (1 to MaxLastRecords).
	LastEvents(ctx context.Context, q EventQuery) ([]Event, error)
	// LastSessions answers a profile's stored sessions, newest first (by
	// insert time), at most limit of them (1 to MaxLastRecords).
	LastSessions(ctx context.Context, profileID string, limit int) ([]Session, error)
	// ProfilesByField answers the profiles whose field (a dot path in the
	// profile, e.g. "data.contact.email.main"; "id" also finds a profile by
	// one of its aliases) equals value, at most limit of them, and how many
	// match in all.
	ProfilesByField(ctx context.Context, field string, value any, limit int) (profiles []Profile, total int, err error)
	// Count counts the records of kind (KindEvent, KindProfile or
	// KindSession) that match where, a TQL condition whose fields are
	// the record's own (type == "page-view", or event@type == "page-view");
	// "" matches every record. Non-zero from and to bound the insert time:
	// from <= t < to. A bad condition is an error that says where.
	Count(ctx context.Context, kind, where string, from, to time.Time) (int, error)
	// Source loads an event source by id; ErrNotFound when there is none.
	Source(ctx context.Context, id string) (map[string]any, error)
}

// EventQuery selects events for Data.LastEvents.
type EventQuery struct {
	// ProfileID keeps the events of this profile. When it is "", the
	// profile-less events are kept.
	ProfileID string
	// Type, when not "", keeps the events of this type.
	Type string
	// Limit is how many events to answer (1 to MaxLastRecords).
	Limit int
}

// StoredData returns the run's Data, or ErrNoStorage when the run has no
// storage attached. Plugins that read stored records call it first and
// report the error on their error port.
func (s *State) StoredData() (Data, error) {
	if s == nil || s.Data == nil {
		return nil, ErrNoStorage
	}
	return s.Data, nil
}

// MaxSearchRecords bounds how many records Searcher.Search answers.
const MaxSearchRecords = 100

// RecordQuery selects stored records for Searcher.Search.
type RecordQuery struct {
	// Kind is KindEvent, KindProfile or KindSession.
	Kind string
	// Match keeps the records it answers true for (nil keeps every
	// record). It is given whole records and must not change them.
	Match func(record map[string]any) bool
	// Sort orders the answer; empty means newest first (by insert time).
	Sort []RecordSort
	// Limit is how many records to answer (1 to MaxSearchRecords); Offset
	// skips as many first.
	Limit, Offset int
}

// RecordSort is one sort key of a RecordQuery: a dot path in the record.
type RecordSort struct {
	Field string
	Desc  bool
}

// Searcher is implemented by the Data of runs with storage: it searches
// the stored records of one kind with a test run on each. A plugin checks
// for it with a type assertion on the run's Data.
type Searcher interface {
	// Search answers a page of the matching records and how many match
	// in all.
	Search(ctx context.Context, q RecordQuery) (records []map[string]any, total int, err error)
}

// ScheduledEvent is an event to be collected later (EventScheduler).
type ScheduledEvent struct {
	// At is when the event is collected; a time past is now.
	At time.Time
	// SourceID is the event source it comes through (an enabled one).
	SourceID string
	// ProfileID and SessionID are the event's profile and session ("" for
	// none).
	ProfileID, SessionID string
	// Type and Properties are the event's.
	Type       string
	Properties map[string]any
	// Context is the event's context (the current event's, usually).
	Context map[string]any
}

// EventScheduler is implemented by the Data of the collector's runs: it
// schedules an event, stored durably, to be collected at a later time as
// if it had been sent then (its rules and flows run then, on any server
// sharing the database, after a restart too). A plugin checks for it with a
// type assertion on the run's Data.
type EventScheduler interface {
	// ScheduleEvent stores e and answers the scheduled event's id.
	ScheduleEvent(ctx context.Context, e ScheduledEvent) (id string, err error)
}
