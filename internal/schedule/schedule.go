// Package schedule runs things at times: schedules (configuration
// documents of kind "schedule") that send an event every so often, so
// that the flows its rules select run (a flow started every hour with a
// synthetic event), or that enqueue a job of a registered kind (segment
// re-evaluation registers its kind, and a schedule names it).
//
// A periodic job, run by the queue's leader only, looks at the schedules
// every TickEvery and enqueues one fire job per due time of each, unique
// by schedule and time: two servers that both think they lead fire a
// schedule once. A fire of an event schedule is tracked with an event id
// made of the schedule and the time, so that a fire run twice (a crash
// before its job was marked done) is recognised as a retry.
package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
)

// Kind is the configuration kind of schedules.
const Kind = "schedule"

// Job kinds.
const (
	TickKind = "schedule.tick" // periodic: enqueue the due fires
	FireKind = "schedule.fire" // one run of one schedule
)

// MinEvery is the shortest interval of a schedule.
const MinEvery = time.Minute

// maxCatchUp bounds the fires one tick enqueues for one schedule (after a
// long stop, a schedule does not fire for every time it missed).
const maxCatchUp = 10

// Tracker tracks a schedule's event.
type Tracker interface {
	Track(ctx context.Context, p *tracking.Payload, headers map[string]any) (*tracking.Result, error)
}

func invalid(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

// When is a schedule's timing: a cron expression (five fields, in UTC, or
// a descriptor such as @hourly) or an interval.
type When interface {
	Next(t time.Time) time.Time
}

type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Truncate(time.Duration(e)).Add(time.Duration(e)) }

// parseWhen reads a schedule's "cron" or "every".
func parseWhen(d store.Doc) (When, error) {
	c, _ := d["cron"].(string)
	e, _ := d["every"].(string)
	switch {
	case c != "" && e != "":
		return nil, invalid("cron", "give either cron or every, not both")
	case c != "":
		s, err := cron.ParseStandard(c)
		if err != nil {
			return nil, invalid("cron", fmt.Sprintf("%v; expected five fields (minute hour day month weekday, e.g. \"0 * * * *\") or @hourly, @daily...", err))
		}
		return s, nil
	case e != "":
		dur, err := time.ParseDuration(e)
		if err != nil || dur < MinEvery {
			return nil, invalid("every", fmt.Sprintf("expected a duration of a minute or more, e.g. \"1h\" or \"15m\", got %q", e))
		}
		return every(dur), nil
	}
	return nil, invalid("cron", "a schedule needs cron (e.g. \"0 * * * *\") or every (e.g. \"1h\")")
}

// Normalize checks a schedule document and answers it as stored, with an
// id and defaults. kinds says which job kinds a job schedule may name.
// Every error names the field.
func Normalize(d store.Doc, kinds []string) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected a schedule object")
	}
	out := make(store.Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	if v, ok := d["id"]; ok && v != nil {
		if _, isStr := v.(string); !isStr {
			return nil, invalid("id", "expected a string")
		}
	}
	if id, _ := d["id"].(string); strings.TrimSpace(id) == "" {
		out["id"] = domain.NewID()
	}
	if name, _ := d["name"].(string); strings.TrimSpace(name) == "" {
		return nil, invalid("name", "is required")
	}
	for _, k := range []string{"description", "cron", "every", "job"} {
		if v, ok := d[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return nil, invalid(k, "expected a string")
			}
		}
	}
	if v, ok := d["enabled"]; ok && v != nil {
		if _, isBool := v.(bool); !isBool {
			return nil, invalid("enabled", "expected true or false")
		}
	} else {
		out["enabled"] = true
	}
	if _, err := parseWhen(d); err != nil {
		return nil, err
	}
	job, _ := d["job"].(string)
	ev, hasEvent := d["event"]
	switch {
	case job != "" && hasEvent && ev != nil:
		return nil, invalid("job", "give either an event or a job, not both")
	case job != "":
		known := false
		for _, k := range kinds {
			known = known || k == job
		}
		if !known {
			return nil, invalid("job", fmt.Sprintf("%q is not a job kind this server runs (known: %s)", job, strings.Join(kinds, ", ")))
		}
		if a, ok := d["args"]; ok && a != nil {
			if _, isObj := a.(map[string]any); !isObj {
				return nil, invalid("args", "expected an object")
			}
		}
	default:
		if _, err := eventOf(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eventOf reads an event schedule's event: {source: {id}, type,
// properties, profile: {id} | null}.
func eventOf(d store.Doc) (*tracking.Payload, error) {
	ev, ok := d["event"].(map[string]any)
	if !ok {
		return nil, invalid("event", "a schedule needs an event ({source: {id}, type, properties, profile}) or a job kind")
	}
	body := map[string]any{"source": ev["source"], "events": []any{map[string]any{"type": ev["type"], "properties": ev["properties"]}}}
	if p, ok := ev["profile"]; ok && p != nil {
		body["profile"] = p
	}
	p, err := tracking.ParsePayload(body, 1)
	if err != nil {
		var fe plugin.FieldErrors
		if errors.As(err, &fe) && len(fe) > 0 {
			field := strings.Replace(fe[0].Field, "events[0].", "", 1)
			return nil, invalid("event."+field, fe[0].Message)
		}
		return nil, err
	}
	p.ProfileLess = p.ProfileID == ""
	return p, nil
}

// Service fires schedules.
type Service struct {
	st   store.Store
	tr   Tracker
	q    *jobs.Queue
	log  *slog.Logger
	tick time.Duration
	now  func() time.Time
}

// Options tune the service.
type Options struct {
	// TickEvery is how often the due schedules are looked at (default 30s).
	TickEvery time.Duration
}

// New makes the service; register JobKinds and Periodic with the queue,
// then call Init.
func New(st store.Store, tr Tracker, log *slog.Logger, o Options) *Service {
	if log == nil {
		log = slog.Default()
	}
	if o.TickEvery <= 0 {
		o.TickEvery = 30 * time.Second
	}
	return &Service{st: st, tr: tr, log: log, tick: o.TickEvery, now: time.Now}
}

// JobKinds answers the kinds the service works.
func (s *Service) JobKinds() []jobs.Kind {
	return []jobs.Kind{{Name: TickKind, Handle: s.doTick, MaxAttempts: 3}, {Name: FireKind, Handle: s.fire, MaxAttempts: 10}}
}

// Periodic answers the tick.
func (s *Service) Periodic() []jobs.Periodic {
	return []jobs.Periodic{{Kind: TickKind, Every: s.tick, RunOnStart: true}}
}

// Init creates the table of the schedules' last fires.
func (s *Service) Init(ctx context.Context, q *jobs.Queue) error {
	s.q = q
	if _, err := q.DB().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schedule_fires (
		schedule_id TEXT PRIMARY KEY,
		last_us     BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("schedules: %w", err)
	}
	return nil
}

// JobKindNames answers the kinds a job schedule may name: those of the
// queue, less the service's own.
func (s *Service) JobKindNames() []string {
	var out []string
	for _, k := range s.q.Kinds() {
		if k != TickKind && k != FireKind {
			out = append(out, k)
		}
	}
	return out
}

type fireArgs struct {
	ScheduleID string    `json:"schedule_id"`
	At         time.Time `json:"at"`
}

func (s *Service) doTick(ctx context.Context, _ *jobs.Job) error { return s.Tick(ctx, s.now()) }

// Tick enqueues a fire for every due time, up to now, of every enabled
// schedule since its last fire (a schedule seen for the first time starts
// from now). The leader's periodic job calls it with the clock's time.
func (s *Service) Tick(ctx context.Context, now time.Time) error {
	docs, err := s.st.ListConfig(ctx, Kind)
	if err != nil {
		return err
	}
	now = now.UTC()
	db := s.q.DB()
	for _, d := range docs {
		id := domain.Str(d, "id")
		if en, ok := d["enabled"].(bool); ok && !en {
			continue
		}
		when, err := parseWhen(d)
		if err != nil {
			continue
		}
		var last int64
		err = db.QueryRowContext(ctx, s.q.Rebind(`SELECT last_us FROM schedule_fires WHERE schedule_id = ?`), id).Scan(&last)
		from := time.UnixMicro(last).UTC()
		if err != nil {
			from = now // new: fire from the next time on
		}
		var reqs []jobs.Request
		t := from
		for len(reqs) < maxCatchUp {
			next := when.Next(t)
			if next.After(now) || next.IsZero() {
				break
			}
			reqs = append(reqs, jobs.Request{Kind: FireKind, Key: fmt.Sprintf("%s@%d", id, next.Unix()),
				Args: fireArgs{ScheduleID: id, At: next.UTC()}})
			t = next
		}
		if len(reqs) == maxCatchUp {
			t = now // the times missed beyond these are skipped
		}
		if len(reqs) > 0 {
			if err := s.q.EnqueueMany(ctx, reqs); err != nil {
				return err
			}
		}
		if _, err := db.ExecContext(ctx, s.q.Rebind(`INSERT INTO schedule_fires (schedule_id, last_us) VALUES (?, ?)
			ON CONFLICT (schedule_id) DO UPDATE SET last_us = excluded.last_us`), id, max(t.UnixMicro(), from.UnixMicro())); err != nil {
			return fmt.Errorf("schedules: %w", err)
		}
	}
	return nil
}

// fire runs one due time of a schedule.
func (s *Service) fire(ctx context.Context, j *jobs.Job) error {
	var a fireArgs
	if err := json.Unmarshal(j.Args, &a); err != nil || a.ScheduleID == "" {
		return jobs.Cancel(fmt.Errorf("fire arguments %s: a schedule_id is required", j.Args))
	}
	d, err := s.st.GetConfig(ctx, Kind, a.ScheduleID)
	if errors.Is(err, store.ErrNotFound) {
		return jobs.Cancel(errors.New("the schedule was deleted"))
	}
	if err != nil {
		return err
	}
	if en, ok := d["enabled"].(bool); ok && !en {
		return jobs.Cancel(errors.New("the schedule is disabled"))
	}
	if job, _ := d["job"].(string); job != "" {
		var args any = d["args"]
		if args == nil {
			args = map[string]any{}
		}
		_, _, err := s.q.Enqueue(ctx, jobs.Request{Kind: job, Args: args, Key: fmt.Sprintf("schedule:%s@%d", a.ScheduleID, a.At.Unix())})
		if errors.Is(err, jobs.ErrUnknownKind) {
			return jobs.Cancel(err)
		}
		return err
	}
	p, err := eventOf(d)
	if err != nil {
		return jobs.Cancel(err)
	}
	p.Events[0].ID = fireEventID(a.ScheduleID, a.At)
	p.Options = map[string]any{}
	if p.Events[0].Properties == nil {
		p.Events[0].Properties = map[string]any{}
	}
	p.Events[0].Time = map[string]any{"create": a.At.UTC().Format(time.RFC3339)}
	res, err := s.tr.Track(ctx, p, map[string]any{"x-tracflow-schedule": a.ScheduleID})
	var fe plugin.FieldErrors
	switch {
	case errors.Is(err, tracking.ErrUnknownSource), errors.Is(err, tracking.ErrDisabledSource), errors.As(err, &fe):
		return jobs.Cancel(err)
	case err != nil:
		return err
	}
	if len(res.Errors) > 0 {
		s.log.Warn("a scheduled event's flows failed", "schedule", a.ScheduleID, "errors", res.Errors)
	}
	return nil
}

// fireEventID is the event id of a schedule's fire at a time: the same for
// every attempt of that fire.
func fireEventID(scheduleID string, at time.Time) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", scheduleID, at.Unix())))
	return "sched-" + hex.EncodeToString(h[:12])
}
