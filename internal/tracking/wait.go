package tracking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// Waiting is a flow that waits (a node returned plugin.Delay): what is
// needed to run the rest of it later. It is stored as JSON in a job.
type Waiting struct {
	FlowID    string         `json:"flow_id"`
	NodeID    string         `json:"node_id"`
	Until     time.Time      `json:"until"`
	Results   plugin.Results `json:"results"`
	Event     map[string]any `json:"event"`
	ProfileID string         `json:"profile_id,omitempty"` // "" for a profile-less event
	SessionID string         `json:"session_id,omitempty"`
	Memory    map[string]any `json:"memory,omitempty"`
}

// WaitHook is told, after a request's commit, about the flows that wait;
// it stores them durably (a job that calls Tracker.Resume at Until) and
// answers an error when it could not.
type WaitHook func(ctx context.Context, ws []Waiting) error

// ErrGone is a waiting flow whose profile no longer exists: there is
// nothing to resume.
var ErrGone = errors.New("the profile of the waiting flow no longer exists")

// ErrNoFlow is a waiting flow that has no production version any more.
var ErrNoFlow = errors.New("the waiting flow has no production version to go on with")

// waitsOf turns a flow run's waits into Waitings.
func waitsOf(flowID string, ev plugin.Event, o *workflow.Output) []Waiting {
	var out []Waiting
	for _, w := range o.Waits {
		x := Waiting{FlowID: flowID, NodeID: w.NodeID, Until: w.Until, Results: w.Results,
			Event: map[string]any(ev), Memory: o.Memory}
		if o.Profile != nil {
			x.ProfileID = o.Profile.ID()
		}
		if o.Session != nil {
			x.SessionID = o.Session.ID()
		}
		out = append(out, x)
	}
	return out
}

// storeWaits hands the request's waiting flows to the wait hook, once its
// changes are committed; a failure is an error of the request's answer.
func (r *request) storeWaits() {
	if len(r.waits) == 0 || r.t.waits == nil {
		return
	}
	if err := r.t.waits(r.ctx, r.waits); err != nil {
		r.res.Errors = append(r.res.Errors, fmt.Sprintf("%d waiting flow(s) could not be saved to go on later: %v", len(r.waits), err))
	}
}

// Resume runs the rest of a waiting flow: it locks and reads the profile
// again (as it is now), reads the session, runs the flow's production
// version from the waiting node's results, and stores the profile and
// session if the flow changed them. Flows that wait again are handed to
// the wait hook. The answer lists the flow's errors (nil when none);
// ErrGone when the profile was deleted meanwhile.
func (t *Tracker) Resume(ctx context.Context, w Waiting) ([]string, error) {
	snap := t.cat.Snapshot()
	f, ok := snap.Flows[w.FlowID]
	if !ok {
		return nil, fmt.Errorf("flow %q: %w", w.FlowID, ErrNoFlow)
	}
	now := t.now()
	var profile plugin.Profile
	var cache *docCache
	if w.ProfileID != "" {
		release, prof, isNew, err := t.lockAndLoadProfile(ctx, w.ProfileID, now)
		if err != nil {
			return nil, err
		}
		defer release()
		if isNew {
			return nil, fmt.Errorf("profile %q: %w", w.ProfileID, ErrGone)
		}
		profile, cache = prof, t.cache
	}
	var session plugin.Session
	if w.SessionID != "" {
		s, err := t.findSession(ctx, cache, w.SessionID, domain.Str(profile, "id"))
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			session = s
		}
	}
	if no, ok := t.Observe.(workflow.NodeObserver); ok {
		ctx = workflow.WithNodeObserver(ctx, no)
	}
	start := time.Now()
	o := f.Run(ctx, workflow.Input{Event: plugin.Event(w.Event), Profile: profile, Session: session, Memory: w.Memory,
		Resources: t.res, Data: t.data, Limits: t.lim, Delays: t.waits != nil,
		Resume: &workflow.Resume{NodeID: w.NodeID, Results: w.Results}})
	if t.Observe != nil {
		t.Observe.FlowRun(w.FlowID, time.Since(start), len(o.Errors) > 0)
	}
	var errs []string
	for _, e := range o.Errors {
		errs = append(errs, fmt.Sprintf("flow %q node %q: %s", f.Name, e.NodeID, e.Message))
	}
	keep, msg := lockedProfile(profile, o.Profile)
	if msg != "" {
		errs = append(errs, msg)
	}
	cs := &store.ChangeSet{}
	if keep != nil && (o.ProfileUpdated && msg == "") {
		domain.Settle(keep, true, now)
		cs.Profiles = append(cs.Profiles, map[string]any(keep))
	}
	if o.Session != nil && o.SessionUpdated {
		domain.Settle(o.Session, false, now)
		cs.Sessions = append(cs.Sessions, map[string]any(o.Session))
	}
	if !cs.Empty() {
		if err := t.st.Apply(ctx, cs); err != nil {
			if profile != nil {
				t.cache.forgetProfile(profile.ID())
			}
			return errs, fmt.Errorf("storing the resumed flow's changes: %w", err)
		}
		if cache != nil && len(cs.Profiles) > 0 {
			cache.putProfile(keep, true)
		}
		if cache != nil && len(cs.Sessions) > 0 {
			cache.putSession(o.Session, true)
		}
	}
	if ws := waitsOf(w.FlowID, plugin.Event(w.Event), o); len(ws) > 0 && t.waits != nil {
		if err := t.waits(ctx, ws); err != nil {
			errs = append(errs, fmt.Sprintf("the flow waits again but could not be saved: %v", err))
		}
	}
	return errs, nil
}
