// Package flowwait keeps flows that wait (a node returned plugin.Delay,
// e.g. a long Sleep) and runs the rest of each when its time comes: one
// job per waiting flow, scheduled at the time the flow goes on, in the
// job queue's database. So a wait survives a restart or a crash of the
// server, and over PostgreSQL the flow goes on in whichever server takes
// the job.
//
// A waiting flow goes on at least once: if a server dies after storing
// the resumed flow's changes but before the job is marked done, another
// attempt runs the rest of the flow again.
package flowwait

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/tracking"
)

// Kind is the job kind of a waiting flow.
const Kind = "flow.resume"

// Resumer runs the rest of a waiting flow (tracking.Tracker.Resume).
type Resumer interface {
	Resume(ctx context.Context, w tracking.Waiting) ([]string, error)
}

// Service stores waiting flows as jobs and resumes them.
type Service struct {
	tr  Resumer
	q   *jobs.Queue
	log *slog.Logger
}

// New makes the service; register JobKinds with the queue, then call Init.
func New(tr Resumer, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{tr: tr, log: log}
}

// JobKinds answers the kind the service works.
func (s *Service) JobKinds() []jobs.Kind {
	return []jobs.Kind{{Name: Kind, Handle: s.work, MaxAttempts: 10, Timeout: 5 * time.Minute}}
}

// Init gives the service its queue.
func (s *Service) Init(q *jobs.Queue) { s.q = q }

// Store saves waiting flows, each as a job at its time (the tracker's
// WaitHook).
func (s *Service) Store(ctx context.Context, ws []tracking.Waiting) error {
	reqs := make([]jobs.Request, 0, len(ws))
	for _, w := range ws {
		b, err := json.Marshal(w)
		if err != nil {
			return fmt.Errorf("flow %q node %q: saving the waiting flow: %w", w.FlowID, w.NodeID, err)
		}
		reqs = append(reqs, jobs.Request{Kind: Kind, Args: json.RawMessage(b), RunAt: w.Until})
	}
	return s.q.EnqueueMany(context.WithoutCancel(ctx), reqs)
}

func (s *Service) work(ctx context.Context, j *jobs.Job) error {
	var w tracking.Waiting
	if err := json.Unmarshal(j.Args, &w); err != nil {
		return jobs.Cancel(fmt.Errorf("waiting flow arguments: %w", err))
	}
	if w.FlowID == "" || w.NodeID == "" {
		return jobs.Cancel(errors.New("waiting flow arguments: a flow_id and a node_id are required"))
	}
	errs, err := s.tr.Resume(ctx, w)
	if errors.Is(err, tracking.ErrGone) || errors.Is(err, tracking.ErrNoFlow) {
		s.log.Info("a waiting flow was not resumed", "flow", w.FlowID, "node", w.NodeID, "profile", w.ProfileID, "reason", err)
		return jobs.Cancel(err)
	}
	if err != nil {
		return fmt.Errorf("flow %q from node %q: %w", w.FlowID, w.NodeID, err)
	}
	if len(errs) > 0 {
		s.log.Warn("a resumed flow reported errors", "flow", w.FlowID, "node", w.NodeID, "profile", w.ProfileID, "errors", errs)
	}
	return nil
}
