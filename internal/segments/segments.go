// Package segments keeps named segments of profiles and decides, for a
// profile, which of them it belongs to.
//
// A segment is a configuration document {id, name, description, condition,
// workflow, event_type, enabled, tags}: a TQL condition over the profile
// (bare paths read the profile: stats.visits > 3, or profile@stats.visits >
// 3). A profile is in the segment when the condition holds; its id (the
// name's machine name unless given) is then in profile["segments"].
//
// Instead of (or beside) a condition, a segment may name a segmentation
// workflow ({"workflow": {"id": ...}}): a deployed flow, started by the
// Start segmentation node, run with the profile; its nodes (Add segment,
// Conditional segmentation, ...) decide the profile's segments.
//
// Segmentation only manages the ids of the segments defined here: other
// names in profile["segments"] (added by plugins such as Add segment) are
// left alone. Set.Apply updates one profile; the tracker calls it after an
// event's flows (post-event segmentation) and the re-evaluation job calls
// it for every stored profile.
package segments

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tracflow/tracflow/internal/consents"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tql"
	"github.com/tracflow/tracflow/plugin"
)

// Kind is the configuration kind of segments.
const Kind = "segment"

// System event types the tracker emits when post-event segmentation
// changes a profile's segments (Tracardi's names).
const (
	EventEntered = "segment-entered"
	EventLeft    = "segment-left"
)

func invalid(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

// Compile parses a segment condition: TQL over the profile only.
func Compile(src string) (*tql.Condition, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("a condition is required, e.g. stats.visits > 3")
	}
	cond, err := tql.ParseDefault(src, store.KindProfile)
	if err != nil {
		return nil, err
	}
	for _, f := range cond.Fields() {
		if f.Source != store.KindProfile {
			return nil, fmt.Errorf("a segment condition reads the profile only, not %s (a stored profile is segmented without an event)", f.String())
		}
	}
	return cond, nil
}

// Normalize checks a segment document and answers it as stored, with its
// id (the name's machine name unless given) and defaults filled in. Every
// error names the field.
func Normalize(d store.Doc) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected a segment object")
	}
	out := make(store.Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	for _, k := range []string{"id", "name", "description", "condition"} {
		if v, ok := d[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return nil, invalid(k, fmt.Sprintf("expected a string, got %T", v))
			}
		}
	}
	name, _ := d["name"].(string)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("name", "is required")
	}
	id, _ := d["id"].(string)
	if strings.TrimSpace(id) == "" {
		id = consents.MachineName(name)
	}
	if strings.ContainsAny(id, " \t\r\n") {
		return nil, invalid("id", "must not contain white space (it is the name kept in profile segments)")
	}
	out["id"], out["name"], out["machine_name"] = id, name, id
	if _, ok := out["description"].(string); !ok {
		out["description"] = ""
	}
	wf, err := workflowRef(d["workflow"])
	if err != nil {
		return nil, err
	}
	if wf != nil {
		out["workflow"] = wf
	} else {
		delete(out, "workflow")
	}
	src, _ := d["condition"].(string)
	if wf == nil || strings.TrimSpace(src) != "" {
		if _, err := Compile(src); err != nil {
			return nil, invalid("condition", err.Error())
		}
	}
	out["condition"] = src
	if v, ok := d["enabled"]; ok && v != nil {
		if _, isBool := v.(bool); !isBool {
			return nil, invalid("enabled", "expected true or false")
		}
	} else {
		out["enabled"] = true
	}
	types := []any{}
	if v, ok := d["event_type"]; ok && v != nil {
		l, isList := v.([]any)
		if !isList {
			return nil, invalid("event_type", "expected a list of event types (empty: after every event)")
		}
		for i, t := range l {
			s, ok := t.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, invalid(fmt.Sprintf("event_type[%d]", i), "expected an event type")
			}
		}
		types = l
	}
	out["event_type"] = types
	if tags, ok := d["tags"]; ok && tags != nil {
		l, isList := tags.([]any)
		if !isList {
			return nil, invalid("tags", "expected a list of strings")
		}
		for i, t := range l {
			if _, ok := t.(string); !ok {
				return nil, invalid(fmt.Sprintf("tags[%d]", i), "expected a string")
			}
		}
	} else {
		out["tags"] = []any{}
	}
	return out, nil
}

// workflowRef reads a segment's workflow: null or {"id": flow id, "name"}.
func workflowRef(v any) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("workflow", "expected {\"id\": \"<flow id>\"} or null")
	}
	id, _ := m["id"].(string)
	if strings.TrimSpace(id) == "" {
		if len(m) == 0 || m["id"] == nil || m["id"] == "" {
			return nil, nil
		}
		return nil, invalid("workflow.id", "expected the id of a deployed flow")
	}
	name, _ := m["name"].(string)
	return map[string]any{"id": id, "name": name}, nil
}

// Segment is a compiled segment.
type Segment struct {
	ID, Name   string
	Condition  *tql.Condition // nil: the workflow decides
	Workflow   string         // the id of a segmentation flow, or ""
	EventTypes []string       // empty: every event
}

// Applies reports whether the segment is evaluated after an event of
// eventType ("": every segment is).
func (s Segment) Applies(eventType string) bool {
	return eventType == "" || len(s.EventTypes) == 0 || slices.Contains(s.EventTypes, eventType)
}

// Set is the compiled enabled segments, ordered by id. It is immutable and
// safe for concurrent use.
type Set struct {
	list []Segment
}

// NewSet compiles segment documents; disabled ones are left out and ones
// that do not compile are answered in errs (by id) and left out.
func NewSet(docs []store.Doc) (s *Set, errs map[string]error) {
	s = &Set{}
	for _, d := range docs {
		if d["enabled"] == false {
			continue
		}
		id := domain.Str(d, "id")
		seg := Segment{ID: id, Name: domain.Str(d, "name"), Workflow: domain.Str(d, "workflow", "id")}
		if src := domain.Str(d, "condition"); seg.Workflow == "" || strings.TrimSpace(src) != "" {
			cond, err := Compile(src)
			if err != nil {
				if errs == nil {
					errs = map[string]error{}
				}
				errs[id] = err
				continue
			}
			seg.Condition = cond
		}
		if l, ok := d["event_type"].([]any); ok {
			for _, t := range l {
				if ts, ok := t.(string); ok {
					seg.EventTypes = append(seg.EventTypes, ts)
				}
			}
		}
		s.list = append(s.list, seg)
	}
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].ID < s.list[j].ID })
	return s, errs
}

// Len is how many segments the set holds.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.list)
}

// Workflows answers the ids of the segmentation flows of the segments
// evaluated after an event of eventType ("": all), once each, in the
// segments' order.
func (s *Set) Workflows(eventType string) []string {
	var out []string
	for _, seg := range s.Segments() {
		if seg.Workflow != "" && seg.Applies(eventType) && !slices.Contains(out, seg.Workflow) {
			out = append(out, seg.Workflow)
		}
	}
	return out
}

// Segments answers the set's segments.
func (s *Set) Segments() []Segment {
	if s == nil {
		return nil
	}
	return s.list
}

// Change is what Apply did to a profile's segments.
type Change struct {
	Entered, Left []string
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool { return len(c.Entered) == 0 && len(c.Left) == 0 }

// Apply evaluates the segments against profile and updates its "segments"
// list: a segment whose condition holds is added, one whose condition does
// not hold is removed. eventType, when not "", skips the segments limited
// to other event types. A condition that fails to evaluate leaves the
// profile's membership of that segment as it is. When the list changes,
// metadata.time.segmentation is set to now.
func (s *Set) Apply(profile map[string]any, eventType string, now time.Time) Change {
	var ch Change
	if s.Len() == 0 || profile == nil {
		return ch
	}
	current := List(profile)
	scope := &notation.Scope{Profile: profile}
	for _, seg := range s.list {
		if seg.Condition == nil || !seg.Applies(eventType) {
			continue
		}
		ok, err := seg.Condition.EvalAt(scope, now)
		if err != nil {
			continue
		}
		in := slices.Contains(current, seg.ID)
		switch {
		case ok && !in:
			current = append(current, seg.ID)
			ch.Entered = append(ch.Entered, seg.ID)
		case !ok && in:
			current = slices.DeleteFunc(current, func(x string) bool { return x == seg.ID })
			ch.Left = append(ch.Left, seg.ID)
		}
	}
	if !ch.Empty() {
		SetList(profile, current)
		Stamp(profile, now)
	}
	return ch
}

// List reads a profile's segments (strings only, without repeats).
func List(profile map[string]any) []string {
	l, _ := profile["segments"].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SetList writes a profile's segments.
func SetList(profile map[string]any, list []string) {
	l := make([]any, len(list))
	for i, s := range list {
		l[i] = s
	}
	profile["segments"] = l
}

// Stamp sets the profile's metadata.time.segmentation to now.
func Stamp(profile map[string]any, now time.Time) {
	md, ok := profile["metadata"].(map[string]any)
	if !ok {
		md = map[string]any{}
		profile["metadata"] = md
	}
	tm, ok := md["time"].(map[string]any)
	if !ok {
		tm = map[string]any{}
		md["time"] = tm
	}
	tm["segmentation"] = domain.Timestamp(now)
}

// Diff compares two lists of segments.
func Diff(before, after []string) Change {
	var ch Change
	for _, s := range after {
		if !slices.Contains(before, s) {
			ch.Entered = append(ch.Entered, s)
		}
	}
	for _, s := range before {
		if !slices.Contains(after, s) {
			ch.Left = append(ch.Left, s)
		}
	}
	return ch
}

// Cache keeps the compiled Set of a store's segments, compiled again when
// the store's configuration version changes (in any process sharing the
// database).
type Cache struct {
	st  store.Store
	mu  sync.Mutex
	ver int64
	set *Set
}

// NewCache returns a cache over st.
func NewCache(st store.Store) *Cache { return &Cache{st: st, ver: -1} }

// Set answers the compiled segments as of configuration version ver (the
// catalog snapshot's version; a negative ver reads the version first).
func (c *Cache) Set(ctx context.Context, ver int64) (*Set, error) {
	if ver < 0 {
		v, err := c.st.ConfigVersion(ctx)
		if err != nil {
			return nil, err
		}
		ver = v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && c.ver == ver {
		return c.set, nil
	}
	docs, err := c.st.ListConfig(ctx, Kind)
	if err != nil {
		return nil, fmt.Errorf("loading segments: %w", err)
	}
	set, _ := NewSet(docs)
	c.set, c.ver = set, ver
	return set, nil
}
