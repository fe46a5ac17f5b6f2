package destinations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
)

// JobKind is the kind of the delivery jobs.
const JobKind = "destination.deliver"

// Delivery statuses in the log.
const (
	StatusRetrying  = "retrying"  // failed, will be tried again
	StatusDelivered = "delivered" // the receiver answered 2xx
	StatusDead      = "dead"      // out of attempts
	StatusCancelled = "cancelled" // the destination is gone or disabled
	StatusQueued    = "queued"    // "retry now" was asked
)

// ErrNotFound is a delivery that does not exist.
var ErrNotFound = store.ErrNotFound

// Credentials gives the credentials of a resource (set "production").
type Credentials interface {
	Credentials(ctx context.Context, id, set string) (map[string]any, error)
}

// Service matches events to destinations, enqueues deliveries and works
// them.
type Service struct {
	st    store.Store
	q     *jobs.Queue
	creds Credentials
	log   *slog.Logger
	http  *http.Client

	list    atomic.Pointer[[]*compiled]
	version atomic.Int64 // config version the list was read at

	in       chan jobs.Request
	stop     chan struct{}
	done     chan struct{}
	startOne sync.Once
	stopOne  sync.Once

	// Observe, when set, counts delivery attempts by outcome (for metrics).
	Observe func(status string, d time.Duration)
	// Dropped counts matches that could not be enqueued (shutdown).
	Dropped atomic.Int64
}

// New makes the service; register its Kind with the queue (JobKinds) and
// call Init and Start before use. creds may be nil (no resources).
func New(st store.Store, creds Credentials, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{st: st, creds: creds, log: log,
		http: &http.Client{
			// No redirects: a receiver that moves must be configured anew,
			// and credentials never follow a redirect elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		in: make(chan jobs.Request, 4096), stop: make(chan struct{}), done: make(chan struct{})}
	empty := []*compiled{}
	s.list.Store(&empty)
	return s
}

// JobKinds answers the job kinds the service works.
func (s *Service) JobKinds() []jobs.Kind {
	return []jobs.Kind{{Name: JobKind, Handle: s.work, MaxAttempts: DefaultMaxAttempts, Timeout: MaxTimeout + 10*time.Second}}
}

const schema = `CREATE TABLE IF NOT EXISTS destination_deliveries (
	id             TEXT PRIMARY KEY,
	destination_id TEXT NOT NULL,
	profile_id     TEXT NOT NULL DEFAULT '',
	event_id       TEXT NOT NULL DEFAULT '',
	event_type     TEXT NOT NULL DEFAULT '',
	job_id         BIGINT NOT NULL,
	status         TEXT NOT NULL,
	attempts       INTEGER NOT NULL,
	max_attempts   INTEGER NOT NULL,
	http_status    INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT NOT NULL DEFAULT '',
	latency_ms     BIGINT NOT NULL DEFAULT 0,
	created_us     BIGINT NOT NULL,
	updated_us     BIGINT NOT NULL
)`

// Init creates the delivery log table (when missing) with the queue's
// database handle, and reads the destinations.
func (s *Service) Init(ctx context.Context, q *jobs.Queue) error {
	s.q = q
	for _, stmt := range []string{schema,
		`CREATE INDEX IF NOT EXISTS destination_deliveries_by_dest ON destination_deliveries (destination_id, updated_us)`,
		`CREATE INDEX IF NOT EXISTS destination_deliveries_by_time ON destination_deliveries (updated_us)`} {
		if _, err := q.DB().ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("destinations: delivery log: %w", err)
		}
	}
	return s.Reload(ctx)
}

// Reload reads the destinations again (the API calls it after a change;
// Start polls the configuration version for changes made elsewhere).
func (s *Service) Reload(ctx context.Context) error {
	v, err := s.st.ConfigVersion(ctx)
	if err != nil {
		return err
	}
	docs, err := s.st.ListConfig(ctx, Kind)
	if err != nil {
		return err
	}
	list := make([]*compiled, 0, len(docs))
	for _, d := range docs {
		c, err := compile(d)
		if err != nil {
			s.log.Warn("destination skipped: it does not compile", "destination", domain.Str(d, "id"), "err", err)
			continue
		}
		if c.enabled {
			list = append(list, c)
		}
	}
	s.list.Store(&list)
	s.version.Store(v)
	return nil
}

// Start runs the enqueuer, and a poll of the configuration version.
func (s *Service) Start() {
	s.startOne.Do(func() { go s.run() })
}

// Close enqueues what is waiting and stops the enqueuer.
func (s *Service) Close() {
	s.stopOne.Do(func() {
		close(s.stop)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			s.log.Error("destinations: deliveries still waiting to be queued at shutdown", "waiting", len(s.in))
		}
	})
}

// Key is the idempotency key of the delivery of an event to a destination:
// the same on every try, and for the same event sent again with its id.
func Key(destinationID, eventID string) string {
	h := sha256.Sum256([]byte(destinationID + "\x00" + eventID))
	return hex.EncodeToString(h[:16])
}

// deliveryArgs are a delivery job's arguments.
type deliveryArgs struct {
	DestinationID string `json:"destination_id"`
	Key           string `json:"key"`
	ProfileID     string `json:"profile_id,omitempty"`
	EventID       string `json:"event_id,omitempty"`
	EventType     string `json:"event_type,omitempty"`
	Data          any    `json:"data"`
}

// Notify is the collector's hook, called once a request's changes are
// committed: each event is matched against the destinations and the data
// of each match rendered (a copy: the caller may change its documents
// afterwards). It never waits on delivery; it waits only when the queue of
// deliveries waiting to be inserted is full.
func (s *Service) Notify(events []map[string]any, profile, session map[string]any, profileChanged bool) {
	list := *s.list.Load()
	if len(list) == 0 {
		return
	}
	now := time.Now()
	for _, ev := range events {
		for _, c := range list {
			if !c.matches(ev, profile, session, profileChanged, now) {
				continue
			}
			data, err := c.mapping.Apply(&notation.Scope{Event: ev, Profile: profile, Session: session})
			if err != nil {
				s.log.Warn("destination mapping failed", "destination", c.id, "event", domain.Str(ev, "id"), "err", err)
				continue
			}
			evID := domain.Str(ev, "id")
			key := Key(c.id, evID)
			req := jobs.Request{Kind: JobKind, Key: key, MaxAttempts: c.maxAttempts, Args: deliveryArgs{
				DestinationID: c.id, Key: key, ProfileID: domain.Str(profile, "id"), EventID: evID,
				EventType: domain.Str(ev, "type"), Data: data}}
			select {
			case s.in <- req:
			case <-s.stop:
				s.Dropped.Add(1)
				s.log.Error("destination delivery not queued: the server is stopping", "destination", c.id, "event", evID)
			}
		}
	}
}

// run inserts waiting deliveries in batches, and reloads the destinations
// when the configuration changed in another process.
func (s *Service) run() {
	defer close(s.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	batch := make([]jobs.Request, 0, 256)
	flush := func() {
		for len(batch) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := s.q.EnqueueMany(ctx, batch)
			cancel()
			if err == nil {
				batch = batch[:0]
				return
			}
			s.log.Error("destinations: queueing deliveries failed; trying again", "deliveries", len(batch), "err", err)
			select {
			case <-time.After(time.Second):
			case <-s.stop:
				if len(batch) > 0 {
					s.Dropped.Add(int64(len(batch)))
					s.log.Error("destinations: deliveries lost at shutdown", "deliveries", len(batch))
				}
				batch = batch[:0]
				return
			}
		}
	}
	for {
		select {
		case r := <-s.in:
			batch = append(batch, r)
			// Take what else is waiting, briefly, to share the transaction.
			wait := time.After(5 * time.Millisecond)
		fill:
			for len(batch) < cap(batch) {
				select {
				case r := <-s.in:
					batch = append(batch, r)
				case <-wait:
					break fill
				}
			}
			flush()
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if v, err := s.st.ConfigVersion(ctx); err == nil && v != s.version.Load() {
				if err := s.Reload(ctx); err != nil {
					s.log.Warn("destinations: reload", "err", err)
				}
			}
			cancel()
		case <-s.stop:
			for {
				select {
				case r := <-s.in:
					batch = append(batch, r)
					continue
				default:
				}
				break
			}
			flush()
			return
		}
	}
}

// work delivers one job.
func (s *Service) work(ctx context.Context, j *jobs.Job) error {
	var a deliveryArgs
	if err := json.Unmarshal(j.Args, &a); err != nil {
		return jobs.Cancel(fmt.Errorf("delivery arguments: %w", err))
	}
	start := time.Now()
	d, err := s.st.GetConfig(ctx, Kind, a.DestinationID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Its log went with it: nothing to record.
		return jobs.Cancel(errors.New("the destination was deleted"))
	case err != nil:
		s.record(ctx, j, a, StatusRetrying, 0, err.Error(), time.Since(start))
		return err // the database: try again
	}
	c, err := compile(d)
	why := ""
	switch {
	case err != nil:
		why = "the destination no longer compiles: " + err.Error()
	case !c.enabled:
		why = "the destination is disabled"
	}
	if why != "" {
		s.record(ctx, j, a, StatusCancelled, 0, why, time.Since(start))
		return jobs.Cancel(errors.New(why))
	}
	code, err := s.send(ctx, c, d, a)
	took := time.Since(start)
	status := StatusDelivered
	msg := ""
	if err != nil {
		msg = err.Error()
		status = StatusRetrying
		if j.Attempt >= j.MaxAttempts {
			status = StatusDead
		}
	}
	s.record(ctx, j, a, status, code, msg, took)
	if s.Observe != nil {
		s.Observe(status, took)
	}
	return err
}

func (s *Service) record(ctx context.Context, j *jobs.Job, a deliveryArgs, status string, code int, msg string, took time.Duration) {
	now := time.Now().UnixMicro()
	q := s.q.Rebind(`INSERT INTO destination_deliveries
		(id, destination_id, profile_id, event_id, event_type, job_id, status, attempts, max_attempts, http_status, last_error, latency_ms, created_us, updated_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, status = excluded.status, attempts = excluded.attempts,
			max_attempts = excluded.max_attempts, http_status = excluded.http_status, last_error = excluded.last_error,
			latency_ms = excluded.latency_ms, updated_us = excluded.updated_us`)
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if _, err := s.q.DB().ExecContext(context.WithoutCancel(ctx), q, a.Key, a.DestinationID, a.ProfileID, a.EventID, a.EventType, j.ID,
		status, j.Attempt, j.MaxAttempts, code, msg, took.Milliseconds(), now, now); err != nil {
		s.log.Error("destinations: writing the delivery log", "destination", a.DestinationID, "err", err)
	}
}

// Delivery is one row of the delivery log.
type Delivery struct {
	ID            string    `json:"id"` // the idempotency key
	DestinationID string    `json:"destination_id"`
	ProfileID     string    `json:"profile_id"`
	EventID       string    `json:"event_id"`
	EventType     string    `json:"event_type"`
	JobID         int64     `json:"job_id"`
	Status        string    `json:"status"`
	Attempts      int       `json:"attempts"`
	MaxAttempts   int       `json:"max_attempts"`
	HTTPStatus    int       `json:"http_status"`
	LastError     string    `json:"last_error"`
	LatencyMS     int64     `json:"latency_ms"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
}

const deliveryCols = `id, destination_id, profile_id, event_id, event_type, job_id, status, attempts, max_attempts, http_status, last_error, latency_ms, created_us, updated_us`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var c, u int64
	err := sc.Scan(&d.ID, &d.DestinationID, &d.ProfileID, &d.EventID, &d.EventType, &d.JobID, &d.Status, &d.Attempts,
		&d.MaxAttempts, &d.HTTPStatus, &d.LastError, &d.LatencyMS, &c, &u)
	d.Created, d.Updated = time.UnixMicro(c).UTC(), time.UnixMicro(u).UTC()
	return d, err
}

// Deliveries pages through a destination's delivery log, latest first.
func (s *Service) Deliveries(ctx context.Context, destinationID string, limit, offset int) ([]Delivery, int, error) {
	db := s.q.DB()
	var total int
	if err := db.QueryRowContext(ctx, s.q.Rebind(`SELECT count(*) FROM destination_deliveries WHERE destination_id = ?`), destinationID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("destinations: deliveries: %w", err)
	}
	rows, err := db.QueryContext(ctx, s.q.Rebind(`SELECT `+deliveryCols+` FROM destination_deliveries WHERE destination_id = ?
		ORDER BY updated_us DESC, id LIMIT ? OFFSET ?`), destinationID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("destinations: deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("destinations: deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// RetryNow runs a delivery's job again at once, whatever its state (a dead
// one too). It answers the delivery as logged, marked queued.
func (s *Service) RetryNow(ctx context.Context, destinationID, deliveryID string) (Delivery, error) {
	db := s.q.DB()
	d, err := scanDelivery(db.QueryRowContext(ctx, s.q.Rebind(`SELECT `+deliveryCols+` FROM destination_deliveries WHERE id = ? AND destination_id = ?`), deliveryID, destinationID))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("delivery %q of destination %q: %w", deliveryID, destinationID, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("destinations: delivery: %w", err)
	}
	// Marked before the job is retried, so that the worker's own record
	// of the new attempt comes after.
	now := time.Now()
	if _, err := db.ExecContext(ctx, s.q.Rebind(`UPDATE destination_deliveries SET status = ?, updated_us = ? WHERE id = ? AND status <> ?`),
		StatusQueued, now.UnixMicro(), d.ID, StatusDelivered); err != nil {
		return Delivery{}, fmt.Errorf("destinations: delivery: %w", err)
	}
	if _, err := s.q.Retry(ctx, d.JobID); err != nil {
		return Delivery{}, err
	}
	if d.Status != StatusDelivered {
		d.Status = StatusQueued
	}
	d.Updated = now.UTC()
	return d, nil
}

// DeleteLog forgets a deleted destination's delivery log.
func (s *Service) DeleteLog(ctx context.Context, destinationID string) error {
	_, err := s.q.DB().ExecContext(ctx, s.q.Rebind(`DELETE FROM destination_deliveries WHERE destination_id = ?`), destinationID)
	return err
}

// PruneLog deletes up to limit delivery-log rows last changed before
// before, oldest first (retention).
func (s *Service) PruneLog(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := s.q.DB().ExecContext(ctx, s.q.Rebind(`DELETE FROM destination_deliveries WHERE id IN
		(SELECT id FROM destination_deliveries WHERE updated_us < ? ORDER BY updated_us LIMIT ?)`), before.UnixMicro(), limit)
	if err != nil {
		return 0, fmt.Errorf("destinations: prune the delivery log: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
