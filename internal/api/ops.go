package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/auth"
)

// readyTimeout bounds the database check of /readyz.
const readyTimeout = 2 * time.Second

// MetricsRoles may read /metrics with their API token.
var MetricsRoles = []string{RoleAdmin, RoleMaintainer}

// The probes are public: they do not log in. /metrics on the API's address
// asks for a token: the metrics token (Options.MetricsToken, for scrapers)
// or the API token of a user with one of MetricsRoles. A scraper that cannot
// send a token reads MetricsHandler on an address of its own instead.
func (s *Server) opsRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/healthz", Tag: "operations", Summary: "Liveness: the process answers HTTP", Answer: jsonAnswer("Status"), handle: s.handleHealthz},
		{Method: "GET", Path: "/readyz", Tag: "operations", Summary: "Readiness: the database answers (503 when it does not)", Answer: jsonAnswer("Status"), handle: s.handleReadyz},
		{Method: "GET", Path: "/metrics", Tag: "operations",
			Summary: "Prometheus metrics in the text format; send the metrics token (--metrics-token) or the API token of an admin or maintainer as a bearer token",
			Answer:  &Answer{ContentType: metricsContentType, Schema: sStr, Description: "Prometheus' text exposition format 0.0.4 (a scraper that asks for OpenMetrics in Accept gets that)."},
			handle: func(w http.ResponseWriter, r *http.Request) error {
				if err := s.metricsAccess(r); err != nil {
					var ae *Error
					if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
						w.Header().Set("WWW-Authenticate", `Bearer realm="tracflow metrics"`)
					}
					return err
				}
				s.metricsHandler.ServeHTTP(w, r)
				return nil
			}},
	}
}

// metricsAccess lets a request read /metrics on the API's address.
func (s *Server) metricsAccess(r *http.Request) error {
	tok := auth.Bearer(r)
	if tok == "" {
		return errorf(http.StatusUnauthorized, "the metrics need a token: send Authorization: Bearer <the metrics token (--metrics-token)> "+
			"or the API token of an admin or maintainer; or serve them on an address of their own (--metrics-addr)")
	}
	if mt := s.opt.MetricsToken; mt != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(mt)) == 1 {
		return nil
	}
	u, err := s.auth.Authenticate(r)
	if err != nil {
		return errorf(http.StatusUnauthorized, "the metrics need a token: this one is neither the metrics token nor a valid API token")
	}
	if !u.HasAnyRole(MetricsRoles) {
		return errorf(http.StatusForbidden, "your roles (%s) may not read the metrics; it needs one of: %s",
			strings.Join(u.Roles, ", "), strings.Join(MetricsRoles, ", "))
	}
	return nil
}

// MetricsHandler serves the metrics for a listener of their own
// (serve --metrics-addr): without a token, unless the server has a metrics
// token, which it then asks for.
func (s *Server) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "not found: this address serves /metrics only"})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"detail": "method not allowed"})
			return
		}
		if mt := s.opt.MetricsToken; mt != "" && subtle.ConstantTimeCompare([]byte(auth.Bearer(r)), []byte(mt)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tracflow metrics"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "the metrics need the metrics token: send Authorization: Bearer <token>"})
			return
		}
		s.metricsHandler.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	return nil
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.Warn("not ready: the database does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "detail": "database: " + err.Error()})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
	return nil
}

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.metrics }

// reqInfo is what the route handler learns about a request (its route and
// user) for the request's log line and metrics.
type reqInfo struct {
	route string
	tag   string
	user  string
}

type reqInfoKey struct{}

func requestInfo(r *http.Request) *reqInfo {
	i, _ := r.Context().Value(reqInfoKey{}).(*reqInfo)
	return i
}

// observe times every request, counts it in the metrics and logs it:
// management requests at info, collector and operations requests (and
// paths outside the route table) at debug, server errors at error.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := info.route
		if route == "" {
			// Not in the route table: CORS preflights, the GUI's files.
			if _, p, ok := strings.Cut(r.Pattern, " "); ok {
				route = p
			} else {
				route = "(unmatched)"
			}
		}
		s.metrics.request(r.Method, route, status, d)

		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case info.route == "" || info.tag == "collector" || info.tag == "operations":
			level = slog.LevelDebug
		}
		if !s.log.Enabled(r.Context(), level) {
			return
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Float64("ms", float64(d.Microseconds())/1000),
		}
		if info.user != "" {
			attrs = append(attrs, slog.String("user", info.user))
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// statusWriter remembers the status code of the answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
