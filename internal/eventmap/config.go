package eventmap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

// Mapping is a user-defined event→profile mapping, compiled: the copies
// made for each event of EventType.
type Mapping struct {
	ID, Name  string
	EventType string
	Copies    []Copy
}

// Point is an identification point, compiled: an event of EventType (from
// SourceID; "" for any source) whose Fields are all present names the
// person by the profile fields they fill, which together form a merge key.
type Point struct {
	ID, Name  string
	SourceID  string
	EventType string
	Fields    []Copy
}

// Key answers the profile fields of the point: its merge key.
func (p Point) Key() []string {
	out := make([]string, len(p.Fields))
	for i, f := range p.Fields {
		out[i] = strings.Join(split(f.Profile), ".")
	}
	return out
}

// Matches reports whether every field the point reads holds a value in
// event.
func (p Point) Matches(event map[string]any) bool {
	if len(p.Fields) == 0 {
		return false
	}
	for _, f := range p.Fields {
		v, ok := get(event, split(f.Event))
		if !ok || v == nil || v == "" {
			return false
		}
	}
	return true
}

// MaxCopies bounds the copies of one mapping or identification point.
const MaxCopies = 100

// pathOf reads a path given as a string or as Tracardi's {"value": ...,
// "ref": true}.
func pathOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case map[string]any:
		s, ok := x["value"].(string)
		return s, ok
	}
	return "", false
}

// ParseMapping checks a mapping document {event_type: {id}, enabled,
// event_to_profile: [{event, profile, op}]} and compiles it. Paths are
// strings or {"value": ..., "ref": true}; op is one of Ops (Tracardi's
// "equals" is read as equal), equal by default. It answers the document's
// copies normalised (paths as strings) for storing.
func ParseMapping(d map[string]any) (Mapping, []any, plugin.FieldErrors) {
	var errs plugin.FieldErrors
	m := Mapping{}
	m.ID, _ = d["id"].(string)
	m.Name, _ = d["name"].(string)
	et, _ := d["event_type"].(map[string]any)
	m.EventType, _ = et["id"].(string)
	if strings.TrimSpace(m.EventType) == "" {
		errs = append(errs, plugin.FieldError{Field: "event_type.id", Message: "is required: the event type the mapping applies to"})
	}
	list, ok := d["event_to_profile"].([]any)
	if !ok && d["event_to_profile"] != nil {
		errs = append(errs, plugin.FieldError{Field: "event_to_profile", Message: "expected a list of {event, profile, op}"})
	}
	if len(list) > MaxCopies {
		errs = append(errs, plugin.FieldError{Field: "event_to_profile", Message: fmt.Sprintf("has %d entries; at most %d", len(list), MaxCopies)})
		list = nil
	}
	norm := []any{}
	for i, x := range list {
		at := fmt.Sprintf("event_to_profile[%d]", i)
		item, ok := x.(map[string]any)
		if !ok {
			errs = append(errs, plugin.FieldError{Field: at, Message: "expected an object {event, profile, op}"})
			continue
		}
		c := Copy{Op: OpEqual}
		if op, has := item["op"]; has && op != nil {
			s, _ := op.(string)
			switch s {
			case "equals":
				s = OpEqual
			case "+":
				s = OpAdd
			}
			if !slices.Contains(Ops, s) {
				errs = append(errs, plugin.FieldError{Field: at + ".op", Message: fmt.Sprintf("%v is not one of %s", op, strings.Join(Ops, ", "))})
				continue
			}
			c.Op = s
		}
		c.Profile, _ = pathOf(item["profile"])
		if msg := CheckPath(c.Profile, "profile"); msg != "" {
			errs = append(errs, plugin.FieldError{Field: at + ".profile", Message: msg})
		}
		if c.Op != OpIncrement && c.Op != OpDelete {
			c.Event, _ = pathOf(item["event"])
			if msg := CheckPath(c.Event, "event"); msg != "" {
				errs = append(errs, plugin.FieldError{Field: at + ".event", Message: msg})
			}
		}
		m.Copies = append(m.Copies, c)
		norm = append(norm, map[string]any{"event": c.Event, "profile": c.Profile, "op": c.Op})
	}
	return m, norm, errs
}

// ParsePoint checks an identification point document {source: {id},
// event_type: {id}, fields: [{event_property, profile_trait}], enabled}
// and compiles it. A source id of "" means every source.
func ParsePoint(d map[string]any) (Point, []any, plugin.FieldErrors) {
	var errs plugin.FieldErrors
	p := Point{}
	p.ID, _ = d["id"].(string)
	p.Name, _ = d["name"].(string)
	src, _ := d["source"].(map[string]any)
	p.SourceID, _ = src["id"].(string)
	et, _ := d["event_type"].(map[string]any)
	p.EventType, _ = et["id"].(string)
	if strings.TrimSpace(p.EventType) == "" {
		errs = append(errs, plugin.FieldError{Field: "event_type.id", Message: "is required: the event type that identifies the person"})
	}
	list, _ := d["fields"].([]any)
	if len(list) == 0 {
		errs = append(errs, plugin.FieldError{Field: "fields", Message: "needs at least one {event_property, profile_trait}"})
	}
	if len(list) > MaxCopies {
		errs = append(errs, plugin.FieldError{Field: "fields", Message: fmt.Sprintf("has %d entries; at most %d", len(list), MaxCopies)})
		list = nil
	}
	norm := []any{}
	for i, x := range list {
		at := fmt.Sprintf("fields[%d]", i)
		item, ok := x.(map[string]any)
		if !ok {
			errs = append(errs, plugin.FieldError{Field: at, Message: "expected an object {event_property, profile_trait}"})
			continue
		}
		c := Copy{Op: OpEqual}
		c.Event, _ = pathOf(item["event_property"])
		c.Profile, _ = pathOf(item["profile_trait"])
		if msg := CheckPath(c.Event, "event"); msg != "" {
			errs = append(errs, plugin.FieldError{Field: at + ".event_property", Message: msg})
		}
		if msg := CheckPath(c.Profile, "profile"); msg != "" {
			errs = append(errs, plugin.FieldError{Field: at + ".profile_trait", Message: msg})
		}
		p.Fields = append(p.Fields, c)
		norm = append(norm, map[string]any{"event_property": c.Event, "profile_trait": c.Profile})
	}
	return p, norm, errs
}
