package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// Role sets used by the route table.
var (
	anyRole  = AllRoles
	builders = []string{RoleAdmin, RoleDeveloper}
	// flowEditors build, debug and deploy workflows and the rules that run
	// them: marketers too, as in the web editor.
	flowEditors = []string{RoleAdmin, RoleDeveloper, RoleMarketer}
	dataReader  = []string{RoleAdmin, RoleDeveloper, RoleMarketer}
)

func (s *Server) routeTable() []Route {
	var rt []Route
	rt = append(rt, s.collectorRoutes()...)
	rt = append(rt, s.authRoutes()...)
	rt = append(rt, s.setupRoutes()...)
	rt = append(rt, s.userRoutes()...)
	rt = append(rt, s.pluginRoutes()...)
	rt = append(rt, s.flowRoutes()...)
	rt = append(rt, s.debugRoutes()...)
	rt = append(rt, s.configRoutes()...)
	rt = append(rt, s.resourceRoutes()...)
	rt = append(rt, s.backgroundRoutes()...)
	rt = append(rt, s.dataRoutes()...)
	rt = append(rt, s.segmentRoutes()...)
	rt = append(rt, s.identityRoutes()...)
	rt = append(rt, s.opsRoutes()...)
	rt = append(rt, s.docRoutes()...)
	return rt
}

func (s *Server) collectorRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/track", Tag: "collector", Summary: "Collect a batch of events for one profile and session (Tracardi's tracker protocol)", Query: []Param{{Name: "profile_less", Type: "boolean", Description: "true: process the events without a profile."}}, Answer: jsonAnswer("TrackAnswer"), handle: s.handleTrack},
		{Method: "GET", Path: "/collect/{event_type}/{source_id}", Tag: "collector", Summary: "Collect one event from a webhook; properties from the query", Query: []Param{{Name: "profile_id", Description: "The profile the event belongs to; without it the event is profile-less. Every other parameter is a property of the event."}}, Answer: jsonAnswer("TrackAnswer"), handle: s.handleCollect},
		{Method: "POST", Path: "/collect/{event_type}/{source_id}", Tag: "collector", Summary: "Collect one event from a webhook; properties from the JSON body", Query: []Param{{Name: "profile_id", Description: "The profile the event belongs to; without it the event is profile-less."}}, Answer: jsonAnswer("TrackAnswer"), handle: s.handleCollect},
		{Method: "GET", Path: "/collect/{event_type}/{source_id}/{session_id}", Tag: "collector", Summary: "Collect one event of a session from a webhook", Answer: jsonAnswer("TrackAnswer"), handle: s.handleCollect},
		{Method: "POST", Path: "/collect/{event_type}/{source_id}/{session_id}", Tag: "collector", Summary: "Collect one event of a session from a webhook", Answer: jsonAnswer("TrackAnswer"), handle: s.handleCollect},
		{Method: "GET", Path: "/tracker/tracflow.js", Tag: "collector", Summary: "Tracflow's browser tracker: a script for web pages that sends their events to /track (see docs/server.md, Browser tracker)", Answer: scriptAnswer, handle: s.handleTrackerScript},
		{Method: "GET", Path: "/tracker/liliput.min.js", Tag: "collector", Summary: "The script Tracardi's snippet loads: the --tracker-dir file of that name when there is one, otherwise Tracflow's tracker", Answer: scriptAnswer, handle: s.handleTrackerCompat},
	}
}

func (s *Server) authRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/user/token", Tag: "auth", Summary: "Log in: form fields username and password; answers a bearer token", Body: loginBody, Answer: jsonAnswer("Token"), handle: s.handleLogin},
		{Method: "DELETE", Path: "/user/token", Tag: "auth", Summary: "Log out: revoke the bearer token", Roles: anyRole, Answer: jsonAnswer("Detail"), handle: s.handleLogout},
		{Method: "GET", Path: "/user/me", Tag: "auth", Summary: "The logged-in user", Roles: anyRole, Answer: jsonAnswer("User"), handle: s.handleMe},
	}
}

func (s *Server) setupRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/event-source", Tag: "event sources", Summary: "Create or update an event source", Roles: builders, Body: sourceBody, Answer: jsonAnswer("Source"), handle: s.handleSaveSource},
		{Method: "POST", Path: "/flow/draft", Tag: "flows", Summary: "Save a flow's draft (Tracardi's flow format)", Roles: flowEditors, Answer: jsonAnswer("Saved"), handle: s.handleSaveDraft},
		{Method: "POST", Path: "/flow/production", Tag: "flows", Summary: "Deploy a flow: compile it and make it the version rules run", Roles: flowEditors, Answer: jsonAnswer("Deployed"), handle: s.handleDeploy},
		{Method: "POST", Path: "/rule", Tag: "rules", Summary: "Create or update a rule: events of a type from a source run a flow", Roles: flowEditors, Answer: jsonAnswer("Rule"), handle: s.handleSaveRule},
		{Method: "GET", Path: "/profile/{id}", Tag: "data", Summary: "A profile, by id or alias", Roles: dataReader, Answer: jsonAnswer("Profile"), handle: s.handleGetProfile},
		{Method: "GET", Path: "/profile/{id}/events", Tag: "data", Summary: "A profile's events, newest first (?limit=&offset=)", Roles: dataReader, Query: pageParams, Answer: jsonAnswer("EventPage"), handle: s.handleProfileEvents},
	}
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		if clientBodyFault(err) {
			return bodyReadError(err)
		}
		return errorf(http.StatusBadRequest, "expected a form (application/x-www-form-urlencoded) with username and password")
	}
	user, pw := r.PostForm.Get("username"), r.PostForm.Get("password")
	if user == "" || pw == "" {
		var errs plugin.FieldErrors
		if user == "" {
			errs = append(errs, fieldErr("username", "is required (a form field)"))
		}
		if pw == "" {
			errs = append(errs, fieldErr("password", "is required (a form field)"))
		}
		return errs
	}
	tok, u, err := s.auth.Login(r.Context(), user, pw, auth.ClientAddr(r, s.opt.TrustedProxies))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": int(s.opt.TokenTTL.Seconds()), "roles": u.Roles,
	})
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.auth.Logout(r.Context(), auth.Bearer(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"detail": "logged out"})
	return nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, CurrentUser(r))
	return nil
}

func (s *Server) handleSaveSource(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	out, err := s.cat.SaveSource(r.Context(), d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleSaveRule(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	out, err := s.cat.SaveRule(r.Context(), d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleSaveDraft(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	out, err := s.cat.SaveDraft(r.Context(), d)
	if err != nil {
		return err
	}
	setETag(w, out)
	writeJSON(w, http.StatusOK, map[string]any{"id": out["id"], "saved": true, "version": out["version"]})
	return nil
}

func (s *Server) handleDeploy(w http.ResponseWriter, r *http.Request) error {
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	out, err := s.cat.Deploy(r.Context(), d)
	if err != nil {
		return compileError(err)
	}
	// What may make the flow costly (nodes whose runs multiply) is a
	// warning: the flow is deployed.
	warnings := []workflow.CompileError{}
	if id, _ := out["id"].(string); id != "" {
		if c := s.cat.Snapshot().Flows[id]; c != nil {
			warnings = append(warnings, c.Warnings()...)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": out["id"], "deployed": true, "warnings": warnings})
	return nil
}

// compileError answers a flow that does not compile with 422 and its
// errors, each naming the node (and the field).
func compileError(err error) error {
	var ce workflow.CompileErrors
	if errors.As(err, &ce) {
		return &Error{Status: http.StatusUnprocessableEntity, Detail: "the flow does not compile: " + ce.Error(), Errors: []workflow.CompileError(ce)}
	}
	return err
}

func (s *Server) handleGetProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := s.st.Profile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) handleProfileEvents(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := paging(r, 20)
	if err != nil {
		return err
	}
	evs, total, err := s.st.ProfileEvents(r.Context(), r.PathValue("id"), limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "result": evs})
	return nil
}

// paging reads ?limit= and ?offset=.
func paging(r *http.Request, def int) (limit, offset int, err error) {
	limit, offset = def, 0
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 || n > 10000 {
			return 0, 0, plugin.FieldErr("limit", "expected a whole number from 1 to 10000, got %q", v)
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, plugin.FieldErr("offset", "expected a whole number, 0 or more, got %q", v)
		}
		offset = n
	}
	return limit, offset, nil
}
