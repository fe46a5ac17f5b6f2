package segments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// JobKind is the background job that re-evaluates every segment over every
// stored profile. Enqueue it (or schedule it) with Refresher.Request.
const JobKind = "segments-refresh"

// ProgressKind and ProgressID name the configuration document that holds
// the progress of the latest re-evaluation (see Progress).
const (
	ProgressKind = "segments-refresh"
	ProgressID   = "progress"
)

// DefaultPageSize is how many profiles a re-evaluation reads at a time.
const DefaultPageSize = 500

// ErrRunning is a re-evaluation asked for while one is running.
var ErrRunning = errors.New("a re-evaluation of the segments is running already")

// Progress is the state of the latest re-evaluation.
type Progress struct {
	Run      string `json:"run"`
	State    string `json:"state"` // running, done, failed
	Total    int    `json:"total"` // profiles stored when the run started
	Done     int    `json:"done"`  // profiles evaluated
	Changed  int    `json:"changed"`
	Started  string `json:"started"`
	Updated  string `json:"updated"`
	Finished string `json:"finished,omitempty"`
	Error    string `json:"error,omitempty"`
}

// args are a job's arguments: a run goes on, one job after another, from
// the id after which the previous one stopped.
type args struct {
	Run     string `json:"run"`
	After   string `json:"after"`
	Done    int    `json:"done"`
	Changed int    `json:"changed"`
	Total   int    `json:"total"`
	Started string `json:"started"`
}

// Refresher re-evaluates every segment over every stored profile, a page at
// a time (by id, keyset paging), so that its memory does not grow with the
// number of profiles. Each job works for at most Budget, then enqueues the
// next one from where it stopped: a run outlives no job timeout, and a run
// cut off by a crash goes on from its last page when River retries the job.
type Refresher struct {
	st     store.Store
	forget func(profileID string)
	log    *slog.Logger
	q      *jobs.Queue
	// PageSize is how many profiles one read takes (DefaultPageSize when 0).
	PageSize int
	// Budget bounds the work of one job (one minute when 0).
	Budget time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Catalog gives the deployed segmentation workflows of segments that
	// name one (nil: those workflows are not run).
	Catalog *catalog.Catalog
	// Data is what the workflows' plugins read of stored records.
	Data plugin.Data
}

// NewRefresher returns the re-evaluation over st. forget (may be nil) is
// told about every profile it changes, so that a cache drops it.
func NewRefresher(st store.Store, forget func(string), log *slog.Logger) *Refresher {
	if log == nil {
		log = slog.Default()
	}
	return &Refresher{st: st, forget: forget, log: log}
}

// Kind is the job kind to register with the queue.
func (r *Refresher) Kind() jobs.Kind {
	return jobs.Kind{Name: JobKind, MaxAttempts: 5, Timeout: 5 * time.Minute, Handle: r.handle}
}

// Init gives the refresher the queue it enqueues its next jobs into.
func (r *Refresher) Init(q *jobs.Queue) { r.q = q }

func (r *Refresher) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Start enqueues a new run, unless one is running (ErrRunning): one whose
// progress was updated within the last ten minutes.
func (r *Refresher) Start(ctx context.Context) (Progress, error) {
	if r.q == nil {
		return Progress{}, errors.New("segments re-evaluation: no job queue")
	}
	if p, err := ReadProgress(ctx, r.st); err == nil && p.State == "running" {
		if at, ok := parseTime(p.Updated); ok && r.now().Sub(at) < 10*time.Minute {
			return p, ErrRunning
		}
	}
	now := domain.Timestamp(r.now())
	a := args{Run: domain.NewID(), Started: now}
	p := Progress{Run: a.Run, State: "running", Started: now, Updated: now}
	if err := r.save(ctx, p); err != nil {
		return p, err
	}
	if _, _, err := r.q.Enqueue(ctx, request(a)); err != nil {
		return p, err
	}
	return p, nil
}

// request is the job request of a run's next step.
func request(a args) jobs.Request {
	return jobs.Request{Kind: JobKind, Args: a, Key: a.Run + ":" + a.After}
}

// ScheduledArgs are the arguments of a job enqueued by a schedule: a new run.
func ScheduledArgs() any { return map[string]any{} }

func (r *Refresher) handle(ctx context.Context, j *jobs.Job) error {
	var a args
	if len(j.Args) > 0 {
		if err := json.Unmarshal(j.Args, &a); err != nil {
			return jobs.Cancel(fmt.Errorf("segments re-evaluation: bad arguments: %w", err))
		}
	}
	if a.Run == "" { // a scheduled run starts here
		a = args{Run: domain.NewID(), Started: domain.Timestamp(r.now())}
	}
	next, finished, err := r.Step(ctx, a)
	if err != nil {
		p := r.progress(a, "running")
		p.Error = err.Error()
		if j.Attempt >= j.MaxAttempts && j.MaxAttempts > 0 {
			p.State, p.Finished = "failed", p.Updated
		}
		_ = r.save(context.WithoutCancel(ctx), p)
		return err
	}
	if finished {
		return nil
	}
	if r.q == nil {
		return errors.New("segments re-evaluation: no job queue to go on with")
	}
	_, _, err = r.q.Enqueue(ctx, request(next))
	return err
}

// Step works one job of run a: pages of profiles for at most Budget. It
// answers the arguments of the next step, or finished.
func (r *Refresher) Step(ctx context.Context, a args) (next args, finished bool, err error) {
	budget := r.Budget
	if budget <= 0 {
		budget = time.Minute
	}
	size := r.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	deadline := time.Now().Add(budget)
	lastSave := time.Now()
	cache := NewCache(r.st)
	for {
		set, err := cache.Set(ctx, -1)
		if err != nil {
			return a, false, err
		}
		page, err := r.st.Select(ctx, &store.Query{Kind: store.KindProfile, Sort: []store.Sort{{Field: []string{"id"}}}, Limit: size, After: a.After})
		if err != nil {
			return a, false, err
		}
		if a.Total == 0 && a.After == "" {
			a.Total = page.Total
		}
		flows := r.flows(set)
		for _, d := range page.Docs {
			a.After = domain.Str(d, "id")
			a.Done++
			if len(flows) == 0 && set.Apply(d, "", r.now()).Empty() {
				continue
			}
			changed, err := r.update(ctx, set, flows, a.After)
			if err != nil {
				return a, false, err
			}
			if changed {
				a.Changed++
			}
		}
		if len(page.Docs) < size {
			p := r.progress(a, "done")
			p.Finished = p.Updated
			r.log.Info("segments re-evaluated", "profiles", a.Done, "changed", a.Changed)
			return a, true, r.save(ctx, p)
		}
		if time.Since(lastSave) > 2*time.Second {
			if err := r.save(ctx, r.progress(a, "running")); err != nil {
				return a, false, err
			}
			lastSave = time.Now()
		}
		if time.Now().After(deadline) {
			return a, false, r.save(ctx, r.progress(a, "running"))
		}
	}
}

// flows answers the compiled segmentation workflows of the set's segments.
func (r *Refresher) flows(set *Set) []*workflow.Compiled {
	ids := set.Workflows("")
	if len(ids) == 0 || r.Catalog == nil {
		return nil
	}
	snap := r.Catalog.Snapshot()
	var out []*workflow.Compiled
	for _, id := range ids {
		if f, ok := snap.Flows[id]; ok {
			out = append(out, f)
		} else {
			r.log.Warn("segmentation workflow has no production version", "flow", id)
		}
	}
	return out
}

// update re-evaluates one profile under its lock, from what is stored now:
// the segmentation workflows run with it (for an @segmentation event),
// then the conditions are evaluated; it is stored when it changed.
func (r *Refresher) update(ctx context.Context, set *Set, flows []*workflow.Compiled, id string) (bool, error) {
	release, err := r.st.LockProfile(ctx, id)
	if err != nil {
		return false, err
	}
	defer release()
	d, err := r.st.Profile(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if domain.Str(d, "id") != id {
		return false, nil
	}
	now := r.now()
	before := List(d)
	updated := false
	for _, f := range flows {
		ev := domain.PrepareEvent(plugin.Event{"type": "@segmentation", "profile": map[string]any{"id": id},
			"metadata": map[string]any{"time": map[string]any{"insert": domain.Timestamp(now)}, "profile_less": false}}, now)
		o := f.Run(ctx, workflow.Input{Event: ev, Profile: plugin.Profile(d), Data: r.Data})
		if o.Profile != nil && o.Profile.ID() == id {
			d, updated = store.Doc(o.Profile), updated || o.ProfileUpdated
		}
		for _, e := range o.Errors {
			r.log.Warn("segmentation workflow failed", "flow", f.Name, "profile", id, "node", e.NodeID, "err", e.Message)
		}
	}
	set.Apply(d, "", now)
	if !updated && Diff(before, List(d)).Empty() {
		return false, nil
	}
	if err := r.st.Apply(ctx, &store.ChangeSet{Profiles: []store.Doc{d}}); err != nil {
		return false, err
	}
	if r.forget != nil {
		r.forget(id)
	}
	return true, nil
}

func (r *Refresher) progress(a args, state string) Progress {
	return Progress{Run: a.Run, State: state, Total: max(a.Total, a.Done), Done: a.Done, Changed: a.Changed, Started: a.Started,
		Updated: domain.Timestamp(r.now())}
}

func (r *Refresher) save(ctx context.Context, p Progress) error {
	b, _ := json.Marshal(p)
	var d store.Doc
	_ = json.Unmarshal(b, &d)
	d["id"] = ProgressID
	return r.st.PutConfig(ctx, ProgressKind, ProgressID, d)
}

// ReadProgress reads the progress of the latest run (store.ErrNotFound
// when none ever ran).
func ReadProgress(ctx context.Context, st store.Store) (Progress, error) {
	d, err := st.GetConfig(ctx, ProgressKind, ProgressID)
	if err != nil {
		return Progress{}, err
	}
	var p Progress
	b, _ := json.Marshal(d)
	err = json.Unmarshal(b, &p)
	return p, err
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// RunAll runs a whole re-evaluation in this goroutine, without the job
// queue (for tests and tools), and answers its final progress.
func (r *Refresher) RunAll(ctx context.Context) (Progress, error) {
	_, p, err := r.RunSteps(ctx)
	return p, err
}

// RunSteps is RunAll that also counts the steps (jobs) the run took.
func (r *Refresher) RunSteps(ctx context.Context) (int, Progress, error) {
	a := args{Run: domain.NewID(), Started: domain.Timestamp(r.now())}
	for steps := 1; ; steps++ {
		next, finished, err := r.Step(ctx, a)
		if err != nil {
			return steps, r.progress(next, "failed"), err
		}
		if finished {
			p, err := ReadProgress(ctx, r.st)
			return steps, p, err
		}
		a = next
	}
}
