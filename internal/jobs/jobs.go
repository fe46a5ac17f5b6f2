// Package jobs is Tracflow's durable background work: a job queue kept in
// the database the server already uses, run by River (riverqueue/river) with
// its PostgreSQL driver or its SQLite driver.
//
// The rest of the server sees a small surface: register kinds with a
// handler, enqueue a kind with JSON arguments (optionally unique by a key,
// optionally at a time), list, retry and cancel jobs, and start and stop the
// workers with the server. Retries back off exponentially (River's policy);
// a job that fails MaxAttempts times is discarded (the dead state). Over
// PostgreSQL several processes share the queue: each job is worked by one
// of them, and periodic jobs are enqueued by the elected leader only.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/tracflow/tracflow/internal/store/groupcommit"
)

// Job states, as River names them.
const (
	StateAvailable = "available"
	StateScheduled = "scheduled"
	StateRunning   = "running"
	StateRetryable = "retryable"
	StateCompleted = "completed"
	StateCancelled = "cancelled"
	StateDiscarded = "discarded" // dead: out of attempts
	StatePending   = "pending"
)

// DefaultQueue is the queue of the kinds that do not name one.
const DefaultQueue = river.QueueDefault

// States lists every state, in the order a job goes through them.
var States = []string{StatePending, StateScheduled, StateAvailable, StateRunning, StateRetryable, StateCompleted, StateCancelled, StateDiscarded}

// ErrNotFound is a job id that does not exist.
var ErrNotFound = errors.New("job not found")

// ErrUnknownKind is a kind no handler was registered for.
var ErrUnknownKind = errors.New("unknown job kind")

// Job is one job as a handler or a listing sees it.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	Key         string          `json:"key,omitempty"` // the unique key it was enqueued with
	Args        json.RawMessage `json:"args"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	Errors      []AttemptError  `json:"errors"`
	CreatedAt   time.Time       `json:"created_at"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	AttemptedAt *time.Time      `json:"attempted_at,omitempty"`
	FinalizedAt *time.Time      `json:"finalized_at,omitempty"`
}

// AttemptError is the error of one failed attempt.
type AttemptError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Error   string    `json:"error"`
}

// Handler works one job. An error makes River try again later (or discard
// the job after its last attempt); Cancel(err) gives up at once.
type Handler func(ctx context.Context, j *Job) error

// Cancel wraps err so that the job is not tried again.
func Cancel(err error) error { return river.JobCancel(err) }

// Snooze makes the job run again after d without counting an attempt: for
// a job that finds its moment has not come yet.
func Snooze(d time.Duration) error { return river.JobSnooze(d) }

// Kind registers a kind of job.
type Kind struct {
	Name   string
	Handle Handler
	// MaxAttempts is the default number of tries before the job is
	// discarded (0: River's default, 25). Enqueue may override it per job.
	MaxAttempts int
	// Timeout bounds one attempt (0: one minute).
	Timeout time.Duration
	// Queue is the queue its jobs wait in ("": the default queue). A
	// process works the queues Options.Queues names; a kind with a queue of
	// its own can thus be worked by another process (see Options.Queues).
	Queue string
}

// Periodic enqueues a job of a kind at a fixed interval. Over PostgreSQL
// only the leader of the processes does it, so it runs once in all.
type Periodic struct {
	Kind  string
	Every time.Duration
	// Args makes the job's arguments (nil: an empty object).
	Args func() any
	// RunOnStart also enqueues one when a process becomes the leader
	// (after a restart, say), not only an interval later.
	RunOnStart bool
}

// Options configure a Queue.
type Options struct {
	Kinds    []Kind
	Periodic []Periodic
	// Workers is how many jobs run at once in this process (default 8).
	Workers int
	Log     *slog.Logger
	// PollInterval is how often the queue is polled for new jobs where no
	// notification tells (SQLite; default 200ms).
	PollInterval time.Duration
	// ID names this process among those sharing the queue (default: River's).
	ID string
	// Backoff, when set, is the wait before retry n (n >= 1) instead of
	// River's exponential policy (about n^4 seconds, with jitter).
	Backoff func(attempt int) time.Duration
	// Queues names the queues this process works (nil: those of every
	// kind). Jobs of the others are enqueued here and worked elsewhere.
	Queues []string
	// Follower keeps this process out of the leader's election: it works
	// its queues, but never enqueues periodic jobs (Periodic must be empty)
	// nor runs the queue's maintenance (scheduled jobs and retries coming
	// due, rescue of stuck jobs, cleaning). Another process must lead.
	Follower bool
}

// DoneFunc is told about each attempt a worker of this process made (for
// metrics).
type DoneFunc func(kind string, d time.Duration, err error)

type observer struct{ f atomic.Pointer[DoneFunc] }

func (o *observer) done(kind string, d time.Duration, err error) {
	if f := o.f.Load(); f != nil {
		(*f)(kind, d, err)
	}
}

// Observe sets the function told about each attempt.
func (q *Queue) Observe(f DoneFunc) { q.obs.f.Store(&f) }

// Report tells the function Observe set about an attempt another process
// made (one working a queue of this process's kinds).
func (q *Queue) Report(kind string, d time.Duration, err error) { q.obs.done(kind, d, err) }

// Request is one job to enqueue.
type Request struct {
	Kind string
	// Args is marshalled to JSON (a json.RawMessage is taken as is).
	Args any
	// Key, when set, makes the job unique: while a job of the same kind and
	// key is waiting, running or retrying, another is not inserted.
	Key string
	// RunAt schedules the job (zero: now).
	RunAt time.Time
	// MaxAttempts overrides the kind's (0: keep it).
	MaxAttempts int
}

// client is what Queue uses of a river.Client, whatever its driver.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	InsertManyFast(ctx context.Context, params []river.InsertManyParams) (int, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Dialect says which database a Queue runs on.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota
	Postgres
)

// Queue is the job queue of one process.
type Queue struct {
	c       client
	db      *sql.DB
	dialect Dialect
	kinds   map[string]Kind
	log     *slog.Logger
	close   func()
	started bool
	obs     *observer

	withTx func(ctx context.Context, ps []river.InsertManyParams, write WriteFunc) error

	group *groupcommit.Queue[Request] // Submit's writer
}

// envelope is how a job's arguments are stored: the caller's JSON under
// "data" and the unique key, the only field River's uniqueness compares.
type envelope struct {
	kind string
	Key  string          `json:"key,omitempty" river:"unique"`
	Data json.RawMessage `json:"data"`
}

// Kind implements river.JobArgs.
func (e envelope) Kind() string { return e.kind }

func config(o Options, obs *observer) (*river.Config, map[string]Kind, error) {
	workers := river.NewWorkers()
	kinds := map[string]Kind{}
	for _, k := range o.Kinds {
		if k.Name == "" || k.Handle == nil {
			return nil, nil, fmt.Errorf("jobs: kind %q: a name and a handler are required", k.Name)
		}
		if _, dup := kinds[k.Name]; dup {
			return nil, nil, fmt.Errorf("jobs: kind %q registered twice", k.Name)
		}
		kinds[k.Name] = k
		river.AddWorkerArgs(workers, envelope{kind: k.Name}, &worker{k: k, obs: obs})
	}
	n := o.Workers
	if n <= 0 {
		n = 8
	}
	if o.Follower && len(o.Periodic) > 0 {
		return nil, nil, errors.New("jobs: a follower cannot enqueue periodic jobs")
	}
	queues := map[string]river.QueueConfig{}
	if o.Queues == nil {
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: n}
		for _, k := range kinds {
			queues[queueOf(k)] = river.QueueConfig{MaxWorkers: n}
		}
	}
	for _, name := range o.Queues {
		queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	cfg := &river.Config{
		Queues:                 queues,
		Workers:                workers,
		ID:                     o.ID,
		LeaderElectionDisabled: o.Follower,
		// A job worked by a process that died is given back after this.
		RescueStuckJobsAfter:        5 * time.Minute,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		CancelledJobRetentionPeriod: 7 * 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
	}
	if o.Backoff != nil {
		cfg.RetryPolicy = backoffPolicy(o.Backoff)
	}
	if o.PollInterval > 0 {
		cfg.FetchPollInterval = o.PollInterval
		cfg.FetchCooldown = min(o.PollInterval, 50*time.Millisecond)
	}
	if o.Log != nil {
		cfg.Logger = o.Log.With("component", "jobs")
	} else {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	for _, p := range o.Periodic {
		k, ok := kinds[p.Kind]
		if !ok {
			return nil, nil, fmt.Errorf("jobs: periodic job of %w %q", ErrUnknownKind, p.Kind)
		}
		mk := p.Args
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(p.Every),
			func() (river.JobArgs, *river.InsertOpts) {
				var a any = map[string]any{}
				if mk != nil {
					a = mk()
				}
				b, _ := json.Marshal(a)
				// Unique by kind while one is waiting: a slow run is not
				// stacked up behind.
				return envelope{kind: k.Name, Key: "periodic", Data: b}, &river.InsertOpts{UniqueOpts: uniqueOpts()}
			}, &river.PeriodicJobOpts{ID: k.Name, RunOnStart: p.RunOnStart}))
	}
	return cfg, kinds, nil
}

// queueOf answers the queue of a kind's jobs.
func queueOf(k Kind) string {
	if k.Queue == "" {
		return river.QueueDefault
	}
	return k.Queue
}

type backoffPolicy func(int) time.Duration

// NextRetry implements river.ClientRetryPolicy.
func (b backoffPolicy) NextRetry(j *rivertype.JobRow) time.Time {
	return time.Now().Add(b(max(j.Attempt, 1)))
}

// unfinished are the states of a job still to be worked: now, later, or
// again.
var unfinished = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

func uniqueOpts() river.UniqueOpts {
	return river.UniqueOpts{ByArgs: true, ByState: unfinished}
}

type worker struct {
	river.WorkerDefaults[envelope]
	k   Kind
	obs *observer
}

func (w *worker) Timeout(*river.Job[envelope]) time.Duration {
	if w.k.Timeout > 0 {
		return w.k.Timeout
	}
	return time.Minute
}

func (w *worker) Work(ctx context.Context, j *river.Job[envelope]) error {
	job := fromRow(j.JobRow)
	start := time.Now()
	err := w.k.Handle(ctx, job)
	w.obs.done(w.k.Name, time.Since(start), err)
	return err
}

func fromRow(r *rivertype.JobRow) *Job {
	j := &Job{ID: r.ID, Kind: r.Kind, State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt, AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt,
		Errors: []AttemptError{}}
	var e envelope
	if json.Unmarshal(r.EncodedArgs, &e) == nil && e.Data != nil {
		j.Args, j.Key = e.Data, e.Key
	} else {
		j.Args = r.EncodedArgs
	}
	for _, ae := range r.Errors {
		j.Errors = append(j.Errors, AttemptError{Attempt: ae.Attempt, At: ae.At, Error: ae.Error})
	}
	return j
}

// DB is the database handle the queue works through (a single connection
// on SQLite). Other packages keep their job-related tables with it.
func (q *Queue) DB() *sql.DB { return q.db }

// Dialect says which database the queue is on.
func (q *Queue) Dialect() Dialect { return q.dialect }

// Rebind turns a query written with ? placeholders into the dialect's.
func (q *Queue) Rebind(query string) string {
	if q.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (q *Queue) params(r Request) (river.JobArgs, *river.InsertOpts, error) {
	k, ok := q.kinds[r.Kind]
	if !ok {
		return nil, nil, fmt.Errorf("jobs: %w %q", ErrUnknownKind, r.Kind)
	}
	var data []byte
	switch a := r.Args.(type) {
	case json.RawMessage:
		data = a
	case nil:
		data = []byte("{}")
	default:
		var err error
		if data, err = json.Marshal(a); err != nil {
			return nil, nil, fmt.Errorf("jobs: arguments of %s: %w", r.Kind, err)
		}
	}
	opts := &river.InsertOpts{ScheduledAt: r.RunAt, MaxAttempts: k.MaxAttempts, Queue: queueOf(k)}
	if r.MaxAttempts > 0 {
		opts.MaxAttempts = r.MaxAttempts
	}
	if r.Key != "" {
		opts.UniqueOpts = uniqueOpts()
	}
	return envelope{kind: r.Kind, Key: r.Key, Data: data}, opts, nil
}

// Enqueue inserts one job and answers its id; dup says a unique job with
// the same kind and key was already waiting (its id is answered).
func (q *Queue) Enqueue(ctx context.Context, r Request) (id int64, dup bool, err error) {
	args, opts, err := q.params(r)
	if err != nil {
		return 0, false, err
	}
	res, err := q.c.Insert(ctx, args, opts)
	if err != nil {
		return 0, false, fmt.Errorf("jobs: enqueue %s: %w", r.Kind, err)
	}
	return res.Job.ID, res.UniqueSkippedAsDuplicate, nil
}

// insertParams turns requests into River's insert parameters; unique says
// whether any of them has a unique key.
func (q *Queue) insertParams(rs []Request) (ps []river.InsertManyParams, unique bool, err error) {
	ps = make([]river.InsertManyParams, 0, len(rs))
	for _, r := range rs {
		args, opts, err := q.params(r)
		if err != nil {
			return nil, false, err
		}
		unique = unique || r.Key != ""
		ps = append(ps, river.InsertManyParams{Args: args, InsertOpts: opts})
	}
	return ps, unique, nil
}

// EnqueueMany inserts jobs in one transaction.
func (q *Queue) EnqueueMany(ctx context.Context, rs []Request) error {
	if len(rs) == 0 {
		return nil
	}
	ps, unique, err := q.insertParams(rs)
	if err != nil {
		return err
	}
	// Without unique keys there is nothing to learn from the inserted
	// rows: the insert that does not read them back costs about half
	// (on SQLite, the arguments are not converted back from JSONB).
	if unique {
		_, err = q.c.InsertMany(ctx, ps)
	} else {
		_, err = q.c.InsertManyFast(ctx, ps)
	}
	if err != nil {
		return fmt.Errorf("jobs: enqueue %d jobs: %w", len(rs), err)
	}
	return nil
}

// EnqueueWith runs write, which writes rows of the caller's tables in the
// queue's database, and inserts rs, in one transaction: both are stored or
// neither is. The jobs carry no unique keys (Request.Key must be empty):
// such an insert is the cheapest River has.
func (q *Queue) EnqueueWith(ctx context.Context, rs []Request, write WriteFunc) error {
	ps, unique, err := q.insertParams(rs)
	if err != nil {
		return err
	}
	if unique {
		return errors.New("jobs: EnqueueWith takes no unique keys")
	}
	if err := q.withTx(ctx, ps, write); err != nil {
		return fmt.Errorf("jobs: enqueue %d jobs: %w", len(rs), err)
	}
	return nil
}

// Submit enqueues r durably, like Enqueue, in a transaction shared with
// the other submissions waiting at the same time (a group commit), so
// that many request handlers enqueueing at once cost one commit. It is for
// callers on the request path; a failed group is retried one job at a
// time, so a bad request fails only its own caller.
func (q *Queue) Submit(ctx context.Context, r Request) error {
	return q.group.Do(ctx, r)
}

// startGroup starts Submit's writer; the constructors call it once the
// queue can insert.
func (q *Queue) startGroup() { q.group = groupcommit.New(q.EnqueueMany, 256, 4096) }

// Start starts working jobs (and, on the leader, periodic jobs).
func (q *Queue) Start(ctx context.Context) error {
	if err := q.c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.started = true
	return nil
}

// Close stops taking jobs, waits (until ctx ends) for the running ones to
// finish, and closes the database handle. A job cut off by ctx is tried
// again later, by this process after a restart or by another.
func (q *Queue) Close(ctx context.Context) error {
	var err error
	q.group.Close() // what was submitted is stored; later submissions fail
	if q.started {
		if err = q.c.Stop(ctx); err != nil {
			err = fmt.Errorf("jobs: stop: %w", err)
		}
	}
	if q.close != nil {
		q.close()
	}
	return err
}

// Get answers one job.
func (q *Queue) Get(ctx context.Context, id int64) (*Job, error) {
	r, err := q.c.JobGet(ctx, id)
	return q.row(r, err, id)
}

// Retry makes a job available to run at once, whatever its state (a
// discarded or cancelled job too); a running job is left alone.
//
// A job whose handler has just returned may still be marked running for a
// moment (River records completions in batches): Retry waits for the mark,
// up to a few seconds, then answers the job as it is.
func (q *Queue) Retry(ctx context.Context, id int64) (*Job, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := q.c.JobRetry(ctx, id)
		j, err := q.row(r, err, id)
		if err != nil || j.State == StateAvailable || time.Now().After(deadline) {
			return j, err
		}
		// Not made available: it was running, or its completion was being
		// recorded at the same moment.
		select {
		case <-ctx.Done():
			return j, nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// CancelJob cancels a job that has not finished; a running job is
// cancelled as soon as its worker sees it.
func (q *Queue) CancelJob(ctx context.Context, id int64) (*Job, error) {
	r, err := q.c.JobCancel(ctx, id)
	return q.row(r, err, id)
}

func (q *Queue) row(r *rivertype.JobRow, err error, id int64) (*Job, error) {
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: job %d: %w", id, err)
	}
	return fromRow(r), nil
}

// ListParams select jobs.
type ListParams struct {
	States []string
	Kinds  []string
	Limit  int    // default 50, at most 1000
	After  string // cursor answered by the previous page
}

// List answers jobs, newest first, and the cursor of the next page ("" at
// the end).
func (q *Queue) List(ctx context.Context, p ListParams) ([]*Job, string, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	lp := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(p.States) > 0 {
		var st []rivertype.JobState
		for _, s := range p.States {
			st = append(st, rivertype.JobState(s))
		}
		lp = lp.States(st...)
	} else {
		lp = lp.States(rivertype.JobStates()...)
	}
	if len(p.Kinds) > 0 {
		lp = lp.Kinds(p.Kinds...)
	}
	if p.After != "" {
		var c river.JobListCursor
		if err := c.UnmarshalText([]byte(p.After)); err != nil {
			return nil, "", fmt.Errorf("jobs: cursor %q: %w", p.After, err)
		}
		lp = lp.After(&c)
	}
	res, err := q.c.JobList(ctx, lp)
	if err != nil {
		return nil, "", fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]*Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, fromRow(r))
	}
	next := ""
	if len(res.Jobs) == limit && res.LastCursor != nil {
		b, err := res.LastCursor.MarshalText()
		if err == nil {
			next = string(b)
		}
	}
	return out, next, nil
}

// Count is the number of jobs of a kind in a state.
type Count struct {
	Kind  string `json:"kind"`
	State string `json:"state"`
	N     int64  `json:"count"`
}

// Counts answers how many jobs there are by kind and state.
func (q *Queue) Counts(ctx context.Context) ([]Count, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT kind, state, count(*) FROM river_job GROUP BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("jobs: counts: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, fmt.Errorf("jobs: counts: %w", err)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].State < out[j].State
	})
	return out, rows.Err()
}

// Waiting says whether jobs wait in a queue: to be worked now, later, or
// again.
func (q *Queue) Waiting(ctx context.Context, queue string) (bool, error) {
	args := []any{queue}
	for _, st := range unfinished {
		args = append(args, string(st))
	}
	var n int
	err := q.db.QueryRowContext(ctx, q.Rebind(`SELECT count(*) FROM (SELECT 1 FROM river_job
		WHERE queue = ? AND state IN (?`+strings.Repeat(", ?", len(unfinished)-1)+`) LIMIT 1) AS w`), args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("jobs: waiting: %w", err)
	}
	return n > 0, nil
}

// Kinds answers the registered kinds' names, sorted.
func (q *Queue) Kinds() []string {
	var out []string
	for k := range q.kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
