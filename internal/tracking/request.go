package tracking

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// request is one tracked request on its way through the collector's steps
// (see Tracker.track for their order). A step reads and changes this state;
// the commit step stores what the steps marked as changed.
type request struct {
	t       *Tracker
	ctx     context.Context
	snap    *catalog.Snapshot
	p       *Payload
	src     map[string]any // the event source
	headers map[string]any
	now     time.Time
	save    saveOpts
	res     *Result

	// profile is the request's profile: nil for a profile-less request.
	// locked is the profile whose lock the request holds (flows may switch
	// profile to another one); releases free the locks it holds.
	profile  plugin.Profile
	locked   plugin.Profile
	releases []func()
	session  plugin.Session
	// cache holds the request's documents between requests; nil when they
	// must be read fresh (profile-less requests, several processes).
	cache *docCache
	ids   []eventID // the events' ids after the retry check (nil: none sent)

	newProfile, newSession         bool
	profileChanged, sessionChanged bool

	events []store.Doc // the events to store, in order
	// encoded holds the JSON the store wrote the request's documents as,
	// for the commit hook (empty without one).
	encoded jsonx.Known
	waits   []Waiting // flows that go on later (see wait.go)

	segments []string // the profile's segments as of the last segmentation (segments.go)
	// mergeKeys are the merge keys of the identification points the
	// events matched; loaded holds the stored profiles flows loaded, whose
	// locks the request took (see identity.go).
	mergeKeys [][]string
	loaded    map[string]plugin.Profile

	visit  visitChange  // what the request did to the visit (enrich.go)
	system systemBudget // the system events it emitted (system.go)
}

// newRequest checks the request's source and sets up its state.
func (t *Tracker) newRequest(ctx context.Context, p *Payload, headers map[string]any) (*request, error) {
	snap := t.cat.Snapshot()
	src, ok := snap.Sources[p.SourceID]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSource, p.SourceID)
	}
	if en, ok := src["enabled"].(bool); ok && !en {
		return nil, fmt.Errorf("%w: %q", ErrDisabledSource, p.SourceID)
	}
	return &request{
		t: t, ctx: ctx, snap: snap, p: p, src: src, headers: headers,
		now:  t.now(),
		save: saveOptions(p.Options),
		res:  &Result{Task: domain.NewID(), Response: map[string]any{}, UX: []plugin.UX{}, Errors: []string{}, Warnings: []string{}},
	}, nil
}

// close releases the locks the request holds, the last taken first.
func (r *request) close() {
	for i := len(r.releases) - 1; i >= 0; i-- {
		r.releases[i]()
	}
	r.releases = nil
}

// loadProfile locks and loads the request's profile, or creates it (a
// profile-less request has none).
func (r *request) loadProfile() error {
	if r.p.ProfileLess {
		return nil
	}
	pid := r.p.ProfileID
	if pid == "" {
		pid = domain.NewID()
	}
	release, prof, isNew, err := r.t.lockAndLoadProfile(r.ctx, pid, r.now)
	if err != nil {
		return err
	}
	r.releases = append(r.releases, release)
	r.profile, r.locked, r.newProfile = prof, prof, isNew
	r.profileChanged = isNew
	r.res.ProfileID = prof.ID()
	r.cache = r.t.cache
	return nil
}

// checkEventIDs decides, for events sent with ids, which are retries of
// stored events and which need another id.
func (r *request) checkEventIDs() error {
	ids, err := r.t.eventIDs(r.ctx, r.p, r.profile, r.res)
	r.ids = ids
	return err
}

// loadSession loads or opens the request's session, and gives a new one
// the device and context the tracker sent.
func (r *request) loadSession() error {
	// Sessions of profile-less requests are not under a profile lock: they
	// are read fresh and kept out of the cache (r.cache is nil).
	session, isNew, err := r.t.loadSession(r.ctx, r.cache, r.p.SessionID, r.profile, r.newProfile, r.now)
	if err != nil {
		return err
	}
	r.session, r.newSession = session, isNew
	r.sessionChanged = isNew
	r.res.SessionID = session.ID()
	if r.p.Device != nil {
		if d, ok := session["device"].(map[string]any); !ok || len(d) == 0 {
			session["device"] = notation.DeepCopy(r.p.Device)
		}
	}
	if r.p.Context != nil && isNew {
		session["context"] = notation.DeepCopy(r.p.Context)
	}
	return nil
}

// openVisit records a new session as a new visit of the profile, and the
// profile's activity in its session.
func (r *request) openVisit() {
	if r.profile == nil || r.p.system != trackerRequest {
		return
	}
	if r.visit.opened || r.visit.reopened {
		domain.StartVisit(r.profile, r.session, r.now)
		r.profileChanged = true
	}
	if domain.NoteActivity(r.profile, r.session.ID(), r.now, r.t.activityGap()) {
		r.profileChanged = true
	}
}

// runEvents builds each event of the payload and runs it through the
// rules and their flows. Retries of stored events are answered, not run.
func (r *request) runEvents() {
	r.events = slices.Grow(r.events, len(r.p.Events)) // after the system events before them
	for i := range r.p.Events {
		in := &r.p.Events[i]
		if r.ids != nil {
			if r.ids[i].retry {
				r.res.EventIDs = append(r.res.EventIDs, in.ID)
				continue
			}
			in.ID = r.ids[i].id
		}
		ev := r.t.buildEvent(r.p, in, r.src, r.profile, r.session, r.headers, r.now)
		r.res.EventIDs = append(r.res.EventIDs, ev.ID())
		r.runEvent(ev)
		r.events = append(r.events, map[string]any(ev))
		r.segment(ev)
	}
}

// runEvent runs one event through the rules and their flows.
func (r *request) runEvent(ev plugin.Event) {
	r.mapEvent(ev)
	out := r.t.runRules(r.ctx, r.snap, r.cache, r.p, ev, &r.profile, &r.session, r.res)
	if out.profileUpdated {
		r.profileChanged = true
	}
	if out.sessionUpdated {
		r.sessionChanged = true
	}
	r.waits = append(r.waits, out.waits...)
}

// keepLockedProfile keeps the request from saving a stored profile whose
// lock it does not hold (see lockedProfile).
func (r *request) keepLockedProfile() {
	if r.lockedLoaded() {
		return // saved with the request's own profile, under both locks
	}
	if keep, msg := lockedProfile(r.locked, r.profile); msg != "" {
		r.profile = keep
		r.res.Warnings = append(r.res.Warnings, msg)
	}
}

// settle readies the profile and session for storing.
func (r *request) settle() {
	domain.Settle(r.profile, r.profileChanged, r.now)
	domain.Settle(r.session, false, r.now)
}

// commit stores, in one change set, what the request changed.
func (r *request) commit() error {
	cs := &store.ChangeSet{}
	if r.profile != nil && r.profileChanged && r.save.profile {
		cs.Profiles = append(cs.Profiles, map[string]any(r.profile))
	}
	if r.lockedLoaded() && r.save.profile {
		cs.Profiles = append(cs.Profiles, map[string]any(r.locked))
	}
	if r.sessionChanged && r.save.session {
		cs.Sessions = append(cs.Sessions, map[string]any(r.session))
	}
	if r.save.events {
		cs.NewEvents = r.events
	}
	if cs.Empty() {
		return nil
	}
	if r.t.after != nil {
		cs.Encoded = &r.encoded
	}
	if err := r.t.st.Apply(r.ctx, cs); err != nil {
		if r.profile != nil {
			r.t.cache.forgetProfile(r.profile.ID())
		}
		r.t.cache.forgetSession(r.session.ID())
		return fmt.Errorf("storing the request: %w", err)
	}
	return nil
}

// afterCommit tells the commit hook (destinations) and keeps the stored
// documents in the cache.
func (r *request) afterCommit() {
	if r.t.after != nil {
		r.t.after(r.events, r.profile, r.session, r.profileChanged, &r.encoded)
	}
	if r.cache == nil {
		return
	}
	if r.save.profile {
		r.cache.putProfile(r.profile, r.profileChanged)
	} else {
		r.cache.forgetProfile(r.profile.ID())
	}
	if r.save.session {
		r.cache.putSession(r.session, r.sessionChanged)
	} else {
		r.cache.forgetSession(r.session.ID())
	}
}
