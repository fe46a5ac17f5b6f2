// Package api is Tracflow's HTTP interface: the collector endpoints
// (/track, /collect) and the management API used by the web editor.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/destinations"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/inbox"
	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/schedule"
	"github.com/tracflow/tracflow/internal/segments"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// The roles of the route table: package auth's, named here so that route
// tables read RoleAdmin.
const (
	RoleAdmin      = auth.RoleAdmin
	RoleDeveloper  = auth.RoleDeveloper
	RoleMarketer   = auth.RoleMarketer
	RoleMaintainer = auth.RoleMaintainer
)

// AllRoles lists every role (auth.AllRoles).
var AllRoles = auth.AllRoles

// Options configure the server.
type Options struct {
	MaxBody   int64 // bytes; default 1 MiB
	MaxEvents int   // per /track request; default 1000
	TokenTTL  time.Duration
	Log       *slog.Logger
	// MetricsToken, when set, is a bearer token that may read GET /metrics
	// (besides the API tokens of MetricsRoles), and the one MetricsHandler
	// asks for.
	MetricsToken string
	// Static serves the web GUI at "/" (nil: no GUI).
	Static http.Handler
	// TrackerDir, when set, is served at /tracker/ (with CORS), so that pages
	// can load a browser tracker, such as Tracardi's liliput.min.js, from the
	// collector's own origin.
	TrackerDir string
	// Resources stores resources and their encrypted credentials (nil: the
	// resource routes answer 503).
	Resources *resources.Service
	// TrustedProxies are the proxies whose X-Forwarded-For names the client
	// (for login throttling); from any other peer the header is ignored.
	TrustedProxies []netip.Prefix
	// Installed is the plugin list Reinstall Plugins installs: the
	// binary's own, handed down from its main (nil: Reinstall Plugins
	// answers 503).
	Installed func() []plugin.Installed
	// FlowLimits bound the work of debug runs (POST /flow/debug), as the
	// tracker's bound the runs of tracked events.
	FlowLimits workflow.Limits
	// Jobs is the background job queue (nil: the job routes answer 503).
	Jobs *jobs.Queue
	// Destinations delivers to destinations (nil: their routes answer 503).
	Destinations *destinations.Service
	// Inbox queues asynchronously collected requests (nil: PUT /track and
	// asynchronous sources answer 503).
	Inbox *inbox.Service
	// Schedules fires schedules (nil: their routes answer 503).
	Schedules *schedule.Service
	// Segments re-evaluates every segment in the background (nil: its
	// route answers 503).
	Segments *segments.Refresher
}

// Server holds what the handlers need.
type Server struct {
	st      store.Store
	cat     *catalog.Catalog
	reg     *registry.Registry
	tracker *tracking.Tracker
	auth    *auth.Auth
	metrics *Metrics
	// metricsHandler writes the metrics in Prometheus' text format.
	metricsHandler http.Handler
	// trackerDir serves --tracker-dir at /tracker/.
	trackerDir http.Handler
	opt        Options
	log        *slog.Logger
	routes     []Route
	mux        *http.ServeMux
	docState
}

// Route is one entry of the route table. Roles empty means public.
type Route struct {
	Method  string
	Path    string // net/http pattern path, e.g. /profile/{id}
	Summary string
	Roles   []string
	Tag     string
	Body    *Body   // the request body, for the API document (see Body)
	Query   []Param // the query parameters, for the API document
	Answer  *Answer // the successful answer, for the API document
	handle  func(w http.ResponseWriter, r *http.Request) error
}

// New builds the server and its route table.
func New(st store.Store, cat *catalog.Catalog, tracker *tracking.Tracker, opt Options) *Server {
	if opt.MaxBody <= 0 {
		opt.MaxBody = 1 << 20
	}
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = 1000
	}
	if opt.TokenTTL <= 0 {
		opt.TokenTTL = time.Hour
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	s := &Server{st: st, cat: cat, reg: cat.Registry(), tracker: tracker, opt: opt, log: opt.Log}
	if opt.Resources != nil {
		cat.SetRemoteCredentials(productionCredentials(opt.Resources))
	}
	s.auth = auth.NewAuth(st, opt.TokenTTL)
	s.metrics = newMetrics(st)
	if opt.Jobs != nil {
		s.metrics.registerJobMetrics(opt.Jobs, opt.Destinations)
	}
	if opt.Inbox != nil {
		s.metrics.registerInboxMetrics(opt.Inbox)
	}
	s.metricsHandler = promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	if tracker != nil && tracker.Observe == nil {
		tracker.Observe = s.metrics
	}
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	// Preflight for the collector endpoints (browsers on other origins).
	for _, p := range []string{"/track", "/collect/{event_type}/{source_id}", "/collect/{event_type}/{source_id}/{session_id}"} {
		s.mux.HandleFunc("OPTIONS "+p, s.preflight)
	}
	s.trackerDir = s.trackerFiles(opt.TrackerDir)
	s.mux.Handle("GET /tracker/", s.trackerDir)
	if opt.Static != nil {
		s.mux.Handle("GET /", opt.Static)
	}
	return s
}

// Auth returns the server's authentication service.
func (s *Server) Auth() *auth.Auth { return s.auth }

// Routes returns the route table.
func (s *Server) Routes() []Route { return s.routes }

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	return s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				id := domain.NewID()
				s.log.Error("handler panicked", "path", r.URL.Path, "request_id", id, "panic", v, "stack", string(debug.Stack()))
				writeInternalError(w, id)
			}
		}()
		h := w.Header()
		// No answer is to be sniffed as another type, framed by other sites
		// (clickjacking the editor) or leak its URL onwards.
		h["X-Content-Type-Options"] = hdrNosniff
		h["X-Frame-Options"] = hdrDeny
		h["Referrer-Policy"] = hdrSameOrigin
		// API answers are data, never a page: nothing in them may run or
		// load. The GUI and /docs set a policy of their own.
		h["Content-Security-Policy"] = hdrAPIPolicy
		s.mux.ServeHTTP(&notFoundJSON{ResponseWriter: w}, r)
	}))
}

// Header values every answer (or every collector answer) carries, shared
// rather than allocated per request. Each slice's capacity is its length, so
// that Header.Add on the same key copies it instead of writing into it; Set
// replaces it.
var (
	hdrNosniff    = []string{"nosniff"}
	hdrDeny       = []string{"DENY"}
	hdrSameOrigin = []string{"same-origin"}
	hdrAPIPolicy  = []string{"default-src 'none'; frame-ancestors 'none'"}
	hdrAnyOrigin  = []string{"*"}
	hdrJSON       = []string{"application/json"}
)

// notFoundJSON turns net/http's plain-text 404 and 405 answers into JSON.
type notFoundJSON struct {
	http.ResponseWriter
	plain bool
}

func (w *notFoundJSON) WriteHeader(code int) {
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.plain = true
		w.Header().Set("Content-Type", "application/json")
		w.ResponseWriter.WriteHeader(code)
		msg := "not found"
		if code == http.StatusMethodNotAllowed {
			msg = "method not allowed"
		}
		fmt.Fprintf(w.ResponseWriter, `{"detail":%q}`+"\n", msg)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *notFoundJSON) Write(b []byte) (int, error) {
	if w.plain {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *notFoundJSON) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Error is an API error answer: {"detail": ..., "errors": [...]}.
type Error struct {
	Status int
	Detail string
	Errors any
}

func (e *Error) Error() string { return e.Detail }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Detail: fmt.Sprintf(format, args...)}
}

func (s *Server) wrap(rt Route) http.Handler {
	params := pathParams(rt.Path)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfo(r)
		if info != nil {
			info.route, info.tag = rt.Path, rt.Tag
		}
		if err := checkPathValues(r, params); err != nil {
			s.fail(w, r, err)
			return
		}
		if len(rt.Roles) > 0 {
			u, err := s.auth.Authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tracflow"`)
				s.fail(w, r, err)
				return
			}
			if !u.HasAnyRole(rt.Roles) {
				s.fail(w, r, errorf(http.StatusForbidden, "your roles (%s) may not call %s %s; it needs one of: %s",
					strings.Join(u.Roles, ", "), rt.Method, rt.Path, strings.Join(rt.Roles, ", ")))
				return
			}
			if info != nil {
				info.user = u.Email
			}
			r = r.WithContext(auth.WithUser(r.Context(), u))
		}
		if err := rt.handle(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// CurrentUser returns the authenticated user of a request.
func CurrentUser(r *http.Request) *auth.User { return auth.UserFrom(r.Context()) }

// fail writes err as a JSON error answer.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *Error
	var fes plugin.FieldErrors
	var fe plugin.FieldError
	var mbe *http.MaxBytesError
	var te *auth.ThrottledError
	var se, stale *store.StaleError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, auth.ErrUnauthenticated):
		ae = &Error{Status: http.StatusUnauthorized, Detail: err.Error()}
	case errors.As(err, &te):
		secs := int(te.RetryAfter.Round(time.Second).Seconds())
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		ae = &Error{Status: http.StatusTooManyRequests, Detail: te.Error()}
	case errors.As(err, &se):
		ae = &Error{Status: http.StatusConflict, Detail: staleDetail(se)}
		stale = se
	case errors.As(err, &fes):
		ae = invalid(fes...)
	case errors.As(err, &fe):
		ae = invalid(fe)
	case errors.As(err, &mbe):
		ae = errorf(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, store.ErrNotFound):
		ae = &Error{Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, store.ErrConflict):
		ae = &Error{Status: http.StatusConflict, Detail: err.Error()}
	default:
		// The error's text (a database's message, a file path) stays in
		// the log; the answer carries the id to find it there.
		id := domain.NewID()
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "request_id", id, "err", err)
		writeInternalError(w, id)
		return
	}
	body := map[string]any{"detail": ae.Detail}
	if ae.Errors != nil {
		body["errors"] = ae.Errors
	}
	if stale != nil {
		// Clients tell a version conflict from other 409s by this field.
		body["current_version"] = stale.Have
	}
	writeJSON(w, ae.Status, body)
}

// writeInternalError answers 500 with a generic message and the request id
// under which the server logged what went wrong.
func writeInternalError(w http.ResponseWriter, id string) {
	w.Header().Set("X-Request-Id", id)
	writeJSON(w, http.StatusInternalServerError, map[string]any{
		"detail":     "internal error; the server's log has the details under request id " + id,
		"request_id": id,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// staleDetail explains a conditional write that found the document changed.
func staleDetail(se *store.StaleError) string {
	what := strings.ReplaceAll(se.Kind, "-", " ")
	switch {
	case se.Want == 0:
		return fmt.Sprintf("%s %q already exists: someone else saved it since you opened it (it is at version %d); reload it, then make your change again", what, se.ID, se.Have)
	case se.Have == 0:
		return fmt.Sprintf("%s %q was deleted by someone else since you opened it (version %d)", what, se.ID, se.Want)
	}
	return fmt.Sprintf("%s %q was changed by someone else since you opened it (you have version %d, it is now at version %d): reload it, then make your change again", what, se.ID, se.Want, se.Have)
}
