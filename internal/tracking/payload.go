// Package tracking is the collector pipeline: it takes a tracker payload
// (Tracardi's /track request), loads or creates the profile and session,
// runs the flows that rules select for each event, and stores the events,
// the profile and the session durably before answering.
package tracking

import (
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

// Payload is a decoded /track request (Tracardi's TrackerPayload).
type Payload struct {
	SourceID  string
	SessionID string // "" when the tracker sent none
	ProfileID string // "" when the tracker sent none (or null)
	Context   map[string]any
	Props     map[string]any
	Request   map[string]any
	Options   map[string]any
	Device    map[string]any
	Events    []EventIn
	// ProfileLess processes the events without a profile (?profile_less=true).
	ProfileLess bool
	Debug       bool
	// ClientIP is the address of the client that sent the request ("" when
	// unknown), for the session's geo location.
	ClientIP string

	system systemRequest // set for a request the server makes itself (visit-ended)
}

// EventIn is one event of a payload.
type EventIn struct {
	ID         string
	Type       string
	Time       map[string]any
	Properties map[string]any
	Context    map[string]any
	Options    map[string]any
	Tags       []any
}

// ParsePayload checks a decoded JSON body against Tracardi's tracker payload
// and returns it typed. maxEvents bounds the events of one request (0: no
// bound); more is a *TooManyEventsError.
func ParsePayload(body any, maxEvents int) (*Payload, error) {
	root, ok := body.(map[string]any)
	if !ok {
		return nil, plugin.FieldErrors{{Field: "(body)", Message: "expected a JSON object"}}
	}
	p := &Payload{}
	src, err := ref(root, "source", true)
	if err != nil {
		return nil, err
	}
	p.SourceID = src
	if p.SessionID, err = ref(root, "session", false); err != nil {
		return nil, err
	}
	if p.ProfileID, err = ref(root, "profile", false); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		key string
		dst *map[string]any
	}{{"context", &p.Context}, {"properties", &p.Props}, {"request", &p.Request}, {"options", &p.Options}, {"device", &p.Device}} {
		if *f.dst, err = optObject(root, f.key, f.key); err != nil {
			return nil, err
		}
	}
	if d, ok := root["debug"].(bool); ok {
		p.Debug = d
	}
	raw, present := root["events"]
	if !present || raw == nil {
		return nil, plugin.FieldErrors{{Field: "events", Message: "is required: a list of events, each with a \"type\""}}
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, plugin.FieldErrors{{Field: "events", Message: "expected a list of events, got " + notation.TypeName(raw)}}
	}
	if len(list) == 0 {
		return nil, plugin.FieldErrors{{Field: "events", Message: "must hold at least one event"}}
	}
	if maxEvents > 0 && len(list) > maxEvents {
		return nil, &TooManyEventsError{Count: len(list), Max: maxEvents}
	}
	p.Events = make([]EventIn, len(list))
	for i, e := range list {
		at := fmt.Sprintf("events[%d]", i)
		m, ok := e.(map[string]any)
		if !ok {
			return nil, plugin.FieldErrors{{Field: at, Message: "expected an event object, got " + notation.TypeName(e)}}
		}
		ev := &p.Events[i]
		t, ok := m["type"].(string)
		if !ok {
			if _, present := m["type"]; !present || m["type"] == nil {
				return nil, plugin.FieldErrors{{Field: at + ".type", Message: "is required: the event type, e.g. \"page-view\""}}
			}
			return nil, plugin.FieldErrors{{Field: at + ".type", Message: "expected a string, got " + notation.TypeName(m["type"])}}
		}
		if strings.TrimSpace(t) == "" {
			return nil, plugin.FieldErrors{{Field: at + ".type", Message: "must not be empty"}}
		}
		if err := CheckID(at+".type", t); err != nil {
			return nil, err
		}
		ev.Type = t
		if id, present := m["id"]; present && id != nil {
			s, ok := id.(string)
			if !ok {
				return nil, plugin.FieldErrors{{Field: at + ".id", Message: "expected a string, got " + notation.TypeName(id)}}
			}
			if err := CheckID(at+".id", s); err != nil {
				return nil, err
			}
			ev.ID = s
		}
		for _, f := range []struct {
			key string
			dst *map[string]any
		}{{"properties", &ev.Properties}, {"context", &ev.Context}, {"options", &ev.Options}, {"time", &ev.Time}} {
			if *f.dst, err = optObject(m, f.key, at+"."+f.key); err != nil {
				return nil, err
			}
		}
		if tags, present := m["tags"]; present && tags != nil {
			l, ok := tags.([]any)
			if !ok {
				return nil, plugin.FieldErrors{{Field: at + ".tags", Message: "expected a list, got " + notation.TypeName(tags)}}
			}
			ev.Tags = l
		}
	}
	return p, nil
}

// TooManyEventsError is a request with more events than allowed.
type TooManyEventsError struct{ Count, Max int }

func (e *TooManyEventsError) Error() string {
	return fmt.Sprintf("events: %d events in one request, at most %d allowed", e.Count, e.Max)
}

// ref reads {"id": "..."} at key. A missing or null value is "" unless
// required.
func ref(m map[string]any, key string, required bool) (string, error) {
	v, present := m[key]
	if !present || v == nil {
		if required {
			return "", plugin.FieldErrors{{Field: key, Message: "is required: {\"id\": \"...\"}"}}
		}
		return "", nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", plugin.FieldErrors{{Field: key, Message: "expected an object {\"id\": \"...\"}, got " + notation.TypeName(v)}}
	}
	idv, present := obj["id"]
	if !present || idv == nil {
		if required {
			return "", plugin.FieldErrors{{Field: key + ".id", Message: "is required"}}
		}
		return "", nil
	}
	id, ok := idv.(string)
	if !ok {
		return "", plugin.FieldErrors{{Field: key + ".id", Message: "expected a string, got " + notation.TypeName(idv)}}
	}
	if required && strings.TrimSpace(id) == "" {
		return "", plugin.FieldErrors{{Field: key + ".id", Message: "must not be empty"}}
	}
	if err := CheckID(key+".id", id); err != nil {
		return "", err
	}
	return id, nil
}

// MaxIDLength is the longest id or event type accepted, in bytes: profile,
// session, event and source ids and event types.
const MaxIDLength = 200

// CheckID checks an id or an event type that field names: at most
// MaxIDLength bytes, and no NUL character, which the databases' text
// columns cannot hold. It answers a plugin.FieldErrors naming field.
func CheckID(field, s string) error {
	if len(s) > MaxIDLength {
		return plugin.FieldErrors{{Field: field, Message: fmt.Sprintf("is longer than %d bytes (%d)", MaxIDLength, len(s))}}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return plugin.FieldErrors{{Field: field, Message: "must not contain the NUL character (\\u0000)"}}
	}
	return nil
}

func optObject(m map[string]any, key, field string) (map[string]any, error) {
	v, present := m[key]
	if !present || v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, plugin.FieldErrors{{Field: field, Message: "expected an object, got " + notation.TypeName(v)}}
	}
	return obj, nil
}
