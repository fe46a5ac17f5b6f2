package api

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// readyTimeout bounds the database check of /readyz.
const readyTimeout = 2 * time.Second

// The operations endpoints are public: probes and scrapers do not log in.
// /metrics asks for Options.MetricsToken as a bearer token when one is set.
func (s *Server) opsRoutes() []Route {
	metrics := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	return []Route{
		{Method: "GET", Path: "/healthz", Tag: "operations", Summary: "Liveness: the process answers HTTP", Answer: jsonAnswer("Status"), handle: s.handleHealthz},
		{Method: "GET", Path: "/readyz", Tag: "operations", Summary: "Readiness: the database answers (503 when it does not)", Answer: jsonAnswer("Status"), handle: s.handleReadyz},
		{Method: "GET", Path: "/metrics", Tag: "operations",
			Summary: "Prometheus metrics in the text format; when the server has a metrics token (--metrics-token), send it as a bearer token",
			Answer:  &Answer{ContentType: metricsContentType, Schema: sStr, Description: "Prometheus' text exposition format 0.0.4 (a scraper that asks for OpenMetrics in Accept gets that)."},
			handle: func(w http.ResponseWriter, r *http.Request) error {
				if tok := s.opt.MetricsToken; tok != "" && subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(tok)) != 1 {
					w.Header().Set("WWW-Authenticate", `Bearer realm="tracflow metrics"`)
					return errorf(http.StatusUnauthorized, "the metrics need the metrics token: send Authorization: Bearer <token>")
				}
				metrics.ServeHTTP(w, r)
				return nil
			}},
	}
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
