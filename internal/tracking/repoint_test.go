package tracking

import (
	"context"
	"fmt"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
)

// TestRepointMovesEveryPage moves a history longer than one page.
func TestRepointMovesEveryPage(t *testing.T) {
	old := movePage
	movePage = 3
	defer func() { movePage = old }()
	ctx := context.Background()
	st, err := open.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := &store.ChangeSet{Profiles: []store.Doc{{"id": "a"}, {"id": "b"}}}
	for i := range 10 {
		cs.Events = append(cs.Events, store.Doc{"id": fmt.Sprintf("e%d", i), "type": "t", "profile": map[string]any{"id": "b"},
			"metadata": map[string]any{"time": map[string]any{"insert": fmt.Sprintf("2026-01-01T00:00:%02dZ", i)}}})
	}
	for i := range 4 {
		cs.Sessions = append(cs.Sessions, store.Doc{"id": fmt.Sprintf("s%d", i), "profile": map[string]any{"id": "b"}})
	}
	if err := st.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}
	tr := &Tracker{st: st}
	if err := tr.repoint(ctx, "b", "a"); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.ProfileEvents(ctx, "a", 0, 0); n != 10 {
		t.Errorf("%d events moved, want 10", n)
	}
	if _, n, _ := st.ProfileSessions(ctx, "a", 0, 0); n != 4 {
		t.Errorf("%d sessions moved, want 4", n)
	}
	if _, n, _ := st.ProfileEvents(ctx, "b", 0, 0); n != 0 {
		t.Errorf("%d events left behind", n)
	}
}
