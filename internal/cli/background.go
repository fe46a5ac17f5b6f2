package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/store"
)

// background is the server's durable background work: the job queue and
// the services that enqueue into it.
type background struct {
	q    *jobs.Queue
	dest *destinations.Service
}

// startBackground opens the job queue in the server's database and sets up
// the destinations. The queue's workers start with q.Start, once the HTTP
// server is built.
func startBackground(ctx context.Context, st store.Store, res *resources.Service, dsn, data string, log *slog.Logger) (*background, error) {
	var creds destinations.Credentials
	if res != nil {
		creds = res
	}
	dest := destinations.New(st, creds, log)
	q, err := jobs.Open(ctx, dsn, data, jobs.Options{Kinds: dest.JobKinds(), Log: log})
	if err != nil {
		return nil, fmt.Errorf("opening the job queue: %w", err)
	}
	if err := dest.Init(ctx, q); err != nil {
		q.Close(ctx)
		return nil, fmt.Errorf("destinations: %w", err)
	}
	dest.Start()
	return &background{q: q, dest: dest}, nil
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
