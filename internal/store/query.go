package store

import (
	"context"
	"time"
)

// Record kinds that Select and Histogram read.
const (
	KindProfile = "profile"
	KindSession = "session"
	KindEvent   = "event"
)

// Query selects profiles, sessions or events. The time range and Equal are
// answered by the database from indexed columns; Filter then runs in Go on
// what is left, on a partial document holding only the fields it reads.
type Query struct {
	// Kind is KindProfile, KindSession or KindEvent.
	Kind string
	// From and To bound the insert time (metadata.time.insert, as its column
	// holds it: the time of Apply when the document has none): From <= t < To.
	// A zero time leaves that end open.
	From, To time.Time
	// Equal keeps the records whose field holds one of the values. Only the
	// fields of EqualFields may be named; a record whose field is missing or
	// "" matches no value.
	Equal []Equal
	// Filter, when set, keeps the records it answers true for.
	Filter *Filter
	// Sort orders the result; empty means the insert time, newest first.
	// Records equal by every key follow in the order of their ids, in the
	// direction of the first key. A field with a column (see Columns) sorts by
	// the column; other fields sort by the document's value: numbers
	// numerically, strings by bytes, values of different JSON types as null <
	// booleans < numbers < strings < lists < objects, and a missing value last
	// in either direction.
	Sort []Sort
	// Limit bounds the records returned (<= 0: all); Offset skips as many
	// first. Select always counts every match in Page.Total.
	Limit, Offset int
	// After, when not "", keeps the records whose id sorts after it (by
	// bytes): keyset paging. Sort by id ascending, and pass the last id of
	// a page to get the next one; unlike Offset, a page costs the same
	// memory however far the paging has gone. Page.Total then counts the
	// matches after it.
	After string
}

// Equal is a field (a dot path such as "type" or "profile.id") and the values
// it may hold.
type Equal struct {
	Field  string
	Values []string
}

// Filter is a test run on each record.
type Filter struct {
	// Fields lists the paths Match reads; an empty path is the whole
	// document. Only these are read from the database.
	Fields [][]string
	// Match decides whether a record matches. The document it is given holds,
	// for every path of Fields that the record has, the value at that path;
	// it may hold more of the record, and a path the record lacks is missing
	// from it too. Match is called from one goroutine at a time; the document
	// is not used again after it returns.
	Match func(doc Doc) bool
}

// Sort is one sort key: a dot path into the document.
type Sort struct {
	Field []string
	Desc  bool
}

// Page is the answer to Select.
type Page struct {
	Total int   // records matching, regardless of Limit and Offset
	Docs  []Doc // the page asked for, whole documents
}

// Bucket is one interval of a histogram.
type Bucket struct {
	Start time.Time // UTC
	Count int
}

// Querier reads profiles, sessions and events by query; both backends
// implement it.
type Querier interface {
	// Select answers the records of q, sorted and paged.
	Select(ctx context.Context, q *Query) (*Page, error)
	// Histogram counts the records of q per interval of insert time. Buckets
	// start at whole multiples of width since the Unix epoch, UTC; only
	// buckets with records are returned, oldest first. q's Sort, Limit and
	// Offset are not used.
	Histogram(ctx context.Context, q *Query, width time.Duration) ([]Bucket, error)
}

// Columns lists, for a kind, the document fields that are kept in columns:
// the sort keys the database orders by itself.
func Columns(kind string) []string {
	switch kind {
	case KindProfile:
		return []string{"id", "metadata.time.insert", "metadata.time.update"}
	case KindSession:
		return []string{"id", "profile.id", "metadata.time.insert"}
	case KindEvent:
		return []string{"id", "type", "profile.id", "session.id", "source.id", "metadata.status", "metadata.time.insert"}
	}
	return nil
}

// EqualFields lists, for a kind, the fields Query.Equal may name: the
// columns that hold text.
func EqualFields(kind string) []string {
	switch kind {
	case KindProfile:
		return []string{"id"}
	case KindSession:
		return []string{"id", "profile.id"}
	case KindEvent:
		return []string{"id", "type", "profile.id", "session.id", "source.id", "metadata.status"}
	}
	return nil
}
