// Package rundata gives flow runs read access to stored records: the
// engine's plugin.Data, over a store.Store (SQLite or PostgreSQL alike).
package rundata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tql"
	"github.com/tracflow/tracflow/plugin"
)

// New returns the plugin.Data of flow runs over st. It is also the runs'
// plugin.SharedMemory when st implements store.Memory.
func New(st store.Store) plugin.Data { return data{st: st} }

var _ plugin.Searcher = data{}

type data struct{ st store.Store }

func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, plugin.ErrNotFound)
	}
	return err
}

func (d data) Event(ctx context.Context, id string) (plugin.Event, error) {
	doc, err := d.st.Event(ctx, id)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("event %q", id))
	}
	return plugin.Event(doc), nil
}

func clampLimit(n int) int {
	return max(1, min(n, plugin.MaxLastRecords))
}

func (d data) LastEvents(ctx context.Context, q plugin.EventQuery) ([]plugin.Event, error) {
	sq := &store.Query{Kind: store.KindEvent, Limit: clampLimit(q.Limit)}
	if q.Type != "" {
		sq.Equal = append(sq.Equal, store.Equal{Field: "type", Values: []string{q.Type}})
	}
	if q.ProfileID != "" {
		sq.Equal = append(sq.Equal, store.Equal{Field: "profile.id", Values: []string{q.ProfileID}})
	} else {
		sq.Filter = &store.Filter{Fields: [][]string{{"metadata", "profile_less"}, {"profile", "id"}}, Match: func(doc store.Doc) bool {
			if pl, ok := get(doc, "metadata.profile_less"); ok {
				b, _ := pl.(bool)
				return b
			}
			id, _ := get(doc, "profile.id")
			return id == nil || id == ""
		}}
	}
	page, err := d.st.Select(ctx, sq)
	if err != nil {
		return nil, err
	}
	out := make([]plugin.Event, len(page.Docs))
	for i, doc := range page.Docs {
		out[i] = plugin.Event(doc)
	}
	return out, nil
}

func (d data) LastSessions(ctx context.Context, profileID string, limit int) ([]plugin.Session, error) {
	if profileID == "" {
		return nil, errors.New("sessions: a profile id is required")
	}
	page, err := d.st.Select(ctx, &store.Query{Kind: store.KindSession, Limit: clampLimit(limit),
		Equal: []store.Equal{{Field: "profile.id", Values: []string{profileID}}}})
	if err != nil {
		return nil, err
	}
	out := make([]plugin.Session, len(page.Docs))
	for i, doc := range page.Docs {
		out[i] = plugin.Session(doc)
	}
	return out, nil
}

func (d data) ProfilesByField(ctx context.Context, field string, value any, limit int) ([]plugin.Profile, int, error) {
	field = strings.TrimSpace(field)
	if field == "" {
		return nil, 0, errors.New("profiles: a field is required")
	}
	limit = clampLimit(limit)
	if field == "id" {
		id, ok := value.(string)
		if !ok || id == "" {
			return nil, 0, nil
		}
		doc, err := d.st.Profile(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		return []plugin.Profile{plugin.Profile(doc)}, 1, nil
	}
	path := strings.Split(field, ".")
	want := notation.DeepCopy(value)
	page, err := d.st.Select(ctx, &store.Query{Kind: store.KindProfile, Limit: limit,
		Sort: []store.Sort{{Field: []string{"id"}}},
		Filter: &store.Filter{Fields: [][]string{path}, Match: func(doc store.Doc) bool {
			v, ok := get(doc, field)
			return ok && sameJSON(v, want)
		}}})
	if err != nil {
		return nil, 0, err
	}
	out := make([]plugin.Profile, len(page.Docs))
	for i, doc := range page.Docs {
		out[i] = plugin.Profile(doc)
	}
	return out, page.Total, nil
}

// sameJSON compares two decoded JSON values; numbers of any Go type
// compare by value.
func sameJSON(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case string, bool, nil:
		return a == b
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, sameJSON)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func (d data) Count(ctx context.Context, kind, where string, from, to time.Time) (int, error) {
	switch kind {
	case store.KindEvent, store.KindProfile, store.KindSession:
	default:
		return 0, fmt.Errorf("count: unknown kind %q: use event, profile or session", kind)
	}
	q := &store.Query{Kind: kind, From: from, To: to, Limit: 1}
	if err := Where(kind, where, q); err != nil {
		return 0, err
	}
	page, err := d.st.Select(ctx, q)
	if err != nil {
		return 0, err
	}
	return page.Total, nil
}

func (d data) Search(ctx context.Context, q plugin.RecordQuery) ([]map[string]any, int, error) {
	switch q.Kind {
	case store.KindEvent, store.KindProfile, store.KindSession:
	default:
		return nil, 0, fmt.Errorf("search: unknown kind %q: use event, profile or session", q.Kind)
	}
	sq := &store.Query{Kind: q.Kind, Limit: max(1, min(q.Limit, plugin.MaxSearchRecords)), Offset: max(0, q.Offset)}
	if q.Match != nil {
		sq.Filter = &store.Filter{Fields: [][]string{{}}, Match: func(doc store.Doc) bool { return q.Match(doc) }}
	}
	for _, s := range q.Sort {
		if s.Field == "" {
			return nil, 0, errors.New("search: a sort key has no field")
		}
		sq.Sort = append(sq.Sort, store.Sort{Field: strings.Split(s.Field, "."), Desc: s.Desc})
	}
	page, err := d.st.Select(ctx, sq)
	if err != nil {
		return nil, 0, err
	}
	out := make([]map[string]any, len(page.Docs))
	copy(out, page.Docs)
	return out, page.Total, nil
}

func (d data) Source(ctx context.Context, id string) (map[string]any, error) {
	doc, err := d.st.GetConfig(ctx, catalog.KindSource, id)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("event source %q", id))
	}
	delete(doc, "version")
	return doc, nil
}

// Where compiles a TQL condition over records of kind into q: the
// field == "text" terms of its top-level AND that a text column answers
// go to q.Equal, and unless they are the whole condition, the condition
// becomes q.Filter. Records the condition cannot be evaluated on do not
// match.
func Where(kind, src string, q *store.Query) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	cond, err := tql.ParseDefault(src, kind)
	if err != nil {
		return fmt.Errorf("condition %q: %w", src, err)
	}
	fields := cond.Fields()
	paths := make([][]string, 0, len(fields))
	for _, f := range fields {
		if f.Source != kind {
			return fmt.Errorf("condition %q: a count of %ss reads fields of the %s only, not %s", src, kind, kind, f.String())
		}
		paths = append(paths, f.Path)
	}
	terms, whole := cond.Terms()
	eq := store.EqualFields(kind)
	pushed := 0
	for _, t := range terms {
		name := strings.Join(t.Field.Path, ".")
		if slices.ContainsFunc(t.Field.Path, func(s string) bool { return strings.Contains(s, ".") }) ||
			!slices.Contains(eq, name) || slices.Contains(t.Values, "") || len(t.Values) > 100 {
			continue
		}
		q.Equal = append(q.Equal, store.Equal{Field: name, Values: t.Values})
		pushed++
	}
	if whole && pushed == len(terms) {
		return nil
	}
	now := time.Now()
	q.Filter = &store.Filter{Fields: paths, Match: func(doc store.Doc) bool {
		var scope notation.Scope
		switch kind {
		case store.KindProfile:
			scope.Profile = doc
		case store.KindEvent:
			scope.Event = doc
		default:
			scope.Session = doc
		}
		ok, err := cond.EvalAt(&scope, now)
		return err == nil && ok
	}}
	return nil
}

// get reads the value at a dot path of a document.
func get(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Remember implements plugin.SharedMemory over the store's memory table.
func (d data) Remember(ctx context.Context, key string, value any, ttl time.Duration) error {
	m, ok := d.st.(store.Memory)
	if !ok {
		return plugin.ErrNoSharedMemory
	}
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("memory: the value is not JSON: %w", err)
	}
	now := time.Now()
	var expires time.Time
	if ttl > 0 {
		expires = now.Add(ttl)
	}
	return m.PutMemory(ctx, key, b, now, expires)
}

// Recall implements plugin.SharedMemory.
func (d data) Recall(ctx context.Context, key string) (any, bool, error) {
	m, ok := d.st.(store.Memory)
	if !ok {
		return nil, false, plugin.ErrNoSharedMemory
	}
	b, err := m.GetMemory(ctx, key, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, false, fmt.Errorf("memory %q: %w", key, err)
	}
	return v, true, nil
}

// ScheduleFunc stores an event to be collected later (plugin.EventScheduler).
type ScheduleFunc func(ctx context.Context, e plugin.ScheduledEvent) (string, error)

// WithScheduler returns the Data of New(st) that also schedules events
// with f (a plugin.EventScheduler): the collector's runs.
func WithScheduler(st store.Store, f ScheduleFunc) plugin.Data { return scheduling{data{st: st}, f} }

var (
	_ plugin.Searcher       = scheduling{}
	_ plugin.EventScheduler = scheduling{}
)

type scheduling struct {
	data
	schedule ScheduleFunc
}

func (d scheduling) ScheduleEvent(ctx context.Context, e plugin.ScheduledEvent) (string, error) {
	return d.schedule(ctx, e)
}
