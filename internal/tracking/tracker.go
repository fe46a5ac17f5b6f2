package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/enrich"
	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/geoip"
)

// Errors Track returns for a request it refuses.
var (
	ErrUnknownSource  = errors.New("unknown event source")
	ErrDisabledSource = errors.New("event source is disabled")
)

// Tracker runs the collector pipeline.
type Tracker struct {
	st    store.Store
	cat   *catalog.Catalog
	log   *slog.Logger
	cache *docCache // nil when several processes share the database
	visit time.Duration
	now   func() time.Time
	res   plugin.Resources
	data  plugin.Data // stored records, for plugins
	lim   workflow.Limits
	after CommitHook
	waits WaitHook

	// post-event segmentation: the compiled segments
	segOnce sync.Once
	segs    *segments.Cache

	// enrichment and system events (enrich.go, system.go, visitend.go)
	agents   *enrich.Parser
	geo      *geoip.DB
	jobs     Scheduler
	visitEnd time.Duration

	// Observe, when set, is told about every event processed and every flow
	// run (for metrics).
	Observe Observer
}

// Observer receives what the tracker did, for metrics.
type Observer interface {
	EventProcessed(status string)
	FlowRun(flowID string, d time.Duration, failed bool)
}

// Options configure a Tracker.
type Options struct {
	// CacheProfiles keeps recently used profiles and sessions in memory. Only
	// for a database no other process writes to (the embedded SQLite).
	CacheProfiles bool
	// CacheBytes bounds that cache: what its documents take in memory
	// (DefaultCacheBytes when 0).
	CacheBytes int64
	// VisitTimeout is how long a profile's session stays open without
	// events: a request without a session id joins the profile's last
	// session when it saw an event within this time, and opens a new one
	// otherwise (DefaultVisitTimeout when 0).
	VisitTimeout time.Duration
	// Now is the clock (time.Now when nil); tests set it.
	Now func() time.Time
	Log *slog.Logger
	// Resources gives flows the production credentials of resources.
	Resources plugin.Resources
	// FlowLimits bound the work of the flows of one event (zero fields:
	// the engine's defaults).
	FlowLimits workflow.Limits
	// Committed, when set, is told about each request once its changes are
	// committed (destinations). It must not block.
	Committed CommitHook
	// Waits, when set, stores flows that wait (plugin.Delay) to go on
	// later; without it a wait goes on at once.
	Waits WaitHook
	// GeoIP, when set, locates sessions by their client address.
	GeoIP *geoip.DB
	// Jobs, when set, schedules the visit-ended jobs (run by
	// VisitEndedKind); without it no visit-ended event fires.
	Jobs Scheduler
	// VisitEndedAfter is the inactivity after which a visit ends
	// (VisitTimeout when 0).
	VisitEndedAfter time.Duration
	// ScheduleEvent, when set, lets the flows schedule events to be
	// collected later (plugin.EventScheduler; the inbox's Schedule).
	ScheduleEvent rundata.ScheduleFunc
}

// CommitHook receives a request's events, profile (nil when profile-less)
// and session after the commit, whether the profile changed, and the JSON
// the store wrote the documents as (those it wrote, when it encodes them;
// empty or nil otherwise). It runs under the profile's lock and must copy
// what it keeps.
type CommitHook func(events []map[string]any, profile, session map[string]any, profileChanged bool, stored *jsonx.Known)

// New returns a tracker over st, running the flows of cat.
func New(st store.Store, cat *catalog.Catalog, o Options) *Tracker {
	t := &Tracker{st: st, cat: cat, log: o.Log, now: time.Now, res: o.Resources, lim: o.FlowLimits, data: rundata.New(st), visit: o.VisitTimeout, after: o.Committed, waits: o.Waits}
	if o.ScheduleEvent != nil {
		t.data = rundata.WithScheduler(st, o.ScheduleEvent)
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	if o.Now != nil {
		t.now = o.Now
	}
	if t.visit <= 0 {
		t.visit = DefaultVisitTimeout
	}
	t.agents, t.geo, t.jobs, t.visitEnd = enrich.NewParser(0), o.GeoIP, o.Jobs, o.VisitEndedAfter
	if t.visitEnd <= 0 {
		t.visitEnd = t.visit
	}
	if o.CacheProfiles {
		size := o.CacheBytes
		if size <= 0 {
			size = DefaultCacheBytes
		}
		t.cache = newDocCache(size)
	}
	return t
}

// DefaultVisitTimeout is Options.VisitTimeout's default, Tracardi's.
const DefaultVisitTimeout = 30 * time.Minute

// Forget drops a profile (and its sessions) from the cache; call it when
// the profile is changed or deleted outside the tracker.
func (t *Tracker) Forget(profileID string) {
	if t.cache != nil {
		t.cache.forgetProfile(profileID)
	}
}

// Result is the answer to a tracked request (Tracardi's response).
type Result struct {
	Task      string
	ProfileID string // "" for profile-less requests
	SessionID string
	Response  map[string]any
	UX        []plugin.UX
	Errors    []string
	Warnings  []string
	EventIDs  []string
}

// Track processes one request: it is durable when Track returns nil.
//
// Stored events are never replaced. An event whose id is stored already is,
// when the stored event belongs to the request's profile (or neither has
// one), a retry: it is answered with a warning, and neither run through the
// rules nor stored again. When it belongs to another profile the event is
// given a new id, with a warning.
func (t *Tracker) Track(ctx context.Context, p *Payload, headers map[string]any) (*Result, error) {
	var pristine *Payload
	if p.hasEventIDs() {
		pristine = p.clone()
	}
	for attempt := 0; ; attempt++ {
		res, err := t.track(ctx, p, headers)
		if err == nil || pristine == nil || attempt == 2 || !errors.Is(err, store.ErrEventExists) {
			return res, err
		}
		// Another request stored one of these event ids between our check
		// and our write (it held another profile's lock, or none): decide
		// again against what is stored now, from the payload as it came.
		p = pristine.clone()
	}
}

func (t *Tracker) track(ctx context.Context, p *Payload, headers map[string]any) (*Result, error) {
	r, err := t.newRequest(ctx, p, headers)
	if err != nil {
		return nil, err
	}
	defer r.close()
	// The steps of a request, in order. Each is a method of request in
	// request.go (or in the file of the feature it belongs to).
	if err := r.loadProfile(); err != nil {
		return nil, err
	}
	if err := r.prepareIdentity(); err != nil {
		return nil, err
	}
	if err := r.checkEventIDs(); err != nil {
		return nil, err
	}
	if err := r.loadSession(); err != nil {
		return nil, err
	}
	if err := r.beginVisit(); err != nil { // enrich.go
		return nil, err
	}
	r.openVisit()
	r.noteSegments()
	r.systemEvents() // system.go
	r.runEvents()
	r.keepLockedProfile()
	r.settle()
	if err := r.commit(); err != nil {
		return nil, err
	}
	r.afterCommit()
	r.scheduleVisitEnd() // visitend.go
	r.mergeIdentities()
	r.storeWaits()
	return r.res, nil
}

// lockedProfile decides which profile a request may save: the flows may
// have switched the run to another profile. A profile they created (new)
// is theirs, and is saved. A stored profile they loaded through the
// request's Data (Load profile by field) is locked then, and saved (see
// requestData). Any other stored profile is not saved: the request does
// not hold its lock, and writing another without its lock could lose what other
// servers write to it meanwhile. Then the request's own profile (locked;
// nil for a profile-less request) is kept, with the changes made to it
// before the switch, and msg says what was dropped.
func lockedProfile(locked, final plugin.Profile) (keep plugin.Profile, msg string) {
	if final == nil || locked != nil && final.ID() == locked.ID() {
		return final, ""
	}
	if op, ok := final["operation"].(map[string]any); ok && op["new"] == true {
		return final, ""
	}
	return locked, fmt.Sprintf("profile %q was loaded by a flow: the flow's changes to it are not saved "+
		"(only the request's own profile is saved, under its lock)", final.ID())
}

type saveOpts struct{ profile, session, events bool }

func saveOptions(o map[string]any) saveOpts {
	s := saveOpts{true, true, true}
	if v, ok := o["saveProfile"].(bool); ok {
		s.profile = v
	}
	if v, ok := o["saveSession"].(bool); ok {
		s.session = v
	}
	if v, ok := o["saveEvents"].(bool); ok {
		s.events = v
	}
	return s
}

// lockAndLoadProfile takes the profile's lock and loads it, or creates it
// with the id the tracker sent (so a tracker that keeps sending the first id
// it got keeps finding its profile). An alias is resolved to the profile's
// own id, and that id is locked.
func (t *Tracker) lockAndLoadProfile(ctx context.Context, id string, now time.Time) (func(), plugin.Profile, bool, error) {
	for attempt := 0; attempt < 3; attempt++ {
		release, err := t.st.LockProfile(ctx, id)
		if err != nil {
			return nil, nil, false, fmt.Errorf("locking profile %q: %w", id, err)
		}
		prof, err := t.loadProfile(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			// We hold the lock for this id: nobody else creates it meanwhile.
			return release, domain.NewProfile(id, now), true, nil
		}
		if err != nil {
			release()
			return nil, nil, false, err
		}
		if prof.ID() == id || prof.ID() == "" {
			return release, prof, false, nil
		}
		// id is an alias: lock the profile's own id instead.
		release()
		id = prof.ID()
	}
	return nil, nil, false, fmt.Errorf("profile %q: its id keeps changing while loading", id)
}

func (t *Tracker) loadProfile(ctx context.Context, id string) (plugin.Profile, error) {
	if t.cache != nil {
		if p := t.cache.profile(id); p != nil {
			return p, nil
		}
	}
	d, err := t.st.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	p := plugin.Profile(d)
	if t.cache != nil {
		t.cache.putProfile(p, true)
	}
	return p, nil
}

// loadSession loads the session, or creates it: with the id the tracker
// sent (a browser makes its own session ids) or a new one. Without an id,
// a known profile's open session is taken (see openSession).
func (t *Tracker) loadSession(ctx context.Context, cache *docCache, id string, profile plugin.Profile, newProfile bool, now time.Time) (plugin.Session, bool, error) {
	profileID := ""
	if profile != nil {
		profileID = profile.ID()
	}
	if id == "" && profile != nil && !newProfile {
		if open := t.openSession(profile, now); open != "" {
			s, err := t.findSession(ctx, cache, open, profileID)
			if err == nil {
				return s, false, nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return nil, false, err
			}
		}
	}
	if id != "" {
		s, err := t.findSession(ctx, cache, id, profileID)
		if err == nil {
			return s, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
	} else {
		id = domain.NewID()
	}
	return domain.NewSession(id, profileID, now), true, nil
}

// findSession reads a stored session (ErrNotFound when there is none).
func (t *Tracker) findSession(ctx context.Context, cache *docCache, id, profileID string) (plugin.Session, error) {
	if cache != nil {
		if s := cache.session(id); s != nil {
			return s, nil
		}
	}
	d, err := t.st.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	s := plugin.Session(d)
	if profileID != "" && domain.Str(d, "profile", "id") != profileID {
		// The session moved to another profile (a merge, or a tracker
		// that lost its profile id): follow the profile.
		s["profile"] = map[string]any{"id": profileID}
	}
	return s, nil
}

func (t *Tracker) buildEvent(p *Payload, in *EventIn, src map[string]any, profile plugin.Profile, session plugin.Session, headers map[string]any, now time.Time) plugin.Event {
	// Sized for the 14 keys an event of the tracker ends with at most
	// before its device's enrichment (those below and PrepareEvent's), so
	// that it is not grown and copied on the way.
	ev := make(plugin.Event, 14)
	ev["type"] = in.Type
	ev["source"] = map[string]any{"id": p.SourceID}
	ev["properties"] = orEmpty(in.Properties)
	ev["context"] = mergeContext(p.Context, in.Context, len(p.Events) > 1)
	ev["tags"] = orList(in.Tags)
	ev["options"] = orEmpty(in.Options)
	if in.ID != "" {
		ev["id"] = in.ID
	}
	if profile != nil {
		ev["profile"] = map[string]any{"id": profile.ID()}
	} else {
		ev["profile"] = nil
	}
	ev["session"] = map[string]any{
		"id":       session.ID(),
		"start":    domain.Str(session, "metadata", "time", "insert"),
		"duration": 0.0,
		"tz":       domain.Str(session, "context", "time", "tz"),
	}
	req := map[string]any{}
	for k, v := range p.Request {
		req[k] = v
	}
	if headers != nil {
		req["headers"] = headers
	}
	ev["request"] = req
	if p.Device != nil {
		ev["device"] = p.Device
	}
	md := map[string]any{
		"time":         map[string]any{"insert": domain.Timestamp(now)},
		"status":       "collected",
		"channel":      src["channel"],
		"processed_by": map[string]any{"rules": []any{}, "flows": []any{}},
		"profile_less": profile == nil,
		"debug":        p.Debug,
		"valid":        true,
		"error":        false,
		"warning":      false,
	}
	if c, ok := in.Time["create"]; ok {
		md["time"].(map[string]any)["create"] = c
	}
	ev["metadata"] = md
	enrichEvent(ev, session)
	return domain.PrepareEvent(ev, now)
}

// mergeContext gives an event the request's context overlaid with its own.
// The request's context is copied when several events share it, so that a
// flow changing one event's context does not change the others'.
func mergeContext(a, b map[string]any, shared bool) map[string]any {
	if len(a) == 0 && len(b) == 0 {
		return map[string]any{}
	}
	if len(b) == 0 && !shared {
		return a
	}
	out := map[string]any{}
	if a != nil {
		out = notation.DeepCopy(a).(map[string]any)
	}
	if b != nil {
		notation.Merge(out, notation.DeepCopy(b).(map[string]any))
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

type runOutcome struct {
	profileUpdated, sessionUpdated bool
	waits                          []Waiting // flows that go on later
}

// runRules runs, for one event, every flow its rules select, one after
// another; each flow sees the profile as the previous one left it.
func (t *Tracker) runRules(ctx context.Context, snap *catalog.Snapshot, cache *docCache, p *Payload, ev plugin.Event, profile *plugin.Profile, session *plugin.Session, res *Result) runOutcome {
	if no, ok := t.Observe.(workflow.NodeObserver); ok {
		ctx = workflow.WithNodeObserver(ctx, no) // per-plugin run times
	}
	var out runOutcome
	md := ev["metadata"].(map[string]any)
	rules := snap.Rules(p.SourceID, ev.Type())
	status := "processed"
	var ruleIDs, flowIDs []any
	var errs []any
	var ux []plugin.UX = res.UX
	nodeRuns := 0 // of all the flows of the event, bounded together
	for _, r := range rules {
		ruleIDs = append(ruleIDs, r.ID)
		f, ok := snap.Flows[r.FlowID]
		if !ok {
			msg := fmt.Sprintf("rule %q: flow %q has no production version", r.Name, r.FlowID)
			if e, bad := snap.FlowErrors[r.FlowID]; bad {
				msg = fmt.Sprintf("rule %q: flow %q does not compile: %v", r.Name, r.FlowID, e)
				status = "error"
				errs = append(errs, msg)
				res.Errors = append(res.Errors, msg)
			} else {
				res.Warnings = append(res.Warnings, msg)
			}
			continue
		}
		flowIDs = append(flowIDs, r.FlowID)
		start := time.Now()
		// A tracker's "debug" flag is recorded on the event, but the public
		// collector never runs debug-only nodes nor hands out debug info:
		// that is what the editor's debugger (POST /flow/debug) is for.
		o := f.Run(ctx, workflow.Input{Event: ev, Profile: *profile, Session: *session, UX: ux, Resources: t.res, Data: dataFor(ctx, t.data),
			Limits: t.lim, NodeRunsBefore: nodeRuns, Delays: t.waits != nil,
			StoredProfile: cache.stored(kindProfile, *profile), StoredSession: cache.stored(kindSession, *session)})
		nodeRuns = o.NodeRuns
		out.waits = append(out.waits, waitsOf(r.FlowID, ev, o)...)
		if t.Observe != nil {
			t.Observe.FlowRun(r.FlowID, time.Since(start), len(o.Errors) > 0)
		}
		ux = o.UX
		*profile, *session = o.Profile, o.Session
		if o.ProfileUpdated {
			out.profileUpdated = true
		}
		if o.SessionUpdated {
			out.sessionUpdated = true
		}
		notation.Merge(res.Response, o.Response)
		for _, e := range o.Errors {
			msg := fmt.Sprintf("flow %q", f.Name)
			if e.NodeID != "" {
				msg += fmt.Sprintf(" node %q", e.NodeID)
			}
			msg += ": " + e.Message
			res.Errors = append(res.Errors, msg)
			errs = append(errs, msg)
			status = "error"
		}
		for _, l := range o.Logs {
			if l.Level == "warning" {
				res.Warnings = append(res.Warnings, fmt.Sprintf("flow %q node %q: %s", f.Name, l.NodeID, l.Message))
				md["warning"] = true
			}
		}
	}
	res.UX = ux
	pb := md["processed_by"].(map[string]any)
	if ruleIDs != nil {
		pb["rules"] = ruleIDs
	}
	if flowIDs != nil {
		pb["flows"] = flowIDs
	}
	if len(errs) > 0 {
		md["error"] = true
		md["errors"] = errs
	}
	md["status"] = status
	if t.Observe != nil {
		t.Observe.EventProcessed(status)
	}
	return out
}
