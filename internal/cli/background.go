package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/retention"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tracking"
)

// background is the server's durable background work: the job queue and
// the services that enqueue into it.
type background struct {
	q    *jobs.Queue
	dest *destinations.Service
	segs *segments.Refresher
}

// startBackground opens the job queue in the server's database and sets up
// the destinations. The queue's workers start with q.Start, once the HTTP
// server is built.
func startBackground(ctx context.Context, st store.Store, res *resources.Service, dsn, data string, policy retention.Policy,
	forget func(string), log *slog.Logger, tracker func() *tracking.Tracker) (*background, error) {
	var creds destinations.Credentials
	if res != nil {
		creds = res
	}
	dest := destinations.New(st, creds, log)
	ret := retention.New(st, dest, policy, forget, log)
	segs := segments.NewRefresher(st, forget, log)
	q, err := jobs.Open(ctx, dsn, data, jobs.Options{Kinds: append(dest.JobKinds(), ret.Kind(), segs.Kind(), tracking.VisitEndedKind(tracker)), Periodic: ret.Periodic(), Log: log})
	if err != nil {
		return nil, fmt.Errorf("opening the job queue: %w", err)
	}
	if err := dest.Init(ctx, q); err != nil {
		q.Close(ctx)
		return nil, fmt.Errorf("destinations: %w", err)
	}
	dest.Start()
	segs.Init(q)
	return &background{q: q, dest: dest, segs: segs}, nil
}

// close queues what the collector handed over, then lets running jobs
// finish (up to 20 s; a job cut off is run again later).
func (b *background) close(log *slog.Logger) {
	b.dest.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.q.Close(ctx); err != nil {
		log.Warn("stopping the job queue", "err", err)
	}
}

// retentionFlags adds the retention settings to serve's flags; the
// function answers the policy once they are parsed.
func retentionFlags(fs *flag.FlagSet) func() (retention.Policy, error) {
	ages := []struct {
		flag, what string
		v          *string
		dst        func(*retention.Policy) *time.Duration
	}{
		{flag: "retain-events", what: "events", dst: func(p *retention.Policy) *time.Duration { return &p.Events }},
		{flag: "retain-sessions", what: "sessions", dst: func(p *retention.Policy) *time.Duration { return &p.Sessions }},
		{flag: "retain-deliveries", what: "rows of the destinations' delivery log", dst: func(p *retention.Policy) *time.Duration { return &p.Deliveries }},
		{flag: "retain-profiles", what: "profiles not updated (with their sessions and events)", dst: func(p *retention.Policy) *time.Duration { return &p.Profiles }},
	}
	for i := range ages {
		a := &ages[i]
		a.v = fs.String(a.flag, "", fmt.Sprintf("delete %s older than this age, e.g. 90d or 36h; off when empty", a.what))
	}
	every := fs.String("retention-every", "1h", "how often the retention job runs")
	return func() (retention.Policy, error) {
		var p retention.Policy
		for _, a := range ages {
			d, err := retention.ParseAge(*a.v)
			if err != nil {
				return p, usagef("--%s: %v", a.flag, err)
			}
			*a.dst(&p) = d
		}
		d, err := retention.ParseAge(*every)
		if err != nil || d < time.Minute {
			return p, usagef("--retention-every: expected a duration of a minute or more, got %q", *every)
		}
		p.Every = d
		return p, nil
	}
}
