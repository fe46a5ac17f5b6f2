package tracking

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/eventmap"
	"github.com/tracflow/tracflow/internal/identity"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// This file holds the collector's identity steps: event→profile mapping
// before the rules run, the source's unknown-profile setting, the locking
// of profiles that flows load, and the merging of the profiles of one
// person after the request's changes are committed.

// mergeAttempts bounds how often a merge starts again when the profiles
// it locked changed between its look-up and its locks.
const mergeAttempts = 8

// movePage is how many events or sessions a merge re-points per write (a
// variable for tests).
var movePage = 500

// otherLockWait bounds the wait for the lock of a profile a flow loads
// when that lock comes before the request's own in lock order (waiting
// longer could deadlock with a request holding it and waiting for ours).
const otherLockWait = 2 * time.Second

// EventProfileMerged is the type of the system event stored when profiles
// are merged.
const EventProfileMerged = "profile-merged"

// prepareIdentity readies the request for the identity steps: its flows
// read stored records through requestData, and an unknown profile id is
// replaced when the source says so.
func (r *request) prepareIdentity() error {
	r.ctx = context.WithValue(r.ctx, requestDataKey{}, requestData{r: r})
	return r.replaceUnknownProfile()
}

// replaceUnknownProfile gives a profile the server does not know a new id
// when the request's source says so ("unknown_profile": "replace").
func (r *request) replaceUnknownProfile() error {
	if r.profile == nil || !r.newProfile || r.p.ProfileID == "" {
		return nil
	}
	if s, _ := r.src["unknown_profile"].(string); s != catalog.UnknownProfileReplace {
		return nil
	}
	id := domain.NewID()
	release, err := r.t.st.LockProfile(r.ctx, id)
	if err != nil {
		return fmt.Errorf("locking profile %q: %w", id, err)
	}
	r.close()
	r.releases = append(r.releases, release)
	r.profile["id"] = id
	r.res.ProfileID = id
	return nil
}

// mapEvent copies the event's properties into the profile before the rules
// run: first what the built-in event type copies, then the user's mappings
// for the type, then the identification points the event matches, whose
// profile fields become merge keys of the request.
func (r *request) mapEvent(ev plugin.Event) {
	if r.profile == nil {
		return
	}
	typ := ev.Type()
	changed := false
	if bt, ok := eventmap.BuiltIn[typ]; ok && eventmap.Apply(ev, r.profile, bt.Copies) {
		changed = true
	}
	if id := r.snap.Identity; id != nil {
		for _, m := range id.Mappings[typ] {
			if eventmap.Apply(ev, r.profile, m.Copies) {
				changed = true
			}
		}
		for _, pt := range id.PointsFor(r.p.SourceID, typ) {
			if !pt.Matches(ev) {
				continue
			}
			if eventmap.Apply(ev, r.profile, pt.Fields) {
				changed = true
			}
			r.mergeKeys = append(r.mergeKeys, pt.Key())
		}
	}
	if changed {
		r.profileChanged = true
	}
}

// requestData is the stored-records access of a request's flows: a
// profile a flow loads by field (Load profile by field) is locked for the
// rest of the request and read again under its lock, so that the flow's
// changes to it can be saved.
type requestData struct {
	plugin.Data
	r *request
}

type requestDataKey struct{}

// The capabilities of the run's Data that plugins find by type assertion
// pass through requestData.
var (
	_ plugin.Searcher       = requestData{}
	_ plugin.SharedMemory   = requestData{}
	_ plugin.EventScheduler = requestData{}
)

// Search searches as the run's Data does.
func (d requestData) Search(ctx context.Context, q plugin.RecordQuery) ([]map[string]any, int, error) {
	s, ok := d.Data.(plugin.Searcher)
	if !ok {
		return nil, 0, errors.New("this run's storage cannot search records")
	}
	return s.Search(ctx, q)
}

// Remember stores in the run's shared memory.
func (d requestData) Remember(ctx context.Context, key string, value any, ttl time.Duration) error {
	m, ok := d.Data.(plugin.SharedMemory)
	if !ok {
		return plugin.ErrNoSharedMemory
	}
	return m.Remember(ctx, key, value, ttl)
}

// Recall reads the run's shared memory.
func (d requestData) Recall(ctx context.Context, key string) (any, bool, error) {
	m, ok := d.Data.(plugin.SharedMemory)
	if !ok {
		return nil, false, plugin.ErrNoSharedMemory
	}
	return m.Recall(ctx, key)
}

// ScheduleEvent schedules as the run's Data does.
func (d requestData) ScheduleEvent(ctx context.Context, e plugin.ScheduledEvent) (string, error) {
	s, ok := d.Data.(plugin.EventScheduler)
	if !ok {
		return "", errors.New("events can be scheduled only where the server runs its background jobs")
	}
	return s.ScheduleEvent(ctx, e)
}

func dataFor(ctx context.Context, d plugin.Data) plugin.Data {
	if rd, ok := ctx.Value(requestDataKey{}).(requestData); ok && d != nil {
		rd.Data = d
		return rd
	}
	return d
}

// ProfilesByField answers as the store does; a single profile found that
// is not the request's own is locked and read again.
func (d requestData) ProfilesByField(ctx context.Context, field string, value any, limit int) ([]plugin.Profile, int, error) {
	found, total, err := d.Data.ProfilesByField(ctx, field, value, limit)
	if err != nil || total != 1 || len(found) != 1 || d.r.locked == nil {
		return found, total, err
	}
	id := found[0].ID()
	if id == "" || id == d.r.locked.ID() {
		return found, total, nil
	}
	if p, ok := d.r.loaded[id]; ok {
		return []plugin.Profile{p}, 1, nil
	}
	p, err := d.r.lockOther(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	return []plugin.Profile{p}, 1, nil
}

// lockOther takes the lock of another stored profile and reads it. When
// its id comes before the request's own in lock order, the wait is
// bounded (otherLockWait): a request holding it may be waiting for ours.
func (r *request) lockOther(ctx context.Context, id string) (plugin.Profile, error) {
	lctx := ctx
	if id < r.locked.ID() {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(ctx, otherLockWait)
		defer cancel()
	}
	release, err := r.t.st.LockProfile(lctx, id)
	if err != nil {
		return nil, fmt.Errorf("profile %q is being changed by another request (its lock: %w)", id, err)
	}
	d, err := r.t.st.Profile(ctx, id)
	if err != nil || domain.Str(d, "id") != id {
		release()
		if err == nil {
			err = fmt.Errorf("profile %q was merged into %q meanwhile", id, domain.Str(d, "id"))
		}
		return nil, err
	}
	r.releases = append(r.releases, release)
	if r.loaded == nil {
		r.loaded = map[string]plugin.Profile{}
	}
	p := plugin.Profile(d)
	r.loaded[id] = p
	r.t.cache.forgetProfile(id)
	return p, nil
}

// lockedLoaded reports whether the run's final profile is one the request
// locked after a flow loaded it: then it is saved with the request's own.
func (r *request) lockedLoaded() bool {
	if r.profile == nil || r.locked == nil || r.profile.ID() == r.locked.ID() {
		return false
	}
	_, ok := r.loaded[r.profile.ID()]
	return ok
}

// mergeIdentities runs after the commit: when the request's profile holds
// a merge key (a hashed contact id such as "emm-...", or a key of an
// identification point or of the merge_profiles plugin) that its ids do
// not, the profile claims it, and the profiles holding it already are
// merged into one (see identity.Merge). The request's locks are released
// first: the merge locks every profile involved in id order.
//
// The request's changes are stored already: a merge that fails is
// reported in the answer's errors (and logged), and the next request that
// brings the key merges again.
func (r *request) mergeIdentities() {
	if r.profile == nil || !r.save.profile {
		return
	}
	keys := append(r.mergeKeys, identity.MergeKeys(r.profile)...)
	if len(identity.Missing(r.profile, identity.KeyIDs(r.profile, keys))) == 0 {
		return
	}
	// Once the locks are released the profile's document belongs to the
	// cache and to the next request: read nothing of it after close.
	pid := r.profile.ID()
	origin := &mergeOrigin{sourceID: r.p.SourceID, sessionID: r.session.ID()}
	r.close()
	survivor, merged, err := r.t.claimKeys(r.ctx, pid, keys, origin)
	if err != nil {
		msg := fmt.Sprintf("merging profile %q: %v", pid, err)
		r.t.log.Error("profile merge failed", "profile", pid, "err", err)
		r.res.Errors = append(r.res.Errors, msg)
		return
	}
	if len(merged) > 0 && r.res.ProfileID != "" {
		r.res.ProfileID = survivor
	}
}

// claimKeys gives profile pid the merge-key ids of keys, merging it with
// the profiles that hold them. It answers the survivor's id and the ids
// merged into it.
// mergeOrigin is where a merge comes from: the request's source and
// session, for the profile-merged event (nil: no event).
type mergeOrigin struct{ sourceID, sessionID string }

func (t *Tracker) claimKeys(ctx context.Context, pid string, keys [][]string, r *mergeOrigin) (string, []string, error) {
	for range mergeAttempts {
		survivor, merged, retry, err := t.claimOnce(ctx, pid, keys, r)
		if err != nil || !retry {
			return survivor, merged, err
		}
		pid = survivor
	}
	return "", nil, fmt.Errorf("its merge keys kept changing hands after %d attempts", mergeAttempts)
}

func (t *Tracker) claimOnce(ctx context.Context, pid string, keys [][]string, r *mergeOrigin) (survivor string, merged []string, retry bool, err error) {
	p, err := t.st.Profile(ctx, pid)
	if err != nil {
		return "", nil, false, err
	}
	pid = domain.Str(p, "id")
	missing := identity.Missing(p, identity.KeyIDs(p, keys))
	if len(missing) == 0 {
		return pid, nil, false, nil
	}
	holders, err := t.holders(ctx, missing, pid)
	if err != nil {
		return "", nil, false, err
	}
	ids := append([]string{pid}, holders...)
	sort.Strings(ids)
	var releases []func()
	defer func() {
		for i := len(releases) - 1; i >= 0; i-- {
			releases[i]()
		}
	}()
	for _, id := range ids {
		rel, err := t.st.LockProfile(ctx, id)
		if err != nil {
			return "", nil, false, fmt.Errorf("locking profile %q: %w", id, err)
		}
		releases = append(releases, rel)
	}
	// Under the locks: read every profile again; any that was merged away
	// meanwhile, or a key claimed by another profile, means starting over.
	profiles := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		d, err := t.st.Profile(ctx, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && domain.Str(d, "id") != id {
			return pid, nil, true, nil
		}
		if err != nil {
			return "", nil, false, err
		}
		profiles = append(profiles, d)
	}
	now, err := t.holders(ctx, missing, pid)
	if err != nil {
		return "", nil, false, err
	}
	if !sameSet(now, holders) {
		return pid, nil, true, nil
	}
	for _, id := range ids {
		t.cache.forgetProfile(id)
	}
	if len(holders) == 0 {
		// Nobody holds the keys: claim them.
		p = profiles[0]
		p["ids"] = appendIDs(p["ids"], missing)
		clearMergeKeys(p)
		err := t.st.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{p}})
		if errors.Is(err, store.ErrConflict) {
			return pid, nil, true, nil // claimed by another profile meanwhile
		}
		return pid, nil, false, err
	}
	identity.Order(profiles)
	out := identity.Merge(profiles)
	out["ids"] = appendIDs(out["ids"], missing)
	survivor = domain.Str(out, "id")
	for _, d := range profiles[1:] {
		id := domain.Str(d, "id")
		merged = append(merged, id)
		if err := t.repoint(ctx, id, survivor); err != nil {
			return "", nil, false, err
		}
	}
	cs := &store.ChangeSet{DeleteProfiles: merged, Profiles: []store.Doc{out}}
	if ev := t.profileMergedEvent(r, survivor, merged); ev != nil {
		cs.NewEvents = []store.Doc{ev}
	}
	if err := t.st.Apply(ctx, cs); err != nil {
		return "", nil, false, fmt.Errorf("storing the merged profile: %w", err)
	}
	for _, id := range merged {
		t.cache.forgetProfile(id)
	}
	t.cache.forgetProfile(survivor)
	return survivor, merged, false, nil
}

// holders answers the profiles (other than pid) that hold any of ids, in
// order, each once.
func (t *Tracker) holders(ctx context.Context, ids []string, pid string) ([]string, error) {
	seen := map[string]bool{pid: true}
	var out []string
	for _, id := range ids {
		d, err := t.st.Profile(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if h := domain.Str(d, "id"); !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out, nil
}

// repoint moves the events and sessions of profile from to profile to, a
// page at a time (memory stays bounded whatever the history's length).
// Each page is one write: a crash half-way leaves some records on the
// survivor already and the rest on the merged-away profile, which the next
// merge of the two moves on; nothing is lost.
func (t *Tracker) repoint(ctx context.Context, from, to string) error {
	for _, kind := range []string{store.KindEvent, store.KindSession} {
		pages := -1 // how many pages may be left; set from the first count
		for {
			var docs []store.Doc
			var total int
			var err error
			if kind == store.KindEvent {
				docs, total, err = t.st.ProfileEvents(ctx, from, movePage, 0)
			} else {
				docs, total, err = t.st.ProfileSessions(ctx, from, movePage, 0)
			}
			if err != nil {
				return fmt.Errorf("reading the %ss of profile %q: %w", kind, from, err)
			}
			if len(docs) == 0 {
				break
			}
			if pages < 0 {
				pages = total/movePage + 2
			}
			if pages--; pages == 0 {
				return fmt.Errorf("moving the %ss of profile %q to %q: they do not move", kind, from, to)
			}
			for _, d := range docs {
				d["profile"] = map[string]any{"id": to}
			}
			cs := &store.ChangeSet{}
			if kind == store.KindEvent {
				cs.Events = docs
			} else {
				cs.Sessions = docs
			}
			if err := t.st.Apply(ctx, cs); err != nil {
				return fmt.Errorf("moving the %ss of profile %q to %q: %w", kind, from, to, err)
			}
		}
	}
	return nil
}

// profileMergedEvent builds the profile-merged system event of a merge
// that came from r: properties {merged: [ids], survivor}.
func (t *Tracker) profileMergedEvent(r *mergeOrigin, survivor string, merged []string) store.Doc {
	if r == nil {
		return nil
	}
	l := make([]any, len(merged))
	for i, id := range merged {
		l[i] = id
	}
	ev := plugin.Event{
		"type":       EventProfileMerged,
		"source":     map[string]any{"id": r.sourceID},
		"profile":    map[string]any{"id": survivor},
		"session":    map[string]any{"id": r.sessionID},
		"properties": map[string]any{"survivor": survivor, "merged": l},
		"options":    map[string]any{"source_id": InternalSource},
		"metadata": map[string]any{"status": "processed", "profile_less": false, "system": true,
			"time": map[string]any{"insert": domain.Timestamp(t.now())}},
	}
	return map[string]any(domain.PrepareEvent(ev, t.now()))
}

func appendIDs(v any, add []string) []any {
	l, _ := v.([]any)
	have := map[string]bool{}
	for _, x := range l {
		if s, ok := x.(string); ok {
			have[s] = true
		}
	}
	for _, s := range add {
		if !have[s] {
			have[s] = true
			l = append(l, s)
		}
	}
	if l == nil {
		l = []any{}
	}
	return l
}

func clearMergeKeys(p map[string]any) {
	if op, ok := p["operation"].(map[string]any); ok {
		op["merge"] = []any{}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
