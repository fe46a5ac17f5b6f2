package domain

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin/dotpath"
)

func TestNewIDIsAnOrderedUUIDv7(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	prev := NewID()
	seen := map[string]bool{prev: true}
	for i := 0; i < 2000; i++ {
		if i%500 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
		id := NewID()
		if !re.MatchString(id) {
			t.Fatalf("%q is not a UUIDv7", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		// Ids of different milliseconds sort by time.
		if id[:13] < prev[:13] {
			t.Fatalf("%q sorts before the earlier %q", id, prev)
		}
		prev = id
	}
	// The first 48 bits are the time in milliseconds.
	before := time.Now().UnixMilli()
	id := NewID()
	ms, err := strconv.ParseInt(id[0:8]+id[9:13], 16, 64)
	if err != nil || ms < before || ms > time.Now().UnixMilli() {
		t.Errorf("%q starts with %d ms, not the time it was made (%d)", id, ms, before)
	}
}

func TestPrepareEventKeepsWhatItHas(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ev := PrepareEvent(map[string]any{"id": "mine", "type": "x", "metadata": map[string]any{"status": "processed"}}, now)
	md := ev["metadata"].(map[string]any)
	if ev["id"] != "mine" || md["status"] != "processed" || dotpath.At(md, "time.insert") != "2026-11-26T12:00:00.000000Z" {
		t.Errorf("prepared event: %v", ev)
	}
	for _, k := range []string{"properties", "context", "traits", "tags"} {
		if ev[k] == nil {
			t.Errorf("%s missing", k)
		}
	}
}
