// Package retention deletes old data: events, sessions and delivery-log
// rows older than a configured age, and optionally profiles inactive for a
// configured time. It runs as a periodic job (once in all processes
// sharing a database) and deletes in pages, one short transaction each, so
// that the collector is never held up for long.
package retention

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/store"
)

// JobKind is the kind of the periodic retention job.
const JobKind = "retention"

// DefaultPage is how many rows one transaction deletes.
const DefaultPage = 1000

// Policy says how long data is kept; a zero age keeps it forever.
type Policy struct {
	Events     time.Duration
	Sessions   time.Duration
	Deliveries time.Duration // the destinations' delivery log
	Profiles   time.Duration // since the profile's last update
	Page       int           // rows per transaction (default 1000)
	Every      time.Duration // how often the job runs (default 1h)
}

// Enabled reports whether anything is ever deleted.
func (p Policy) Enabled() bool {
	return p.Events > 0 || p.Sessions > 0 || p.Deliveries > 0 || p.Profiles > 0
}

// Logs is a delivery log that can be pruned (destinations.Service).
type Logs interface {
	PruneLog(ctx context.Context, before time.Time, limit int) (int, error)
}

// Retention runs the policy.
type Retention struct {
	st     store.Store
	logs   Logs
	pol    Policy
	log    *slog.Logger
	forget func(profileID string)
	now    func() time.Time
}

// New makes the retention runner. forget, when set, is told each deleted
// profile (to drop it from caches); logs may be nil.
func New(st store.Store, logs Logs, p Policy, forget func(string), log *slog.Logger) *Retention {
	if p.Page <= 0 {
		p.Page = DefaultPage
	}
	if p.Every <= 0 {
		p.Every = time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	return &Retention{st: st, logs: logs, pol: p, log: log, forget: forget, now: time.Now}
}

// Kind is the job kind to register with the queue.
func (r *Retention) Kind() jobs.Kind {
	return jobs.Kind{Name: JobKind, MaxAttempts: 3, Timeout: 6 * time.Hour, Handle: func(ctx context.Context, _ *jobs.Job) error {
		res, err := r.Run(ctx)
		if err != nil {
			return err
		}
		if res.Total() > 0 {
			r.log.Info("retention deleted old data", "events", res.Events, "sessions", res.Sessions, "deliveries", res.Deliveries, "profiles", res.Profiles)
		}
		return nil
	}}
}

// Periodic is the schedule to register with the queue (none when the
// policy deletes nothing).
func (r *Retention) Periodic() []jobs.Periodic {
	if !r.pol.Enabled() {
		return nil
	}
	return []jobs.Periodic{{Kind: JobKind, Every: r.pol.Every}}
}

// Result counts what one run deleted.
type Result struct {
	Events, Sessions, Deliveries, Profiles int
}

// Total is everything deleted.
func (r Result) Total() int { return r.Events + r.Sessions + r.Deliveries + r.Profiles }

// MarshalJSON writes the counts by name.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]int{"events": r.Events, "sessions": r.Sessions, "deliveries": r.Deliveries, "profiles": r.Profiles})
}

// Run deletes what the policy says is too old, page by page, until none
// is left or ctx ends.
func (r *Retention) Run(ctx context.Context) (Result, error) {
	var res Result
	now := r.now()
	pages := func(n *int, f func() (int, error)) error {
		for {
			k, err := f()
			*n += k
			if err != nil {
				return err
			}
			if k < r.pol.Page {
				return nil
			}
			// Let waiting writes in between pages.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	if a := r.pol.Profiles; a > 0 {
		err := pages(&res.Profiles, func() (int, error) {
			ids, err := r.st.PruneProfiles(ctx, now.Add(-a), r.pol.Page)
			if r.forget != nil {
				for _, id := range ids {
					r.forget(id)
				}
			}
			return len(ids), err
		})
		if err != nil {
			return res, fmt.Errorf("retention: profiles: %w", err)
		}
	}
	if a := r.pol.Events; a > 0 {
		if err := pages(&res.Events, func() (int, error) { return r.st.Prune(ctx, store.KindEvent, now.Add(-a), r.pol.Page) }); err != nil {
			return res, fmt.Errorf("retention: events: %w", err)
		}
	}
	if a := r.pol.Sessions; a > 0 {
		if err := pages(&res.Sessions, func() (int, error) { return r.st.Prune(ctx, store.KindSession, now.Add(-a), r.pol.Page) }); err != nil {
			return res, fmt.Errorf("retention: sessions: %w", err)
		}
	}
	if a := r.pol.Deliveries; a > 0 && r.logs != nil {
		if err := pages(&res.Deliveries, func() (int, error) { return r.logs.PruneLog(ctx, now.Add(-a), r.pol.Page) }); err != nil {
			return res, fmt.Errorf("retention: delivery log: %w", err)
		}
	}
	return res, nil
}

// ParseAge reads an age: a Go duration (36h, 90m) or whole days (30d);
// "" or "0" is zero (keep forever).
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("expected an age such as 30d or 36h, got %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("expected an age such as 30d or 36h, got %q", s)
	}
	return d, nil
}
