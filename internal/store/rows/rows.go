// Package rows turns a store.ChangeSet into the rows both backends write: each
// document encoded as JSON once, with the fields the schema indexes pulled
// out into columns. It also checks the input and says what is wrong with it.
package rows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
)

// Profile is one row of the profiles table plus its aliases.
type Profile struct {
	ID         string
	Aliases    []string // the id itself first, then doc["ids"], without duplicates
	InsertedUS int64
	UpdatedUS  int64
	Doc        []byte
}

// Session is one row of the sessions table.
type Session struct {
	ID         string
	ProfileID  string // "" when the session has no profile
	InsertedUS int64
	Doc        []byte
}

// Event is one row of the events table.
type Event struct {
	ID         string
	Type       string
	ProfileID  string
	SessionID  string
	SourceID   string
	Status     string
	InsertedUS int64
	Doc        []byte
}

// Set is an encoded change set.
type Set struct {
	DeleteProfiles []string
	Profiles       []Profile
	Sessions       []Session
	Events         []Event
	NewEvents      []Event // inserted only (store.ChangeSet.NewEvents)
}

// Encode checks and encodes cs. now stands in for missing insert times.
func Encode(cs *store.ChangeSet, now time.Time) (*Set, error) {
	if cs == nil {
		return &Set{}, nil
	}
	nowUS := now.UnixMicro()
	s := &Set{
		Profiles: make([]Profile, 0, len(cs.Profiles)),
		Sessions: make([]Session, 0, len(cs.Sessions)),
		Events:   make([]Event, 0, len(cs.Events)),
	}
	for i, id := range cs.DeleteProfiles {
		if id == "" {
			return nil, fmt.Errorf("store: DeleteProfiles[%d] is empty", i)
		}
	}
	s.DeleteProfiles = cs.DeleteProfiles
	for i, d := range cs.Profiles {
		p, err := profile(i, d, nowUS)
		if err != nil {
			return nil, err
		}
		s.Profiles = append(s.Profiles, p)
		cs.Encoded.Add(d, p.Doc)
	}
	for i, d := range cs.Sessions {
		r, err := session(i, d, nowUS)
		if err != nil {
			return nil, err
		}
		s.Sessions = append(s.Sessions, r)
		cs.Encoded.Add(d, r.Doc)
	}
	for i, d := range cs.Events {
		r, err := event(i, d, nowUS)
		if err != nil {
			return nil, err
		}
		s.Events = append(s.Events, r)
		cs.Encoded.Add(d, r.Doc)
	}
	if len(cs.NewEvents) > 0 {
		s.NewEvents = make([]Event, 0, len(cs.NewEvents))
	}
	for i, d := range cs.NewEvents {
		r, err := event(i, d, nowUS)
		if err != nil {
			return nil, err
		}
		s.NewEvents = append(s.NewEvents, r)
		cs.Encoded.Add(d, r.Doc)
	}
	return s, nil
}

// doc is what every record has: a document with a string id.
func docID(kind string, i int, d store.Doc) (string, error) {
	if d == nil {
		return "", fmt.Errorf("store: %s[%d] is nil", kind, i)
	}
	v, ok := d["id"]
	if !ok || v == nil {
		return "", fmt.Errorf("store: %s[%d] has no \"id\"", kind, i)
	}
	id, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("store: %s[%d] \"id\" is %s, want a string", kind, i, notation.TypeName(v))
	}
	if id == "" {
		return "", fmt.Errorf("store: %s[%d] has an empty \"id\"", kind, i)
	}
	return id, nil
}

func profile(i int, d store.Doc, nowUS int64) (Profile, error) {
	id, err := docID("profile", i, d)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{ID: id, Aliases: []string{id}}
	switch ids := d["ids"].(type) {
	case nil:
	case []any:
		for j, v := range ids {
			a, ok := v.(string)
			if !ok || a == "" {
				return Profile{}, fmt.Errorf("store: profile %q: \"ids[%d]\" is %s, want a non-empty string", id, j, notation.TypeName(v))
			}
			p.Aliases = appendNew(p.Aliases, a)
		}
	case []string:
		for j, a := range ids {
			if a == "" {
				return Profile{}, fmt.Errorf("store: profile %q: \"ids[%d]\" is empty", id, j)
			}
			p.Aliases = appendNew(p.Aliases, a)
		}
	default:
		return Profile{}, fmt.Errorf("store: profile %q: \"ids\" is %s, want a list of strings", id, notation.TypeName(ids))
	}
	if p.InsertedUS, err = timeField(d, nowUS, "metadata", "time", "insert"); err != nil {
		return Profile{}, fmt.Errorf("store: profile %q: %w", id, err)
	}
	if p.UpdatedUS, err = timeField(d, p.InsertedUS, "metadata", "time", "update"); err != nil {
		return Profile{}, fmt.Errorf("store: profile %q: %w", id, err)
	}
	if p.Doc, err = Marshal(d); err != nil {
		return Profile{}, fmt.Errorf("store: profile %q: %w", id, err)
	}
	return p, nil
}

func session(i int, d store.Doc, nowUS int64) (Session, error) {
	id, err := docID("session", i, d)
	if err != nil {
		return Session{}, err
	}
	s := Session{ID: id}
	if s.ProfileID, err = stringField(d, "profile", "id"); err != nil {
		return Session{}, fmt.Errorf("store: session %q: %w", id, err)
	}
	if s.InsertedUS, err = timeField(d, nowUS, "metadata", "time", "insert"); err != nil {
		return Session{}, fmt.Errorf("store: session %q: %w", id, err)
	}
	if s.Doc, err = Marshal(d); err != nil {
		return Session{}, fmt.Errorf("store: session %q: %w", id, err)
	}
	return s, nil
}

func event(i int, d store.Doc, nowUS int64) (Event, error) {
	id, err := docID("event", i, d)
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: id}
	fail := func(err error) (Event, error) { return Event{}, fmt.Errorf("store: event %q: %w", id, err) }
	if e.Type, err = stringField(d, "type"); err != nil {
		return fail(err)
	}
	if e.ProfileID, err = stringField(d, "profile", "id"); err != nil {
		return fail(err)
	}
	if e.SessionID, err = stringField(d, "session", "id"); err != nil {
		return fail(err)
	}
	if e.SourceID, err = stringField(d, "source", "id"); err != nil {
		return fail(err)
	}
	if e.Status, err = stringField(d, "metadata", "status"); err != nil {
		return fail(err)
	}
	if e.InsertedUS, err = timeField(d, nowUS, "metadata", "time", "insert"); err != nil {
		return fail(err)
	}
	if e.Doc, err = Marshal(d); err != nil {
		return fail(err)
	}
	return e, nil
}

// lookup follows path through nested objects; found is false when a step is
// missing or null. An intermediate value that is not an object is an error.
func lookup(d store.Doc, path ...string) (v any, found bool, err error) {
	cur := d
	for i, k := range path {
		v, ok := cur[k]
		if !ok || v == nil {
			return nil, false, nil
		}
		if i == len(path)-1 {
			return v, true, nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false, fmt.Errorf("%q is %s, want an object", joinPath(path[:i+1]), notation.TypeName(v))
		}
		cur = m
	}
	return nil, false, nil
}

func stringField(d store.Doc, path ...string) (string, error) {
	v, ok, err := lookup(d, path...)
	if err != nil || !ok {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q is %s, want a string", joinPath(path), notation.TypeName(v))
	}
	return s, nil
}

// timeField reads an RFC 3339 time as Unix microseconds; def when missing.
func timeField(d store.Doc, def int64, path ...string) (int64, error) {
	v, ok, err := lookup(d, path...)
	if err != nil || !ok {
		return def, err
	}
	switch t := v.(type) {
	case string:
		if t == "" {
			return def, nil
		}
		tm, err := ParseTime(t)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", joinPath(path), err)
		}
		return tm.UnixMicro(), nil
	case time.Time:
		return t.UnixMicro(), nil
	default:
		return 0, fmt.Errorf("%q is %s, want an RFC 3339 time string", joinPath(path), notation.TypeName(v))
	}
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999", // Python's isoformat() of a naive datetime
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseTime reads the time formats documents carry: RFC 3339, or the same
// without a zone (taken as UTC).
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
}

// Marshal encodes a document as JSON without HTML escaping.
func Marshal(d store.Doc) ([]byte, error) {
	b, err := jsonx.Marshal(map[string]any(d))
	if err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return b, nil
}

// Unmarshal decodes a stored document.
func Unmarshal(b []byte) (store.Doc, error) {
	v, err := jsonx.Unmarshal(b)
	if m, ok := v.(map[string]any); ok && err == nil {
		return store.Doc(m), nil
	}
	// Not an object (null, or the error encoding/json gives).
	var d store.Doc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("store: decoding stored document: %w", err)
	}
	return d, nil
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func joinPath(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += "."
		}
		out += s
	}
	return out
}
