// Package testenv starts a complete Tracflow server (store, catalog,
// tracker, API) inside a test, on a real SQLite file or, when
// TRACFLOW_TEST_PG is set, on a fresh PostgreSQL schema.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/flowwait"
	"github.com/tracflow/tracflow/internal/inbox"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/schedule"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/tracking"
)

// Admin credentials of test servers.
const (
	AdminEmail    = "admin@example.com"
	AdminPassword = "correct horse battery staple"
)

// Env is a running test server.
type Env struct {
	T       testing.TB
	URL     string
	Store   store.Store
	Catalog *catalog.Catalog
	Server  *api.Server
	Tracker *tracking.Tracker
	// Dir is the data folder (the SQLite file and the secret key file).
	Dir   string
	Token string // the admin's bearer token
	// Jobs and Destinations run when Options.Background is set.
	Jobs         *jobs.Queue
	Destinations *destinations.Service
	// Inbox queues asynchronously collected requests (with Background).
	Inbox *inbox.Service
	// Schedules fires schedules (with Background).
	Schedules *schedule.Service
	// Segments re-evaluates the segments (with Options.Background).
	Segments *segments.Refresher
}

// Options change what New starts.
type Options struct {
	// DSN opens this database instead of a new SQLite file.
	DSN     string
	DataDir string
	API     api.Options
	// Tracking sets the tracker's options; New sets the cache (on SQLite)
	// and the resources.
	Tracking tracking.Options
	// Background opens the job queue (polled every 20 ms, retries after
	// 100 ms) with the destinations service, as tracflow serve does.
	Background bool
	// ScheduleTick is how often schedules are looked at (with Background;
	// default a second).
	ScheduleTick time.Duration
	// QueueInStoreFile puts an SQLite queue in the store's own file (for
	// the benchmark that shows why the server does not).
	QueueInStoreFile bool
	// SegmentsPageSize sets the segments re-evaluation's page size (0: its
	// default).
	SegmentsPageSize int
}

// New starts a server on a new SQLite database in a temp folder, creates the
// admin account and logs in.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	dir := o.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := open.Open(ctx, o.DSN, dir)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	reg := registry.NewRegistry()
	if rep := reg.Install(actions.Installed()); len(rep.Error) > 0 {
		t.Fatalf("install plugins: %v", rep.Error)
	}
	cat := catalog.New(st, reg, nil)
	if err := cat.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err := cat.InstallPlugins(ctx, actions.Installed()); err != nil || len(rep.Error) > 0 {
		t.Fatalf("install plugins into storage: %v %v", err, rep.Error)
	}
	key, _, _, err := secrets.LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	res, err := resources.New(ctx, st, box)
	if err != nil {
		t.Fatal(err)
	}
	topt := o.Tracking
	topt.CacheProfiles, topt.Resources = o.DSN == "", res.ForRuns(false)
	var q *jobs.Queue
	var dest *destinations.Service
	var in *inbox.Service
	var sc *schedule.Service
	var tr *tracking.Tracker
	var segs *segments.Refresher
	e := &Env{T: t, Dir: dir}
	if o.Background {
		dest = destinations.New(st, res, nil)
		segs = segments.NewRefresher(st, func(id string) { e.Tracker.Forget(id) }, nil)
		segs.Catalog, segs.Data = cat, rundata.New(st)
		if o.SegmentsPageSize > 0 {
			segs.PageSize = o.SegmentsPageSize
		}
		in = inbox.New(lateTracker{&tr}, st, nil, inbox.Options{})
		fw := flowwait.New(lateTracker{&tr}, nil)
		tick := o.ScheduleTick
		if tick <= 0 {
			tick = time.Second
		}
		sc = schedule.New(st, lateTracker{&tr}, nil, schedule.Options{TickEvery: tick})
		jo := jobs.Options{Kinds: append(append(append(append(append(dest.JobKinds(), segs.Kind()), in.JobKinds()...), fw.JobKinds()...), sc.JobKinds()...), tracking.VisitEndedKind(func() *tracking.Tracker { return tr })),
			Periodic: append(in.Periodic(), sc.Periodic()...), PollInterval: 20 * time.Millisecond,
			Backoff: func(int) time.Duration { return 100 * time.Millisecond }}
		if b, path := open.Classify(o.DSN, dir); o.QueueInStoreFile && b == open.SQLite {
			q, err = jobs.OpenSQLite(ctx, path, jo)
		} else {
			q, err = jobs.Open(ctx, o.DSN, dir, jo)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := dest.Init(ctx, q); err != nil {
			t.Fatal(err)
		}
		if err := in.Init(ctx, q); err != nil {
			t.Fatal(err)
		}
		if err := sc.Init(ctx, q); err != nil {
			t.Fatal(err)
		}
		fw.Init(q)
		dest.Start()
		segs.Init(q)
		topt.Committed, topt.Waits, topt.Jobs, topt.ScheduleEvent = dest.Notify, fw.Store, q, in.ScheduleEvent
		o.API.Jobs, o.API.Destinations, o.API.Segments, o.API.Inbox, o.API.Schedules = q, dest, segs, in, sc
	}
	tr = tracking.New(st, cat, topt)
	if o.API.Installed == nil {
		o.API.Installed = actions.Installed
	}
	if o.API.Resources == nil {
		o.API.Resources = res
	}
	srv := api.New(st, cat, tr, o.API)
	srv.Auth().Cost = bcrypt.MinCost // fast hashes: tests create many users
	hs := httptest.NewServer(srv.Handler())
	e.URL, e.Store, e.Catalog, e.Server, e.Tracker, e.Jobs, e.Destinations, e.Segments = hs.URL, st, cat, srv, tr, q, dest, segs
	e.Inbox, e.Schedules = in, sc
	if q != nil {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		in.Start(ctx)
	}
	t.Cleanup(func() {
		hs.Close()
		if q != nil {
			in.Close()
			dest.Close()
			q.Close(context.Background())
		}
		cat.Close()
		st.Close()
	})
	users, _ := st.ListConfig(ctx, auth.KindUser)
	if len(users) == 0 {
		if _, err := srv.Auth().CreateUser(ctx, AdminEmail, AdminPassword, "Admin", auth.AllRoles); err != nil {
			t.Fatal(err)
		}
	}
	e.Token = e.Login(AdminEmail, AdminPassword)
	return e
}

// Login logs in and returns the token (failing the test when refused).
func (e *Env) Login(email, password string) string {
	e.T.Helper()
	resp, err := http.PostForm(e.URL+"/user/token", url.Values{"username": {email}, "password": {password}})
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	derr := json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 || derr != nil {
		e.T.Fatalf("login %s: %d %v %v", email, resp.StatusCode, out, derr)
	}
	return out["access_token"].(string)
}

// Response is an HTTP answer with its decoded JSON body.
type Response struct {
	Status int
	Header http.Header
	Body   any
	Raw    []byte
}

// Obj returns the body as an object (nil when it is not one).
func (r *Response) Obj() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

// Do sends a request with the given token ("" for none) and a JSON body
// (a []byte or string is sent as is).
func (e *Env) Do(method, path, token string, body any) *Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			e.T.Errorf("%s %s answered non-JSON (%d): %q", method, path, resp.StatusCode, raw)
		}
	}
	return out
}

// Admin sends a request as the admin.
func (e *Env) Admin(method, path string, body any) *Response {
	e.T.Helper()
	return e.Do(method, path, e.Token, body)
}

// MustOK fails the test unless the answer is 200.
func (r *Response) MustOK(t testing.TB) *Response {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	return r
}

// Setup creates a source, deploys a flow (JSON) and a rule joining them for
// eventType; it returns the source id.
func (e *Env) Setup(sourceID, flowJSON, eventType string) string {
	e.T.Helper()
	e.Admin("POST", "/event-source", map[string]any{"id": sourceID, "name": "Test source " + sourceID, "type": []any{"rest"}, "enabled": true}).MustOK(e.T)
	var flow map[string]any
	if err := json.Unmarshal([]byte(flowJSON), &flow); err != nil {
		e.T.Fatal(err)
	}
	e.Admin("POST", "/flow/production", flow).MustOK(e.T)
	e.Admin("POST", "/rule", map[string]any{"id": "rule-" + flow["id"].(string) + "-" + eventType, "name": "Rule " + flow["id"].(string),
		"event_type": map[string]any{"id": eventType}, "source": map[string]any{"id": sourceID},
		"flow": map[string]any{"id": flow["id"]}, "enabled": true}).MustOK(e.T)
	return sourceID
}

// PGDSN returns the PostgreSQL test server's URL, or skips the test (see
// storetest.PostgresServer).
func PGDSN(t testing.TB) string {
	t.Helper()
	return storetest.PostgresServer(t)
}

// lateTracker hands the inbox's requests to the tracker, made after the
// queue as in tracflow serve.
type lateTracker struct{ t **tracking.Tracker }

func (l lateTracker) Track(ctx context.Context, p *tracking.Payload, h map[string]any) (*tracking.Result, error) {
	return (*l.t).Track(ctx, p, h)
}

func (l lateTracker) CheckSource(id string) error { return (*l.t).CheckSource(id) }

func (l lateTracker) Resume(ctx context.Context, w tracking.Waiting) ([]string, error) {
	return (*l.t).Resume(ctx, w)
}
