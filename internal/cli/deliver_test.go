package cli

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/spool"
)

// A backlog that keeps growing is worth a warning, at its first threshold
// and then at each doubling; once it is empty, from the first again.
func TestBacklogSizeWarning(t *testing.T) {
	sp, err := spool.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var logs bytes.Buffer
	p := &deliveryProcess{backlog: sp, more: make(chan struct{}, 1), warnFrom: 1000,
		log: slog.New(slog.NewTextHandler(&logs, nil))}
	batch := bytes.Repeat([]byte("x"), 300)
	warnings := func() int { return strings.Count(logs.String(), "the delivery process is behind") }
	for i, want := range []int{0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3} { // at 1,200, 2,100 and 4,200 bytes
		if !p.handOver(batch) {
			t.Fatalf("batch %d: not taken", i)
		}
		if got := warnings(); got != want {
			t.Fatalf("after batch %d (%d bytes waiting): %d warnings; want %d\n%s", i, 300*(i+1), got, want, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "batches=4 megabytes=0") {
		t.Errorf("the first warning does not say how much waits:\n%s", logs.String())
	}
	// The process caught up: the next batch starts over.
	for id, ok := sp.Next(0); ok; id, ok = sp.Next(id) {
		if err := sp.Remove(id); err != nil {
			t.Fatal(err)
		}
	}
	logs.Reset()
	for range 4 {
		p.handOver(batch)
	}
	if warnings() != 1 {
		t.Fatalf("after catching up, 4 batches: %d warnings; want 1\n%s", warnings(), logs.String())
	}
}
