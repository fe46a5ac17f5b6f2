package cli

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
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

// TestLowerFallsBackToNice checks that the delivery process runs at its
// nice value alone where the idle class cannot be had, and says so.
func TestLowerFallsBackToNice(t *testing.T) {
	type call struct {
		nice int
		idle bool
	}
	for _, c := range []struct {
		name      string
		nice      int
		idle      bool
		refuse    func(call) bool
		wantCalls []call
		wantIdle  bool
		wantLog   []string
	}{
		{name: "idle class", nice: 10, idle: true, refuse: func(call) bool { return false },
			wantCalls: []call{{10, true}}, wantIdle: true},
		{name: "no idle class", nice: 10, idle: true, refuse: func(c call) bool { return c.idle },
			wantCalls: []call{{10, true}, {10, false}}, wantLog: []string{"idle scheduling class; it runs at its nice value alone"}},
		{name: "nothing allowed", nice: 10, idle: true, refuse: func(call) bool { return true },
			wantCalls: []call{{10, true}, {10, false}}, wantLog: []string{"idle scheduling class", "could not lower the delivery process's priority"}},
		{name: "nice alone", nice: 5, refuse: func(call) bool { return false }, wantCalls: []call{{5, false}}},
		{name: "nothing asked", refuse: func(call) bool { return true }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			var calls []call
			set := func(nice int, idle bool) error {
				calls = append(calls, call{nice, idle})
				if c.refuse(call{nice, idle}) {
					return errors.New("operation not permitted")
				}
				return nil
			}
			if got := lower(set, c.nice, c.idle, slog.New(slog.NewTextHandler(&logs, nil))); got != c.wantIdle {
				t.Errorf("in the idle class: %v; want %v", got, c.wantIdle)
			}
			if !slices.Equal(calls, c.wantCalls) {
				t.Errorf("calls %v; want %v", calls, c.wantCalls)
			}
			for _, w := range c.wantLog {
				if !strings.Contains(logs.String(), w) {
					t.Errorf("the log lacks %q:\n%s", w, logs.String())
				}
			}
			if len(c.wantLog) == 0 && logs.Len() > 0 {
				t.Errorf("unexpected log:\n%s", logs.String())
			}
		})
	}
}
