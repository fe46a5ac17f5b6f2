package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/flowwait"
	"github.com/tracflow/tracflow/internal/inbox"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/retention"
	"github.com/tracflow/tracflow/internal/schedule"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tracking"
)

// background is the server's durable background work: the job queue and
// the services that enqueue into it.
type background struct {
	q     *jobs.Queue
	dest  *destinations.Service
	segs  *segments.Refresher
	inbox *inbox.Service
	waits *flowwait.Service
	sched *schedule.Service
	// deliver is the delivery process, when deliveries are sent from one.
	deliver *deliveryProcess
}

// lateTracker hands the inbox's requests to the tracker, which is made
// after the queue (the tracker tells the destinations about its commits).
type lateTracker struct{ t **tracking.Tracker }

func (l lateTracker) Track(ctx context.Context, p *tracking.Payload, h map[string]any) (*tracking.Result, error) {
	return (*l.t).Track(ctx, p, h)
}

func (l lateTracker) CheckSource(id string) error { return (*l.t).CheckSource(id) }

func (l lateTracker) Resume(ctx context.Context, w tracking.Waiting) ([]string, error) {
	return (*l.t).Resume(ctx, w)
}

// startBackground opens the job queue in the server's database and sets up
// the destinations. The queue's workers start with q.Start, once the HTTP
// server is built. With deliveryProcess, this process leaves the delivery
// jobs to the delivery process (startDeliveryProcess).
func startBackground(ctx context.Context, st store.Store, res *resources.Service, dsn, data string, policy retention.Policy,
	forget func(string), tracker **tracking.Tracker, deliveryProcess bool, log *slog.Logger) (*background, error) {
	var creds destinations.Credentials
	if res != nil {
		creds = res
	}
	dest := destinations.New(st, creds, log)
	ret := retention.New(st, dest, policy, forget, log)
	segs := segments.NewRefresher(st, forget, log)
	in := inbox.New(lateTracker{tracker}, st, log, inbox.Options{})
	fw := flowwait.New(lateTracker{tracker}, log)
	sc := schedule.New(st, lateTracker{tracker}, log, schedule.Options{})
	kinds := append(append(append(append(dest.JobKinds(), ret.Kind(), segs.Kind()), in.JobKinds()...), fw.JobKinds()...), sc.JobKinds()...)
	kinds = append(kinds, tracking.VisitEndedKind(func() *tracking.Tracker { return *tracker }))
	periodic := append(append(ret.Periodic(), in.Periodic()...), sc.Periodic()...)
	opts := jobs.Options{Kinds: kinds, Periodic: periodic, Log: log}
	if deliveryProcess {
		opts.Queues = []string{jobs.DefaultQueue}
	}
	q, err := jobs.Open(ctx, dsn, data, opts)
	if err != nil {
		return nil, fmt.Errorf("opening the job queue: %w", err)
	}
	if err := dest.Init(ctx, q); err != nil {
		q.Close(ctx)
		return nil, fmt.Errorf("destinations: %w", err)
	}
	if err := in.Init(ctx, q); err != nil {
		q.Close(ctx)
		return nil, err
	}
	if err := sc.Init(ctx, q); err != nil {
		q.Close(ctx)
		return nil, err
	}
	fw.Init(q)
	dest.Start()
	segs.Init(q)
	return &background{q: q, dest: dest, segs: segs, inbox: in, waits: fw, sched: sc}, nil
}

// close queues what the collector handed over, then lets running jobs
// finish, in the delivery process first (it may leave batches to store
// here), then here (up to 20 s each; a job cut off is run again later).
func (b *background) close(log *slog.Logger) {
	b.inbox.Close()
	b.dest.Close()
	if b.deliver != nil {
		b.deliver.drain()
		b.deliver.close()
	}
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
