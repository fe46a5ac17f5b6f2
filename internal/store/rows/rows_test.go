package rows

import (
	"reflect"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

func TestEncode(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	set, err := Encode(&store.ChangeSet{
		Profiles: []store.Doc{{"id": "p", "ids": []any{"a", "p", "b", "a"},
			"metadata": map[string]any{"time": map[string]any{"insert": "2024-05-01T10:00:00Z"}}}},
		Sessions: []store.Doc{{"id": "s", "profile": map[string]any{"id": "p"}}},
		Events: []store.Doc{{"id": "e", "type": "t", "profile": map[string]any{"id": "p"}, "session": map[string]any{"id": "s"},
			"source": map[string]any{"id": "src"}, "metadata": map[string]any{"status": "error", "time": map[string]any{"insert": "2024-05-01T12:00:00+02:00"}},
			"properties": map[string]any{"html": "<b>&</b>"}}},
		DeleteProfiles: []string{"x"},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	p := set.Profiles[0]
	ins := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC).UnixMicro()
	if !reflect.DeepEqual(p.Aliases, []string{"p", "a", "b"}) || p.InsertedUS != ins || p.UpdatedUS != ins {
		t.Errorf("profile %+v", p)
	}
	if s := set.Sessions[0]; s.ProfileID != "p" || s.InsertedUS != now.UnixMicro() {
		t.Errorf("session %+v", s)
	}
	e := set.Events[0]
	want := Event{ID: "e", Type: "t", ProfileID: "p", SessionID: "s", SourceID: "src", Status: "error", InsertedUS: ins, Doc: e.Doc}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("event %+v", e)
	}
	if got := string(e.Doc); !contains(got, `"<b>&</b>"`) {
		t.Errorf("HTML escaped: %s", got)
	}
	if !reflect.DeepEqual(set.DeleteProfiles, []string{"x"}) {
		t.Errorf("deletes %v", set.DeleteProfiles)
	}
}

func contains(s, sub string) bool {
	return len(sub) <= len(s) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 10, 0, 0, 500000000, time.UTC)
	for _, s := range []string{
		"2024-05-01T10:00:00.5Z",
		"2024-05-01T12:00:00.500+02:00",
		"2024-05-01T10:00:00.500000",
		"2024-05-01 10:00:00.5",
		"2024-05-01 10:00:00.5+00:00",
	} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "yesterday", "2024-05-01", "1714557600"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q): no error", s)
		}
	}
}
