package identity

import (
	"slices"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
)

// The collector asks KeyIDs and Missing of every event's profile, which
// usually holds no identifying field: that costs no allocation.
func TestKeyIDsOfAnAnonymousProfileAllocateNothing(t *testing.T) {
	p := domain.NewProfile("p1", time.Now())
	allocs := testing.AllocsPerRun(100, func() {
		if ids := Missing(p, KeyIDs(p, nil)); ids != nil {
			t.Fatalf("missing ids %v of an anonymous profile", ids)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per event, want 0", allocs)
	}
}

// Walking dot paths by hand finds the same values, with and without a key
// naming a hashed field, and repeats give one id.
func TestKeyIDsReadNestedFields(t *testing.T) {
	p := map[string]any{"id": "p1", "data": map[string]any{
		"contact":    map[string]any{"email": map[string]any{"main": " Ann@Example.com "}},
		"identifier": map[string]any{"id": 42.0},
	}, "traits": map[string]any{"x": "1", "y": map[string]any{}}}
	got := KeyIDs(p, [][]string{{"profile@data.contact.email.main"}, {"traits.x", "data.identifier.id"}, {"traits.y"}, {"traits.x.z"}})
	want := []string{
		HashID("iid-", "42"),
		HashID("emm-", "ann@example.com"),
		HashID(keyPrefix, "data.identifier.id=42\x00traits.x=1"),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("KeyIDs = %v, want %v", got, want)
	}
	if m := Missing(p, got); !slices.Equal(m, want) {
		t.Fatalf("Missing = %v, want %v", m, want)
	}
	p["ids"] = []any{want[0], want[2]}
	if m := Missing(p, got); !slices.Equal(m, want[1:2]) {
		t.Fatalf("Missing = %v, want %v", m, want[1:2])
	}
}

func BenchmarkKeyIDsAnonymous(b *testing.B) {
	p := domain.NewProfile("p1", time.Now())
	b.ReportAllocs()
	for b.Loop() {
		Missing(p, KeyIDs(p, nil))
	}
}
