package tracking

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
)

func TestParsePayloadNamesTheField(t *testing.T) {
	cases := []struct{ body, field string }{
		{`[]`, "(body)"},
		{`{"events":[{"type":"a"}]}`, "source"},
		{`{"source":"x","events":[{"type":"a"}]}`, "source"},
		{`{"source":{"id":7},"events":[{"type":"a"}]}`, "source.id"},
		{`{"source":{"id":"s"},"profile":"p","events":[{"type":"a"}]}`, "profile"},
		{`{"source":{"id":"s"},"events":{}}`, "events"},
		{`{"source":{"id":"s"},"events":[]}`, "events"},
		{`{"source":{"id":"s"},"events":[{"type":"a"},5]}`, "events[1]"},
		{`{"source":{"id":"s"},"events":[{"type":""}]}`, "events[0].type"},
		{`{"source":{"id":"s"},"events":[{"type":"a","properties":[1]}]}`, "events[0].properties"},
		{`{"source":{"id":"s"},"events":[{"type":"a","tags":"x"}]}`, "events[0].tags"},
		{`{"source":{"id":"s"},"context":7,"events":[{"type":"a"}]}`, "context"},
		{`{"source":{"id":"s"},"events":[{"type":"a\u0000"}]}`, "events[0].type"},
		{`{"source":{"id":"s"},"events":[{"type":"a"},{"type":"b","id":"\u0000"}]}`, "events[1].id"},
		{`{"source":{"id":"s"},"events":[{"type":"` + strings.Repeat("t", MaxIDLength+1) + `"}]}`, "events[0].type"},
		{`{"source":{"id":"s"},"events":[{"type":"a","id":"` + strings.Repeat("i", MaxIDLength+1) + `"}]}`, "events[0].id"},
		{`{"source":{"id":"s\u0000"},"events":[{"type":"a"}]}`, "source.id"},
		{`{"source":{"id":"s"},"profile":{"id":"p\u0000"},"events":[{"type":"a"}]}`, "profile.id"},
		{`{"source":{"id":"s"},"session":{"id":"\u0000"},"events":[{"type":"a"}]}`, "session.id"},
	}
	for _, c := range cases {
		var v any
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		_, err := ParsePayload(v, 10)
		var fe plugin.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: error %v, want one naming %s", c.body, err, c.field)
		}
	}
	var v any
	json.Unmarshal([]byte(`{"source":{"id":"s"},"profile":null,"session":{"id":"b"},"device":{"id":"d"},"events":[{"type":"a","id":"e1","tags":["t"]}]}`), &v)
	p, err := ParsePayload(v, 10)
	if err != nil || p.SourceID != "s" || p.ProfileID != "" || p.SessionID != "b" || p.Events[0].ID != "e1" || p.Device["id"] != "d" {
		t.Errorf("parsed %+v, %v", p, err)
	}
	json.Unmarshal([]byte(`{"source":{"id":"s"},"events":[{"type":"a"},{"type":"b"},{"type":"c"}]}`), &v)
	if _, err := ParsePayload(v, 2); err == nil || !strings.Contains(err.Error(), "at most 2") {
		t.Errorf("too many events: %v", err)
	}
}

// FuzzParsePayload: any JSON body is either accepted or refused with a
// field path; never a panic.
func FuzzParsePayload(f *testing.F) {
	for _, s := range []string{`{"source":{"id":"s"},"events":[{"type":"a"}]}`, `{"source":{"id":"s"},"profile":null,"events":[{"type":"a","properties":{"x":[1,2]}}]}`, `[]`, `null`, `{"events":[{"type":7}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		p, err := ParsePayload(v, 100)
		if err != nil {
			var fe plugin.FieldError
			var tm *TooManyEventsError
			if !errors.As(err, &fe) && !errors.As(err, &tm) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if p.SourceID == "" || len(p.Events) == 0 {
			t.Fatalf("accepted a payload without source or events: %s", s)
		}
		for _, e := range p.Events {
			if strings.TrimSpace(e.Type) == "" {
				t.Fatalf("accepted an event without type: %s", s)
			}
			for _, id := range []string{e.Type, e.ID, p.SourceID, p.ProfileID, p.SessionID} {
				if len(id) > MaxIDLength || strings.ContainsRune(id, 0) {
					t.Fatalf("accepted an over-long id or one with NUL: %q in %s", id, s)
				}
			}
		}
	})
}
