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
	"github.com/tracflow/tracflow/internal/jsonx"
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
	StatusWaiting   = "waiting"   // matched, not tried yet
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
	st    Config
	q     *jobs.Queue
	creds Credentials
	log   *slog.Logger
	http  *http.Client

	list     atomic.Pointer[[]*compiled]
	version  atomic.Int64 // config version the list was read at
	reloaded atomic.Pointer[func()]
	forward  atomic.Pointer[func([]byte) bool]
	backlog  atomic.Pointer[func() (int, int64)]

	in       chan pending
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
// call Init and Start before use. st is the store (or, in a delivery
// process, a Mirror); creds may be nil (no resources).
func New(st Config, creds Credentials, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{st: st, creds: creds, log: log,
		http: &http.Client{
			// Keep-alive connections for every delivery in flight to a
			// receiver (the default keeps two per host: the others would
			// be dialled anew each time).
			Transport: deliveryTransport(),
			// No redirects: a receiver that moves must be configured anew,
			// and credentials never follow a redirect elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		in: make(chan pending, 4096), stop: make(chan struct{}), done: make(chan struct{})}
	empty := []*compiled{}
	s.list.Store(&empty)
	return s
}

// JobKinds answers the job kinds the service works.
func (s *Service) JobKinds() []jobs.Kind {
	return []jobs.Kind{{Name: JobKind, Handle: s.work, MaxAttempts: DefaultMaxAttempts, Timeout: MaxTimeout + 10*time.Second, Queue: JobQueue}}
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
	updated_us     BIGINT NOT NULL,
	batch          TEXT NOT NULL DEFAULT '',
	data           TEXT
)`

// The columns added since the table was first made: the job batch a
// delivery waits in, and its data (kept once delivered too: RetryNow sends
// a delivered one again).
var addedColumns = []struct{ name, def string }{
	{"batch", "TEXT NOT NULL DEFAULT ''"},
	{"data", "TEXT"},
}

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
	for _, c := range addedColumns {
		if err := s.addColumn(ctx, c.name, c.def); err != nil {
			return fmt.Errorf("destinations: delivery log: adding column %s: %w", c.name, err)
		}
	}
	if _, err := q.DB().ExecContext(ctx, `CREATE INDEX IF NOT EXISTS destination_deliveries_by_batch ON destination_deliveries (batch)`); err != nil {
		return fmt.Errorf("destinations: delivery log: %w", err)
	}
	return s.Reload(ctx)
}

// addColumn adds a column the delivery log of an earlier version lacks.
func (s *Service) addColumn(ctx context.Context, name, def string) error {
	db := s.q.DB()
	if s.q.Dialect() == jobs.Postgres {
		_, err := db.ExecContext(ctx, `ALTER TABLE destination_deliveries ADD COLUMN IF NOT EXISTS `+name+` `+def)
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('destination_deliveries') WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err := db.ExecContext(ctx, `ALTER TABLE destination_deliveries ADD COLUMN `+name+` `+def)
	return err
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
	if f := s.reloaded.Load(); f != nil {
		(*f)()
	}
	return nil
}

// Forward sets a function that hands each batch of matched deliveries (in
// the form StoreBatch reads) to the delivery process, which stores them
// in the queue; when it answers false (the process is not running, or is
// behind), the batch is stored by this process. The batch's bytes are
// reused once f returns: f copies what it keeps.
func (s *Service) Forward(f func(batch []byte) bool) { s.forward.Store(&f) }

// StoreBatch stores a batch of matched deliveries Forward handed over,
// trying again for half a minute while the database refuses; false when
// it was not stored.
func (s *Service) StoreBatch(batch []byte) bool {
	ps, err := decodeBatch(batch)
	if err != nil {
		s.log.Error("destinations: a batch of deliveries could not be read", "err", err)
		return false
	}
	return s.store(ps, nil, 30)
}

// store writes deliveries to the queue, trying again every second while
// the database refuses: until stop closes, or for tries attempts (0: no
// bound). False when they were given up (counted in Dropped).
func (s *Service) store(ps []pending, stop <-chan struct{}, tries int) bool {
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := s.enqueue(ctx, ps)
		cancel()
		if err == nil {
			return true
		}
		if try == tries {
			s.Dropped.Add(int64(len(ps)))
			s.log.Error("destinations: deliveries could not be queued; they are lost", "deliveries", len(ps), "err", err)
			return false
		}
		s.log.Error("destinations: queueing deliveries failed; trying again", "deliveries", len(ps), "err", err)
		select {
		case <-time.After(time.Second):
		case <-stop:
			s.Dropped.Add(int64(len(ps)))
			s.log.Error("destinations: deliveries lost at shutdown", "deliveries", len(ps))
			return false
		}
	}
}

// SetBacklog sets the function Backlog asks: the delivery process's
// supervisor, whose batches wait on disk while the process is behind.
func (s *Service) SetBacklog(f func() (batches int, bytes int64)) { s.backlog.Store(&f) }

// Backlog answers the batches of deliveries waiting on disk for the
// delivery process, and their bytes (none without one).
func (s *Service) Backlog() (batches int, bytes int64) {
	if f := s.backlog.Load(); f != nil {
		return (*f)()
	}
	return 0, 0
}

// Active says whether any destination is enabled.
func (s *Service) Active() bool { return len(*s.list.Load()) > 0 }

// OnReload sets a function called after each Reload (the delivery
// process's supervisor sends it the new configuration).
func (s *Service) OnReload(f func()) { s.reloaded.Store(&f) }

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

// render applies a destination's mapping and encodes the result: keys in
// sorted order, as encoding/json would write them (without escaping HTML
// characters), except inside the documents stored holds, which are copied
// as they were stored; in a scratch buffer copied once into the data the
// delivery keeps.
func render(mapping *notation.Reshape, ev, profile, session map[string]any, stored *jsonx.Known) (string, error) {
	v, err := mapping.ApplyShared(&notation.Scope{Event: ev, Profile: profile, Session: session})
	if err != nil {
		return "", err
	}
	bp := jsonx.GetScratch()
	defer jsonx.PutScratch(bp)
	b, err := jsonx.AppendSortedKnown((*bp)[:0], v, stored)
	*bp = b
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Key is the idempotency key of the delivery of an event to a destination:
// the same on every try, and for the same event sent again with its id.
// It is 32 hexadecimal digits of a hash of both ids, except that an event
// id of Tracflow's own (a UUID of version 7, which starts with its time in
// milliseconds) gives the key its 12 digits of time first: then the keys of
// deliveries matched one after another sit side by side in the delivery
// log's index, and inserting a batch of them writes about half the pages
// (random keys land each on a page of its own).
func Key(destinationID, eventID string) string {
	h := sha256.Sum256([]byte(destinationID + "\x00" + eventID))
	if !isUUIDv7(eventID) {
		return hex.EncodeToString(h[:16])
	}
	return eventID[0:8] + eventID[9:13] + hex.EncodeToString(h[:10])
}

// isUUIDv7 reports an id in the canonical form of a UUID of version 7
// (lower-case, as domain.NewID makes them).
func isUUIDv7(id string) bool {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' || id[14] != '7' {
		return false
	}
	for i := range len(id) {
		if c := id[i]; c != '-' && (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// deliveryArgs is one delivery: of an event's mapped data to a
// destination.
type deliveryArgs struct {
	DestinationID string `json:"destination_id,omitempty"`
	Key           string `json:"key"`
	ProfileID     string `json:"profile_id,omitempty"`
	EventID       string `json:"event_id,omitempty"`
	EventType     string `json:"event_type,omitempty"`
	Data          any    `json:"data"`
}

// jobArgs reads a delivery job's arguments: a batch of deliveries to one
// destination that wait in the log (batchArgs), or, in a job of an earlier
// version, one delivery's fields at the top level.
type jobArgs struct {
	deliveryArgs
	Batch string `json:"batch,omitempty"`
}

// batchArgs are the arguments of the jobs this version writes: the
// deliveries wait in the log, with their data, under the batch's id.
type batchArgs struct {
	DestinationID string `json:"destination_id"`
	Batch         string `json:"batch"`
}

// pending is a matched delivery waiting to be queued, with its data
// encoded.
type pending struct {
	d           deliveryArgs // without Data
	data        string
	maxAttempts int
}

// Delivery jobs carry up to maxPerJob deliveries, sent up to sendParallel
// at a time: a job's queue row, its fetch and completion, and the log's
// transaction are shared by all of them, so that a busy destination costs
// the collector's machine little more than its HTTP requests.
const (
	maxPerJob    = 100
	sendParallel = 8
	gatherFor    = 100 * time.Millisecond
)

// Notify is the collector's hook, called once a request's changes are
// committed: each event is matched against the destinations and the data
// of each match rendered (a copy: the caller may change its documents
// afterwards). A whole document the mapping sends (the default mapping
// sends the profile and the event) is copied from stored, the JSON the
// store wrote it as, when stored holds it: not encoded a second time. It
// never waits on delivery; it waits only when the queue of deliveries
// waiting to be inserted is full.
func (s *Service) Notify(events []map[string]any, profile, session map[string]any, profileChanged bool, stored *jsonx.Known) {
	list := *s.list.Load()
	if len(list) == 0 {
		return
	}
	now := time.Now()
	var rendered map[string]string // of this event, by mapping
	for _, ev := range events {
		clear(rendered)
		for _, c := range list {
			if !c.matches(ev, profile, session, profileChanged, now) {
				continue
			}
			// Encoded at once, from the documents as they are (the caller
			// changes them only after Notify returns); destinations with
			// the same mapping share the encoding.
			data, ok := rendered[c.mappingKey]
			if !ok {
				var err error
				if data, err = render(c.mapping, ev, profile, session, stored); err != nil {
					s.log.Warn("destination mapping failed", "destination", c.id, "event", domain.Str(ev, "id"), "err", err)
					continue
				}
				if rendered == nil {
					rendered = map[string]string{}
				}
				rendered[c.mappingKey] = data
			}
			evID := domain.Str(ev, "id")
			p := pending{maxAttempts: c.maxAttempts, data: data, d: deliveryArgs{DestinationID: c.id, Key: Key(c.id, evID),
				ProfileID: domain.Str(profile, "id"), EventID: evID, EventType: domain.Str(ev, "type")}}
			select {
			case s.in <- p:
			case <-s.stop:
				s.Dropped.Add(1)
				s.log.Error("destination delivery not queued: the server is stopping", "destination", c.id, "event", evID)
			}
		}
	}
}

// batchesOf groups waiting deliveries per destination, in order, into
// batches of up to maxPerJob.
func batchesOf(ps []pending) [][]pending {
	var out [][]pending
	open := map[string]int{} // destination: index in out of its batch being filled
	for _, p := range ps {
		i, ok := open[p.d.DestinationID]
		if !ok || len(out[i]) >= maxPerJob {
			i = len(out)
			open[p.d.DestinationID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], p)
	}
	return out
}

// insertWaiting logs a matched delivery. One logged already (the same event
// sent again) waits in the new batch, unless it was delivered.
const insertWaiting = `INSERT INTO destination_deliveries
	(id, destination_id, profile_id, event_id, event_type, job_id, status, attempts, max_attempts, http_status, last_error, latency_ms, created_us, updated_us, batch, data)
	VALUES (?, ?, ?, ?, ?, 0, ?, 0, ?, 0, '', 0, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET batch = excluded.batch, data = excluded.data, status = excluded.status,
		max_attempts = excluded.max_attempts, updated_us = excluded.updated_us
	WHERE destination_deliveries.status <> '` + StatusDelivered + `'`

// enqueue stores waiting deliveries in the log, with their data, and a
// job per batch, in one transaction.
func (s *Service) enqueue(ctx context.Context, ps []pending) error {
	batches := batchesOf(ps)
	reqs := make([]jobs.Request, len(batches))
	ids := make([]string, len(batches))
	for i, b := range batches {
		ids[i] = domain.NewID()
		reqs[i] = jobs.Request{Kind: JobKind, MaxAttempts: b[0].maxAttempts,
			Args: batchArgs{DestinationID: b[0].d.DestinationID, Batch: ids[i]}}
	}
	now := time.Now().UnixMicro()
	return s.q.EnqueueWith(ctx, reqs, func(ctx context.Context, tx jobs.Execer) error {
		for i, b := range batches {
			for _, p := range b {
				if err := tx.Exec(ctx, insertWaiting, p.d.Key, p.d.DestinationID, p.d.ProfileID, p.d.EventID, p.d.EventType,
					StatusWaiting, p.maxAttempts, now, now, ids[i], p.data); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// run inserts waiting deliveries in batches, and reloads the destinations
// when the configuration changed in another process.
func (s *Service) run() {
	defer close(s.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	batch := make([]pending, 0, 1024)
	var enc []byte // the encoded batch, reused
	flush := func() {
		f := s.forward.Load()
		if f != nil {
			enc = encodeBatch(enc[:0], batch)
		}
		if f == nil || !(*f)(enc) {
			s.store(batch, s.stop, 0)
		}
		clear(batch)
		batch = batch[:0]
	}
	for {
		select {
		case p := <-s.in:
			batch = append(batch, p)
			// Gather for a while: fewer, fuller jobs and transactions
			// keep the queue's database (which /track's own scheduling
			// writes to) free most of the time. A delivery waits for
			// gatherFor at most before it is queued.
			wait := time.After(gatherFor)
		fill:
			for len(batch) < cap(batch) {
				select {
				case p := <-s.in:
					batch = append(batch, p)
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
				case p := <-s.in:
					batch = append(batch, p)
					continue
				default:
				}
				break
			}
			if len(batch) > 0 {
				flush()
			}
			return
		}
	}
}

// destination answers the destination a job delivers to (why is set when
// the job is to be cancelled). A first attempt takes the enabled ones at
// hand, compiled (as fresh as the last reload); a retry, and a destination
// not at hand, read the stored one, so that a destination disabled or
// deleted meanwhile stops its retries at once.
func (s *Service) destination(ctx context.Context, id string, retry bool) (c *compiled, why string, err error) {
	if !retry {
		for _, c := range *s.list.Load() {
			if c.id == id {
				return c, "", nil
			}
		}
	}
	d, err := s.st.GetConfig(ctx, Kind, id)
	if err != nil {
		return nil, "", err // store.ErrNotFound: deleted
	}
	c, err = compile(d)
	switch {
	case err != nil:
		return nil, "the destination no longer compiles: " + err.Error(), nil
	case !c.enabled:
		return nil, "the destination is disabled", nil
	}
	return c, "", nil
}

// outcome is one delivery's attempt, for the log.
type outcome struct {
	d      deliveryArgs
	status string
	code   int
	msg    string
	took   time.Duration
}

// work delivers one job's deliveries. Those the log shows delivered (by an
// earlier attempt of the job, or a job of the same event) are skipped; the
// others are sent, and the job fails (to be tried again with backoff) when
// any of them did.
func (s *Service) work(ctx context.Context, j *jobs.Job) error {
	var a jobArgs
	if err := json.Unmarshal(j.Args, &a); err != nil {
		return jobs.Cancel(fmt.Errorf("delivery arguments: %w", err))
	}
	destID := a.DestinationID
	start := time.Now()
	c, why, err := s.destination(ctx, destID, j.Attempt > 1)
	if errors.Is(err, store.ErrNotFound) {
		// Its log went with it: nothing to record.
		return jobs.Cancel(errors.New("the destination was deleted"))
	}
	var ds []deliveryArgs
	switch {
	case a.Batch != "":
		var lerr error
		if ds, lerr = s.waiting(ctx, destID, a.Batch); lerr != nil {
			return lerr
		}
		if len(ds) == 0 {
			// Delivered, or moved to a later batch, or its log was deleted
			// with the destination (since it was read above).
			if _, gerr := s.st.GetConfig(ctx, Kind, destID); errors.Is(gerr, store.ErrNotFound) {
				return jobs.Cancel(errors.New("the destination was deleted"))
			}
			return nil
		}
	case a.Key != "":
		// An earlier version's job: its delivery may have gone out already.
		if done, lerr := s.delivered(ctx, a.Key); lerr != nil || done {
			return lerr
		}
		ds = []deliveryArgs{a.deliveryArgs}
	default:
		return jobs.Cancel(fmt.Errorf("delivery arguments: no deliveries in %s", j.Args))
	}
	all := func(status, msg string) []outcome {
		out := make([]outcome, len(ds))
		for i, d := range ds {
			out[i] = outcome{d: d, status: status, msg: msg, took: time.Since(start)}
		}
		return out
	}
	switch {
	case err != nil:
		s.record(ctx, j, destID, all(StatusRetrying, err.Error()))
		return err // the database: try again
	case why != "":
		s.record(ctx, j, destID, all(StatusCancelled, why))
		return jobs.Cancel(errors.New(why))
	}
	out := make([]outcome, len(ds))
	var wg sync.WaitGroup
	sem := make(chan struct{}, sendParallel)
	for i, d := range ds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			t0 := time.Now()
			code, err := s.send(ctx, c, d)
			o := outcome{d: d, status: StatusDelivered, code: code, took: time.Since(t0)}
			if err != nil {
				o.msg, o.status = err.Error(), StatusRetrying
				if j.Attempt >= j.MaxAttempts {
					o.status = StatusDead
				}
			}
			out[i] = o
		}()
	}
	wg.Wait()
	s.record(ctx, j, destID, out)
	failed, first := 0, ""
	for _, o := range out {
		if s.Observe != nil {
			s.Observe(o.status, o.took)
		}
		if o.status != StatusDelivered {
			if failed == 0 {
				first = o.msg
			}
			failed++
		}
	}
	switch {
	case failed == 0:
		return nil
	case len(ds) == 1:
		return errors.New(first)
	}
	return fmt.Errorf("%d of %d deliveries failed; the first: %s", failed, len(ds), first)
}

// waiting answers the deliveries of a batch not delivered yet, with their
// data.
func (s *Service) waiting(ctx context.Context, destID, batch string) ([]deliveryArgs, error) {
	rows, err := s.q.DB().QueryContext(ctx, s.q.Rebind(`SELECT id, profile_id, event_id, event_type, data FROM destination_deliveries
		WHERE batch = ? AND destination_id = ? AND status <> ? ORDER BY created_us, id`), batch, destID, StatusDelivered)
	if err != nil {
		return nil, fmt.Errorf("destinations: reading the batch: %w", err)
	}
	defer rows.Close()
	var out []deliveryArgs
	for rows.Next() {
		var d deliveryArgs
		var data sql.NullString
		if err := rows.Scan(&d.Key, &d.ProfileID, &d.EventID, &d.EventType, &data); err != nil {
			return nil, fmt.Errorf("destinations: reading the batch: %w", err)
		}
		if data.Valid {
			d.Data = json.RawMessage(data.String)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// delivered says whether the log shows the delivery with this key
// delivered.
func (s *Service) delivered(ctx context.Context, key string) (bool, error) {
	var n int
	err := s.q.DB().QueryRowContext(ctx, s.q.Rebind(`SELECT count(*) FROM destination_deliveries WHERE id = ? AND status = ?`),
		key, StatusDelivered).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("destinations: reading the delivery log: %w", err)
	}
	return n > 0, nil
}

// record writes the job's outcomes to the delivery log, in one
// transaction.
func (s *Service) record(ctx context.Context, j *jobs.Job, destID string, out []outcome) {
	if len(out) == 0 {
		return
	}
	err := s.recordTx(context.WithoutCancel(ctx), j, destID, out)
	if err != nil {
		s.log.Error("destinations: writing the delivery log", "destination", destID, "deliveries", len(out), "err", err)
	}
}

func (s *Service) recordTx(ctx context.Context, j *jobs.Job, destID string, out []outcome) error {
	tx, err := s.q.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, s.q.Rebind(`INSERT INTO destination_deliveries
		(id, destination_id, profile_id, event_id, event_type, job_id, status, attempts, max_attempts, http_status, last_error, latency_ms, created_us, updated_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, status = excluded.status, attempts = excluded.attempts,
			max_attempts = excluded.max_attempts, http_status = excluded.http_status, last_error = excluded.last_error,
			latency_ms = excluded.latency_ms, updated_us = excluded.updated_us`))
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now().UnixMicro()
	for _, o := range out {
		msg := o.msg
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		if _, err := st.ExecContext(ctx, o.d.Key, destID, o.d.ProfileID, o.d.EventID, o.d.EventType, j.ID,
			o.status, j.Attempt, j.MaxAttempts, o.code, msg, o.took.Milliseconds(), now, now); err != nil {
			return err
		}
	}
	return tx.Commit()
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

// RetryNow runs a delivery's job again at once, whatever its state: a dead
// one is tried again, a delivered one sent again (with its key, so that
// the receiver can tell). It answers the delivery as logged, marked queued.
func (s *Service) RetryNow(ctx context.Context, destinationID, deliveryID string) (Delivery, error) {
	db := s.q.DB()
	d, err := scanDelivery(db.QueryRowContext(ctx, s.q.Rebind(`SELECT `+deliveryCols+` FROM destination_deliveries WHERE id = ? AND destination_id = ?`), deliveryID, destinationID))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("delivery %q of destination %q: %w", deliveryID, destinationID, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("destinations: delivery: %w", err)
	}
	if d.JobID == 0 {
		return d, nil // not tried yet: its job runs it shortly
	}
	// Marked before the job is retried, so that the worker's own record
	// of the new attempt comes after.
	now := time.Now()
	if _, err := db.ExecContext(ctx, s.q.Rebind(`UPDATE destination_deliveries SET status = ?, updated_us = ? WHERE id = ?`),
		StatusQueued, now.UnixMicro(), d.ID); err != nil {
		return Delivery{}, fmt.Errorf("destinations: delivery: %w", err)
	}
	if _, err := s.q.Retry(ctx, d.JobID); err != nil {
		return Delivery{}, err
	}
	d.Status = StatusQueued
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

// deliveryTransport is the HTTP transport of deliveries: the default one,
// with enough idle connections per receiver for the deliveries in flight.
func deliveryTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = sendParallel * 8 // River's workers of the kind
	t.MaxIdleConns = 256
	return t
}
