// Package inbox is asynchronous collection: a /track request that asks for
// it (PUT /track, or a source whose "asynchronous" setting is true) is
// stored durably in the inbox and answered at once; the rules and flows run
// later, in jobs, in the order the requests arrived for each profile.
//
// The inbox is a table in the job queue's database. Each row is one
// request, in a lane: the profile id the request names (a new id is given
// to a request without one, and answered), or an id of its own for a
// profile-less request. A lane with waiting rows has a drain job queued: it
// takes the lane's lock, then runs the lane's rows through the tracker one
// after another, oldest first, and deletes them.
//
// Guarantees: a request answered 200 is stored (the inbox row is committed
// before the answer). It is processed at least once; every event is given
// an id when queued, so a row processed again after a crash (its events
// stored, the row not yet deleted) is recognised by the tracker as a retry
// and does not run the flows again, as long as the request saves its
// events (saveEvents is not false). A lane is drained by one job at a time
// over all processes (the lane's lock is a store profile lock, which on
// PostgreSQL is an advisory lock); so within one process, requests of a
// profile run in the order they were answered.
package inbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
)

// Job kinds of the inbox.
const (
	// DrainKind runs one lane's waiting requests.
	DrainKind = "track.drain"
	// SweepKind, a periodic job, queues a drain for every lane with rows
	// waiting for a while (a drain lost with a crashed process).
	SweepKind = "track.sweep"
	// ScheduledKind runs a request at the time it asked for.
	ScheduledKind = "track.scheduled"
)

// MaxSchedule is how far ahead a request may be scheduled.
const MaxSchedule = 366 * 24 * time.Hour

// Tracker is the collector the inbox hands requests to.
type Tracker interface {
	Track(ctx context.Context, p *tracking.Payload, headers map[string]any) (*tracking.Result, error)
	CheckSource(id string) error
}

// Locker serialises drains of a lane (store.Store's LockProfile).
type Locker interface {
	LockProfile(ctx context.Context, id string) (release func(), err error)
}

// Options tune the inbox.
type Options struct {
	// MaxPerDrain is how many requests one drain job runs before it hands
	// the lane to a new job, so that a busy profile does not keep a worker
	// (default 500).
	MaxPerDrain int
	// SweepEvery is how often lanes with old rows get a drain (default 1m).
	SweepEvery time.Duration
	// SweepAge is how long a row waits before the sweep queues its lane
	// (default 30s).
	SweepAge time.Duration
}

// Service is the inbox of one process.
type Service struct {
	tr    Tracker
	locks Locker
	log   *slog.Logger
	opt   Options
	q     *jobs.Queue

	in       chan *pending
	stop     chan struct{}
	done     chan struct{}
	startOne sync.Once
	stopOne  sync.Once
	// Dropped counts requests refused when their turn came (their source
	// was deleted or disabled meanwhile): they are logged and removed.
	dropped atomic.Int64
	// beforeCommit, when set (by tests), runs before a group of requests
	// is committed.
	beforeCommit atomic.Pointer[func()]
}

// New makes the inbox; register JobKinds and Periodic with the queue, then
// call Init and Start.
func New(tr Tracker, locks Locker, log *slog.Logger, o Options) *Service {
	if log == nil {
		log = slog.Default()
	}
	if o.MaxPerDrain <= 0 {
		o.MaxPerDrain = 500
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = time.Minute
	}
	if o.SweepAge <= 0 {
		o.SweepAge = 30 * time.Second
	}
	return &Service{tr: tr, locks: locks, log: log, opt: o,
		in: make(chan *pending, 4096), stop: make(chan struct{}), done: make(chan struct{})}
}

// JobKinds answers the kinds the inbox works.
func (s *Service) JobKinds() []jobs.Kind {
	return []jobs.Kind{
		// A drain that fails (the store is down) is tried again soon; its
		// rows stay in the inbox meanwhile.
		{Name: DrainKind, Handle: s.drain, MaxAttempts: 100, Timeout: 10 * time.Minute},
		{Name: SweepKind, Handle: s.sweep, MaxAttempts: 3},
		{Name: ScheduledKind, Handle: s.scheduled, MaxAttempts: 25, Timeout: 5 * time.Minute},
	}
}

// Periodic answers the inbox's periodic job (run also when a process
// becomes the leader, so that a restart drains what a crash left).
func (s *Service) Periodic() []jobs.Periodic {
	return []jobs.Periodic{{Kind: SweepKind, Every: s.opt.SweepEvery, RunOnStart: true}}
}

// Init creates the inbox tables (when missing) in the queue's database.
func (s *Service) Init(ctx context.Context, q *jobs.Queue) error {
	s.q = q
	seq := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if q.Dialect() == jobs.Postgres {
		seq = "BIGSERIAL PRIMARY KEY"
	}
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS track_inbox (
			seq        ` + seq + `,
			lane       TEXT NOT NULL,
			request    TEXT NOT NULL,
			created_us BIGINT NOT NULL
		)`,
		`CREATE INDEX IF NOT EXISTS track_inbox_by_lane ON track_inbox (lane, seq)`,
		// A lane listed here has a drain job queued that has not started.
		`CREATE TABLE IF NOT EXISTS track_inbox_lanes (lane TEXT PRIMARY KEY)`,
	} {
		if _, err := q.DB().ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("inbox: creating its tables: %w", err)
		}
	}
	return nil
}

// Start runs the writer that stores accepted requests, and queues a drain
// for every lane with rows waiting (what a crash of this or another process
// left behind; a lane already being drained is only looked at again).
func (s *Service) Start(ctx context.Context) {
	s.startOne.Do(func() {
		go s.write()
		if err := s.queueLanes(ctx, time.Now()); err != nil {
			s.log.Error("inbox: queueing drains of waiting requests at start", "err", err)
		}
	})
}

// Close stores what was accepted and stops the writer.
func (s *Service) Close() {
	s.stopOne.Do(func() {
		close(s.stop)
		<-s.done
	})
}

// ErrStopping is a request accepted while the server stops.
var ErrStopping = errors.New("inbox: the server is stopping")

// Ack is the answer to a queued request.
type Ack struct {
	ProfileID string // "" for a profile-less request
	SessionID string // as sent ("" when the tracker sent none)
	EventIDs  []string
}

// item is one stored request.
type item struct {
	Payload *tracking.Payload `json:"payload"`
	Headers map[string]any    `json:"headers,omitempty"`
}

type pending struct {
	lane string
	data []byte
	err  chan error
}

// Accept queues a request durably and answers once it is stored. The
// source is checked first (a refused source is an error, as in
// tracking.Tracker.Track). A request without a profile id is given one,
// and every event without an id is given one, so that running a request
// again is recognised as a retry.
func (s *Service) Accept(ctx context.Context, p *tracking.Payload, headers map[string]any) (*Ack, error) {
	lane, ack, data, err := s.prepare(p, headers)
	if err != nil {
		return nil, err
	}
	w := &pending{lane: lane, data: data, err: make(chan error, 1)}
	select {
	case s.in <- w:
	case <-s.stop:
		return nil, ErrStopping
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Once handed over, the outcome is waited for: the caller answers 200
	// only for a stored request.
	if err := <-w.err; err != nil {
		return nil, err
	}
	return ack, nil
}

// Schedule stores a request durably to be run at a time (a job at that
// time; a time past is now). It is prepared as Accept prepares requests.
func (s *Service) Schedule(ctx context.Context, p *tracking.Payload, headers map[string]any, at time.Time) (*Ack, error) {
	_, ack, data, err := s.prepare(p, headers)
	if err != nil {
		return nil, err
	}
	if err := s.q.Submit(ctx, jobs.Request{Kind: ScheduledKind, Args: json.RawMessage(data), RunAt: at}); err != nil {
		return nil, err
	}
	return ack, nil
}

// ScheduleEvent schedules one event, as a flow asks (the Schedule event
// plugin): a request of that event through its source, for its profile
// and session, run at e.At. It answers the event's id.
func (s *Service) ScheduleEvent(ctx context.Context, e plugin.ScheduledEvent) (string, error) {
	p := &tracking.Payload{SourceID: e.SourceID, ProfileID: e.ProfileID, SessionID: e.SessionID, Context: e.Context,
		ProfileLess: e.ProfileID == "",
		Events:      []tracking.EventIn{{Type: e.Type, Properties: e.Properties}}}
	ack, err := s.Schedule(ctx, p, nil, e.At)
	if err != nil {
		return "", err
	}
	return ack.EventIDs[0], nil
}

// scheduled runs a scheduled request.
func (s *Service) scheduled(ctx context.Context, j *jobs.Job) error {
	return s.run(ctx, string(j.Args))
}

// prepare checks the source, gives the request its profile id and event
// ids, and encodes it.
func (s *Service) prepare(p *tracking.Payload, headers map[string]any) (string, *Ack, []byte, error) {
	if err := s.tr.CheckSource(p.SourceID); err != nil {
		return "", nil, nil, err
	}
	lane := ""
	if p.ProfileLess {
		lane = "~" + domain.NewID()
	} else {
		if p.ProfileID == "" {
			p.ProfileID = domain.NewID()
		}
		lane = p.ProfileID
	}
	ack := &Ack{SessionID: p.SessionID, EventIDs: make([]string, len(p.Events))}
	if !p.ProfileLess {
		ack.ProfileID = p.ProfileID
	}
	for i := range p.Events {
		if p.Events[i].ID == "" {
			p.Events[i].ID = domain.NewID()
		}
		ack.EventIDs[i] = p.Events[i].ID
	}
	data, err := json.Marshal(item{Payload: p, Headers: headers})
	if err != nil {
		return "", nil, nil, fmt.Errorf("inbox: encoding the request: %w", err)
	}
	return lane, ack, data, nil
}

// write stores accepted requests, a group at a time in one transaction,
// then queues a drain for each lane that has none waiting.
func (s *Service) write() {
	defer close(s.done)
	batch := make([]*pending, 0, 512)
	for {
		select {
		case w := <-s.in:
			batch = append(batch[:0], w)
		case <-s.stop:
			for {
				select {
				case w := <-s.in:
					batch = append(batch[:0], w)
					s.flush(batch)
					continue
				default:
				}
				return
			}
		}
		// Take whatever else is waiting: the group shares one commit.
	fill:
		for len(batch) < cap(batch) {
			select {
			case w := <-s.in:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		s.flush(batch)
	}
}

func (s *Service) flush(batch []*pending) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lanes, err := s.store(ctx, batch)
	for _, w := range batch {
		w.err <- err
	}
	if err != nil {
		s.log.Error("inbox: storing queued requests failed", "requests", len(batch), "err", err)
		return
	}
	if len(lanes) == 0 {
		return
	}
	reqs := make([]jobs.Request, 0, len(lanes))
	for _, l := range lanes {
		reqs = append(reqs, jobs.Request{Kind: DrainKind, Args: drainArgs{Lane: l}})
	}
	if err := s.q.EnqueueMany(ctx, reqs); err != nil {
		// The rows are stored: the sweep queues their lanes later.
		s.log.Error("inbox: queueing drains failed; the periodic sweep will", "lanes", len(lanes), "err", err)
	}
}

// markLane marks a lane as having a drain queued, answering true when it
// was not marked (a drain must be queued).
//
// On PostgreSQL a lane already marked is updated, not left alone: the row
// lock that takes is held until the requests are committed, so that a drain
// starting meanwhile waits in its unmarking for them and then reads them.
// Left alone, the drain could unmark the lane, find none of the requests
// (not committed yet) and end, leaving them with no drain queued until the
// sweep. On SQLite the drain's unmarking waits for the one writer anyway.
func markLane(d jobs.Dialect) string {
	if d == jobs.Postgres {
		return `INSERT INTO track_inbox_lanes (lane) VALUES (?) ON CONFLICT (lane) DO UPDATE SET lane = excluded.lane RETURNING xmax = 0`
	}
	return `INSERT INTO track_inbox_lanes (lane) VALUES (?) ON CONFLICT (lane) DO NOTHING RETURNING true`
}

// store inserts the batch's rows and marks their lanes; it answers the
// lanes that were not marked (they need a drain job).
func (s *Service) store(ctx context.Context, batch []*pending) ([]string, error) {
	tx, err := s.q.DB().BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, s.q.Rebind(`INSERT INTO track_inbox (lane, request, created_us) VALUES (?, ?, ?)`))
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer ins.Close()
	mark, err := tx.PrepareContext(ctx, s.q.Rebind(markLane(s.q.Dialect())))
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer mark.Close()
	now := time.Now().UnixMicro()
	seen := map[string]bool{}
	var lanes []string
	for _, w := range batch {
		if _, err := ins.ExecContext(ctx, w.lane, string(w.data), now); err != nil {
			return nil, fmt.Errorf("inbox: storing a request: %w", err)
		}
		if seen[w.lane] {
			continue
		}
		seen[w.lane] = true
		var marked bool
		if err := mark.QueryRowContext(ctx, w.lane).Scan(&marked); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		if marked {
			lanes = append(lanes, w.lane)
		}
	}
	if f := s.beforeCommit.Load(); f != nil {
		(*f)()
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("inbox: commit: %w", err)
	}
	return lanes, nil
}

type drainArgs struct {
	Lane string `json:"lane"`
}

// laneLock is the lock key of a lane: not a profile id, so that the
// tracker's own lock on the profile is a different one.
func laneLock(lane string) string { return "inbox\x00" + lane }

// drain runs a lane's waiting requests in order.
func (s *Service) drain(ctx context.Context, j *jobs.Job) error {
	var a drainArgs
	if err := json.Unmarshal(j.Args, &a); err != nil || a.Lane == "" {
		return jobs.Cancel(fmt.Errorf("drain arguments %s: a lane is required", j.Args))
	}
	release, err := s.locks.LockProfile(ctx, laneLock(a.Lane))
	if err != nil {
		return err
	}
	defer release()
	db := s.q.DB()
	// Unmark the lane first: a request stored from now on queues a new
	// drain, which waits for this one's lock and runs what this one did
	// not see.
	if _, err := db.ExecContext(ctx, s.q.Rebind(`DELETE FROM track_inbox_lanes WHERE lane = ?`), a.Lane); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	done := 0
	for done < s.opt.MaxPerDrain {
		n, err := s.drainPage(ctx, a.Lane, min(100, s.opt.MaxPerDrain-done))
		done += n
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
	// A busy lane: hand it to a new job, so that other lanes get workers.
	s.requeue(ctx, a.Lane)
	return nil
}

// requeue marks a lane and queues a drain for it unless one is waiting.
func (s *Service) requeue(ctx context.Context, lane string) {
	res, err := s.q.DB().ExecContext(ctx, s.q.Rebind(`INSERT INTO track_inbox_lanes (lane) VALUES (?) ON CONFLICT (lane) DO NOTHING`), lane)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			return
		}
		_, _, err = s.q.Enqueue(ctx, jobs.Request{Kind: DrainKind, Args: drainArgs{Lane: lane}})
	}
	if err != nil {
		s.log.Warn("inbox: queueing a drain failed; the periodic sweep will", "lane", lane, "err", err)
	}
}

// drainPage runs up to limit of the lane's oldest requests and deletes
// them; it answers how many it ran.
func (s *Service) drainPage(ctx context.Context, lane string, limit int) (int, error) {
	db := s.q.DB()
	rows, err := db.QueryContext(ctx, s.q.Rebind(`SELECT seq, request FROM track_inbox WHERE lane = ? ORDER BY seq LIMIT ?`), lane, limit)
	if err != nil {
		return 0, fmt.Errorf("inbox: reading lane: %w", err)
	}
	type row struct {
		seq  int64
		data string
	}
	var page []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("inbox: reading lane: %w", err)
		}
		page = append(page, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("inbox: reading lane: %w", err)
	}
	var ran []int64
	var runErr error
	for _, r := range page {
		if err := s.run(ctx, r.data); err != nil {
			runErr = err
			break
		}
		ran = append(ran, r.seq)
	}
	if err := s.remove(ctx, ran); err != nil {
		// Run again later: the tracker takes them as retries.
		return 0, err
	}
	return len(ran), runErr
}

// run processes one stored request. A request the tracker refuses for
// good (its source was deleted or disabled, its shape is wrong) is logged
// and counted, and answers nil, so that it is removed; any other error
// leaves it in the inbox to be tried again.
func (s *Service) run(ctx context.Context, data string) error {
	var it item
	if err := json.Unmarshal([]byte(data), &it); err != nil || it.Payload == nil {
		s.dropped.Add(1)
		s.log.Error("inbox: a stored request does not decode; dropped", "err", err)
		return nil
	}
	res, err := s.tr.Track(ctx, it.Payload, it.Headers)
	var fe plugin.FieldErrors
	switch {
	case errors.Is(err, tracking.ErrUnknownSource), errors.Is(err, tracking.ErrDisabledSource), errors.As(err, &fe):
		s.dropped.Add(1)
		s.log.Warn("inbox: a queued request was refused when its turn came; dropped",
			"source", it.Payload.SourceID, "profile", it.Payload.ProfileID, "err", err)
		return nil
	case err != nil:
		return fmt.Errorf("inbox: processing a queued request of profile %q: %w", it.Payload.ProfileID, err)
	}
	if len(res.Errors) > 0 {
		s.log.Warn("inbox: flows of a queued request failed", "profile", res.ProfileID, "errors", res.Errors)
	}
	return nil
}

func (s *Service) remove(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	tx, err := s.q.DB().BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return fmt.Errorf("inbox: removing processed requests: %w", err)
	}
	defer tx.Rollback()
	del, err := tx.Prepare(s.q.Rebind(`DELETE FROM track_inbox WHERE seq = ?`))
	if err != nil {
		return fmt.Errorf("inbox: removing processed requests: %w", err)
	}
	defer del.Close()
	for _, q := range seqs {
		if _, err := del.Exec(q); err != nil {
			return fmt.Errorf("inbox: removing processed requests: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("inbox: removing processed requests: %w", err)
	}
	return nil
}

// sweep queues a drain for every lane whose oldest row waited longer than
// SweepAge (its drain was lost: the process crashed while running it, or
// after storing the row but before queueing the drain).
func (s *Service) sweep(ctx context.Context, _ *jobs.Job) error {
	return s.queueLanes(ctx, time.Now().Add(-s.opt.SweepAge))
}

// queueLanes queues a drain for each lane with a row stored before t.
func (s *Service) queueLanes(ctx context.Context, t time.Time) error {
	before := t.UnixMicro()
	rows, err := s.q.DB().QueryContext(ctx, s.q.Rebind(`SELECT DISTINCT lane FROM track_inbox WHERE created_us < ? LIMIT 10000`), before)
	if err != nil {
		return fmt.Errorf("inbox: sweep: %w", err)
	}
	var lanes []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return fmt.Errorf("inbox: sweep: %w", err)
		}
		lanes = append(lanes, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: sweep: %w", err)
	}
	var reqs []jobs.Request
	for _, l := range lanes {
		// Unique while waiting: sweeps do not stack drains up.
		reqs = append(reqs, jobs.Request{Kind: DrainKind, Key: "sweep:" + l, Args: drainArgs{Lane: l}})
	}
	if len(reqs) > 0 {
		s.log.Info("inbox: queueing drains for lanes left waiting", "lanes", len(reqs))
	}
	return s.q.EnqueueMany(ctx, reqs)
}

// Depth answers how many requests wait in the inbox (all processes).
func (s *Service) Depth(ctx context.Context) (int64, error) {
	var n int64
	if err := s.q.DB().QueryRowContext(ctx, `SELECT count(*) FROM track_inbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("inbox: depth: %w", err)
	}
	return n, nil
}

// Dropped answers how many queued requests this process dropped because
// the tracker refused them when their turn came.
func (s *Service) Dropped() int64 { return s.dropped.Load() }
