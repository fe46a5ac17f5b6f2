package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/publicdir"
	"github.com/tracflow/tracflow/internal/tracking"
	"github.com/tracflow/tracflow/plugin"
)

// Cross-origin requests (CORS). The browser tracker sends no cookies and no
// credentials, so no answer ever carries Access-Control-Allow-Credentials.
// Which origins may send a source's events is the source's allowed_origins
// list (empty or "*": any origin). A preflight cannot know the source (its
// id is in the body), so preflights are answered for any origin; the
// request itself is checked against the source (see allowOrigin).

// publicCORS lets any origin read an answer that holds nothing private.
func publicCORS(w http.ResponseWriter) {
	w.Header()["Access-Control-Allow-Origin"] = hdrAnyOrigin
}

// allowOrigin checks a collector request's Origin against the source's
// allowed_origins and sets the CORS answer headers. A request without an
// Origin header (a server, not a browser page) and one naming an unknown
// source (which the tracker refuses) pass; a page of an origin the source
// does not list gets a 403.
func (s *Server) allowOrigin(w http.ResponseWriter, r *http.Request, sourceID string) error {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	src, ok := s.cat.Snapshot().Sources[sourceID]
	if !ok || catalog.AnyOriginAllowed(src) {
		publicCORS(w)
		return nil
	}
	h.Del("Access-Control-Allow-Origin")
	if origin == "" {
		return nil
	}
	if !catalog.OriginAllowed(src, origin) {
		return errorf(http.StatusForbidden, "origin %q may not send events of event source %q: add it to the source's allowed_origins", origin, sourceID)
	}
	h.Set("Access-Control-Allow-Origin", origin)
	return nil
}

func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	publicCORS(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "content-type, x-timestamp")
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// handleTrack is POST /track: Tracardi's collector protocol.
func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) error {
	publicCORS(w) // errors before the source is known are readable by any page
	var v any
	if err := s.readJSON(w, r, &v); err != nil {
		return err
	}
	p, err := tracking.ParsePayload(v, s.opt.MaxEvents)
	if err != nil {
		return trackError(err)
	}
	p.ProfileLess = r.URL.Query().Get("profile_less") == "true"
	if err := s.allowOrigin(w, r, p.SourceID); err != nil {
		return err
	}
	p.ClientIP = auth.ClientAddr(r, s.opt.TrustedProxies) // for the session's geo location
	if later, err := s.trackLater(w, r, p, s.tracker.Asynchronous(p.SourceID)); later {
		return err
	}
	res, err := s.tracker.Track(r.Context(), p, requestHeaders(r))
	if err != nil {
		return trackError(err)
	}
	return s.writeTracked(w, p, res)
}

// writeTracked writes the collector's answer: Tracardi's shape. It is
// written field by field, in a fixed order, rather than built as a map and
// encoded: no map per answer, and the same bytes for the same answer.
func (s *Server) writeTracked(w http.ResponseWriter, p *tracking.Payload, res *tracking.Result) error {
	bp := jsonx.GetScratch() // the ResponseWriter copies what it is given
	defer jsonx.PutScratch(bp)
	b, err := appendTracked(*bp, p, res)
	*bp = b
	if err != nil {
		return err
	}
	w.Header()["Content-Type"] = hdrJSON
	w.WriteHeader(http.StatusOK)
	*bp = append(b, '\n')
	_, err = w.Write(*bp)
	return err
}

// appendTracked appends the answer to b: task, profile, session, the
// flows' response and UX, errors and warnings, and the event ids when the
// tracker is debugging.
func appendTracked(b []byte, p *tracking.Payload, res *tracking.Result) ([]byte, error) {
	var err error
	b = append(b, `{"task":`...)
	b = jsonx.AppendString(b, res.Task)
	b = append(b, `,"profile":`...)
	if res.ProfileID != "" {
		b = append(b, `{"id":`...)
		b = jsonx.AppendString(b, res.ProfileID)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"session":{"id":`...)
	b = jsonx.AppendString(b, res.SessionID)
	b = append(b, `},"response":`...)
	if b, err = jsonx.Append(b, res.Response); err != nil {
		return b, err
	}
	b = append(b, `,"ux":`...)
	if b, err = jsonx.Append(b, res.UX); err != nil {
		return b, err
	}
	b = append(b, `,"errors":`...)
	b, _ = jsonx.Append(b, res.Errors)
	b = append(b, `,"warnings":`...)
	b, _ = jsonx.Append(b, res.Warnings)
	if p.Debug {
		b = append(b, `,"events":`...) // as Tracardi answers a debugging tracker
		b, _ = jsonx.Append(b, res.EventIDs)
	}
	return append(b, '}'), nil
}

func trackError(err error) error {
	var tm *tracking.TooManyEventsError
	switch {
	case errors.As(err, &tm):
		return &Error{Status: http.StatusRequestEntityTooLarge, Detail: tm.Error()}
	case errors.Is(err, tracking.ErrUnknownSource), errors.Is(err, tracking.ErrDisabledSource):
		return &Error{Status: http.StatusUnauthorized, Detail: err.Error()}
	}
	return err
}

// requestHeaders records the request's headers, minus credentials.
func requestHeaders(r *http.Request) map[string]any {
	h := make(map[string]any, len(r.Header))
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if lk == "authorization" || lk == "cookie" {
			continue
		}
		if len(v) == 1 {
			h[lk] = v[0]
		} else {
			h[lk] = strings.Join(v, ", ")
		}
	}
	return h
}

// handleCollect is GET|POST /collect/{event_type}/{source_id}[/{session_id}]:
// a webhook. The properties are the JSON body (POST) or the query
// parameters (GET). With a session id, the event belongs to that session's
// profile; without one it is profile-less unless ?profile_id= names one.
func (s *Server) handleCollect(w http.ResponseWriter, r *http.Request) error {
	if err := s.allowOrigin(w, r, r.PathValue("source_id")); err != nil {
		return err
	}
	props := map[string]any{}
	if r.Method == http.MethodPost {
		var v any
		if err := s.readJSON(w, r, &v, bodyEmptyOK); err != nil {
			return err
		}
		if v != nil {
			m, ok := v.(map[string]any)
			if !ok {
				return plugin.FieldErr("(body)", "expected a JSON object")
			}
			props = m
		}
	} else {
		for k, v := range r.URL.Query() {
			if k == "profile_id" {
				continue
			}
			props[k] = queryValue(v)
		}
	}
	p := &tracking.Payload{
		SourceID:  r.PathValue("source_id"),
		SessionID: r.PathValue("session_id"),
		ProfileID: r.URL.Query().Get("profile_id"),
		Events:    []tracking.EventIn{{Type: r.PathValue("event_type"), Properties: props}},
	}
	if strings.TrimSpace(p.Events[0].Type) == "" {
		return errorf(http.StatusUnprocessableEntity, "event_type: must not be empty")
	}
	if err := tracking.CheckID("profile_id", p.ProfileID); err != nil {
		return trackError(err)
	}
	p.ClientIP = auth.ClientAddr(r, s.opt.TrustedProxies)
	res, err := s.tracker.Collect(r.Context(), p, requestHeaders(r))
	if err != nil {
		return trackError(err)
	}
	return s.writeTracked(w, p, res)
}

func queryValue(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// trackerFiles serves dir at /tracker/ for pages on other origins; without
// a dir it answers a JSON 404 that says how to provide one. Dotfiles and
// links out of the folder are never served (see package publicdir).
func (s *Server) trackerFiles(dir string) http.Handler {
	if dir == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "no tracker script is served here: start tracflow serve with " +
				"--tracker-dir DIR (or TRACFLOW_TRACKER_DIR) holding the tracker bundle, e.g. Tracardi's liliput.min.js"})
		})
	}
	files, err := publicdir.New(dir, "/tracker/")
	if err != nil {
		s.log.Error("the tracker folder (--tracker-dir) cannot be served", "err", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"detail": "the tracker folder (--tracker-dir) cannot be opened; see the server log"})
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		publicCORS(w)
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}
