package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/plugin"
)

// VisitEndedJob is the job kind that ends visits: one job per session,
// scheduled when its visit starts at the time it would end without more
// events. When it runs it looks at the session's last activity again: a
// visit that saw events since is snoozed until its new end; a quiet one
// gets its visit-ended event (through the rules, like any event) and the
// session's status "ended". The queue is durable and shared by the
// instances over PostgreSQL, so the event fires once, without a request
// from the visitor, even across restarts.
const VisitEndedJob = "visit-ended"

// Scheduler enqueues jobs (the server's *jobs.Queue).
type Scheduler interface {
	Submit(ctx context.Context, r jobs.Request) error
}

// visitArgs are a visit-ended job's arguments.
type visitArgs struct {
	Session string `json:"session"`
	Profile string `json:"profile"`
	Source  string `json:"source"`
}

// VisitEndedKind is the job kind that ends visits; tracker answers the
// server's tracker when a job runs (the queue opens before the tracker).
func VisitEndedKind(tracker func() *Tracker) jobs.Kind {
	return jobs.Kind{Name: VisitEndedJob, MaxAttempts: 10, Handle: func(ctx context.Context, j *jobs.Job) error {
		t := tracker()
		if t == nil {
			return errors.New("the collector is not running yet")
		}
		return t.endVisit(ctx, j)
	}}
}

// errVisitActive is a visit that saw events since its job was scheduled:
// it ends at due at the earliest.
type errVisitActive struct{ due time.Time }

func (e *errVisitActive) Error() string {
	return "the visit is active: it ends at " + e.due.Format(time.RFC3339) + " at the earliest"
}

// errVisitGone is a session or profile deleted before its visit ended.
var errVisitGone = errors.New("the session or its profile no longer exists")

// scheduleVisitEnd is the request step after the commit that enqueues
// the visit-ended job of a session whose visit (re)started. A failure is
// logged, not answered: the request is stored.
func (r *request) scheduleVisitEnd() {
	t := r.t
	if t.jobs == nil || r.profile == nil || !(r.visit.opened || r.visit.reopened) || !r.save.session {
		return
	}
	args := visitArgs{Session: r.session.ID(), Profile: r.profile.ID(), Source: r.p.SourceID}
	err := t.jobs.Submit(context.WithoutCancel(r.ctx), jobs.Request{Kind: VisitEndedJob, Args: args, Key: args.Session,
		RunAt: r.now.Add(t.visitEnd + t.activityGap())})
	if err != nil {
		t.log.Warn("scheduling the end of a visit", "session", args.Session, "err", err)
	}
}

// endVisit works a visit-ended job.
func (t *Tracker) endVisit(ctx context.Context, j *jobs.Job) error {
	var a visitArgs
	if err := json.Unmarshal(j.Args, &a); err != nil || a.Session == "" || a.Profile == "" || a.Source == "" {
		return jobs.Cancel(fmt.Errorf("visit-ended job: bad arguments %s", j.Args))
	}
	p := &Payload{SourceID: a.Source, SessionID: a.Session, ProfileID: a.Profile, system: endVisitRequest}
	_, err := t.Track(ctx, p, nil)
	var active *errVisitActive
	switch {
	case err == nil, errors.Is(err, errVisitGone):
		return nil
	case errors.As(err, &active):
		return jobs.Snooze(max(active.due.Sub(t.now()), time.Second/10))
	case errors.Is(err, ErrUnknownSource), errors.Is(err, ErrDisabledSource):
		return jobs.Cancel(err)
	}
	return err
}

// checkVisitEnded decides, under the profile's lock, whether the
// visit-ended job's request goes on: a visit ends only when its profile and
// session still exist, the session's visit has not ended yet and saw no
// event for the visit-ended time. Then the session is marked ended, and
// the answer is the visit-ended event's properties.
func (t *Tracker) checkVisitEnded(profile plugin.Profile, newProfile bool, session plugin.Session, newSession bool, now time.Time) (map[string]any, error) {
	if newProfile || newSession || profile == nil {
		return nil, errVisitGone
	}
	md := domain.Child(session, "metadata")
	if md["status"] == sessionEnded {
		return nil, errVisitGone // ended already (a job of an earlier visit)
	}
	last := lastActivity(profile, session)
	if due := last.Add(t.visitEnd + t.activityGap()); now.Before(due) {
		return nil, &errVisitActive{due: due}
	}
	md["status"] = sessionEnded
	tm := domain.Child(md, "time")
	if start, err := time.Parse(time.RFC3339Nano, domain.Str(session, "metadata", "time", "insert")); err == nil && last.After(start) {
		tm["duration"] = last.Sub(start).Seconds()
	}
	return map[string]any{"last_activity": domain.Timestamp(last), "duration": number(tm["duration"])}, nil
}

// lastActivity is when the session last saw an event: the profile's
// activity when the session is the profile's latest, else the session's
// start plus its duration.
func lastActivity(profile plugin.Profile, session plugin.Session) time.Time {
	if id, at, ok := domain.LastActivity(profile); ok && id == session.ID() {
		return at
	}
	start, _ := time.Parse(time.RFC3339Nano, domain.Str(session, "metadata", "time", "insert"))
	md, _ := session["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	return start.Add(time.Duration(number(tm["duration"]) * float64(time.Second)))
}

// activityGap is how stale the recorded activity of a profile (and the
// duration of a session) may be: a thirtieth of the shorter of the visit
// timeout and the visit-ended time, so that a steady stream of events
// rewrites them once in that time, and a visit ends within that much of
// its due time.
func (t *Tracker) activityGap() time.Duration {
	return min(t.visit, t.visitEnd) / activityGranularity
}
