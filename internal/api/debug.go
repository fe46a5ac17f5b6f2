package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// debugTimeout bounds one debug run.
const debugTimeout = 30 * time.Second

// debugSource is the event source id of test events.
const debugSource = "@debug"

func (s *Server) debugRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/flow/debug", Tag: "flows",
			Summary: "Debug a flow: {flow, event: {type, properties, profile?, session?}} or {flow, event_id}; runs it with debug info and the test credentials of resources, and saves nothing",
			Roles:   flowEditors, Query: []Param{{Name: "event_id", Description: "Run the flow on this stored event instead of the body's event."}},
			Answer: jsonAnswer("DebugRun"), handle: s.handleDebug},
	}
}

func (s *Server) handleDebug(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	flowDoc, eventSpec, eventID, err := debugRequest(body, r.URL.Query().Get("event_id"))
	if err != nil {
		return err
	}
	f, err := parseFlow(flowDoc, "flow")
	if err != nil {
		return err
	}
	if f.ID == "" {
		f.ID = "debug"
	}
	ctx, cancel := context.WithTimeout(r.Context(), debugTimeout)
	defer cancel()
	if errs, err := s.cat.DisabledNodes(ctx, f); err != nil {
		return err
	} else if len(errs) > 0 {
		return compileError(errs)
	}
	var in workflow.Input
	if eventID != "" {
		in, err = s.storedEventInput(ctx, eventID)
	} else {
		in, err = testEventInput(ctx, s.st, eventSpec)
	}
	if err != nil {
		return err
	}
	c, err := workflow.Compile(ctx, f, s.reg)
	if err != nil {
		return compileError(err)
	}
	defer c.Close(context.Background())
	in.Debug = true
	in.Limits = s.opt.FlowLimits
	in.Data = rundata.New(s.st)
	if s.opt.Resources != nil {
		in.Resources = s.opt.Resources.ForRuns(true)
	}
	out := c.Run(ctx, in)
	logs := out.Logs
	if logs == nil {
		logs = []plugin.Log{}
	}
	ux := out.UX
	if ux == nil {
		ux = []plugin.UX{}
	}
	errs := out.Errors
	if errs == nil {
		errs = []workflow.NodeError{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"logs": logs, "debugInfo": out.Debug, "ux": ux, "response": out.Response,
		"profile": out.Profile, "session": out.Session, "event": out.Event,
		"errors": errs, "stopped": out.Stopped,
		"profileUpdated": out.ProfileUpdated, "sessionUpdated": out.SessionUpdated,
	})
	return nil
}

// debugRequest reads the body: {flow, event} or {flow, event_id}, or, as
// Tracardi sends it, the flow itself with ?event_id= in the query.
func debugRequest(body store.Doc, queryEventID string) (flow, event map[string]any, eventID string, err error) {
	if _, isFlow := body["flowGraph"]; isFlow {
		if queryEventID == "" {
			return nil, nil, "", invalid(fieldErr("event_id", "is required when the body is the flow itself; or send {\"flow\": ..., \"event\": {\"type\": ...}}"))
		}
		return body, nil, queryEventID, nil
	}
	flow, ok := body["flow"].(map[string]any)
	if !ok {
		if body["flow"] == nil {
			return nil, nil, "", invalid(fieldErr("flow", "is required: the flow to run ({id, name, flowGraph: {nodes, edges}})"))
		}
		return nil, nil, "", invalid(fieldErr("flow", "expected a flow object, got %s", notation.TypeName(body["flow"])))
	}
	eventID = queryEventID
	if v, ok := body["event_id"]; ok && v != nil {
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, nil, "", invalid(fieldErr("event_id", "expected the id of a stored event"))
		}
		eventID = s
	}
	switch ev := body["event"].(type) {
	case nil:
		if eventID == "" {
			return nil, nil, "", invalid(fieldErr("event", "is required: a test event {\"type\": ..., \"properties\": {...}} (or send event_id of a stored event)"))
		}
	case map[string]any:
		if eventID != "" {
			return nil, nil, "", invalid(fieldErr("event", "send either event or event_id, not both"))
		}
		event = ev
	default:
		return nil, nil, "", invalid(fieldErr("event", "expected an object {\"type\": ..., \"properties\": {...}}, got %s", notation.TypeName(ev)))
	}
	return flow, event, eventID, nil
}

// storedEventInput runs a stored event with its stored profile and session
// (copies: the run changes nothing stored).
func (s *Server) storedEventInput(ctx context.Context, id string) (workflow.Input, error) {
	ev, err := s.st.Event(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return workflow.Input{}, fmt.Errorf("event %q does not exist: %w", id, store.ErrNotFound)
		}
		return workflow.Input{}, err
	}
	in := workflow.Input{Event: plugin.Event(copyMap(ev))}
	if pid := domain.Str(ev, "profile", "id"); pid != "" {
		p, err := s.st.Profile(ctx, pid)
		switch {
		case err == nil:
			in.Profile = plugin.Profile(copyMap(p))
		case errors.Is(err, store.ErrNotFound):
			in.Profile = domain.NewProfile(pid, time.Now())
		default:
			return workflow.Input{}, err
		}
	}
	if sid := domain.Str(ev, "session", "id"); sid != "" {
		ss, err := s.st.Session(ctx, sid)
		switch {
		case err == nil:
			in.Session = plugin.Session(copyMap(ss))
		case errors.Is(err, store.ErrNotFound):
			in.Session = domain.NewSession(sid, domain.Str(ev, "profile", "id"), time.Now())
		default:
			return workflow.Input{}, err
		}
	}
	return in, nil
}

// testEventInput builds a test event: {type, properties?, context?,
// profile?, session?}. A profile given as {"id"} alone is the stored
// profile (a copy); any other profile object is a new profile with those
// fields; no profile is a new, empty one. Sessions alike.
func testEventInput(ctx context.Context, st store.Store, spec map[string]any) (workflow.Input, error) {
	var errs []plugin.FieldError
	typ, _ := spec["type"].(string)
	if strings.TrimSpace(typ) == "" {
		errs = append(errs, fieldErr("event.type", "is required: the event type, e.g. \"page-view\""))
	}
	objs := map[string]map[string]any{}
	for _, k := range []string{"properties", "context", "profile", "session"} {
		switch v := spec[k].(type) {
		case nil:
		case map[string]any:
			objs[k] = v
		default:
			errs = append(errs, fieldErr("event."+k, "expected an object, got %s", notation.TypeName(v)))
		}
	}
	if len(errs) > 0 {
		return workflow.Input{}, invalid(errs...)
	}
	now := time.Now()
	profile, err := testDoc(ctx, objs["profile"], "event.profile", st.Profile, func(id string) map[string]any { return domain.NewProfile(id, now) })
	if err != nil {
		return workflow.Input{}, err
	}
	session, err := testDoc(ctx, objs["session"], "event.session", st.Session, func(id string) map[string]any {
		return domain.NewSession(id, domain.Str(profile, "id"), now)
	})
	if err != nil {
		return workflow.Input{}, err
	}
	props := objs["properties"]
	if props == nil {
		props = map[string]any{}
	}
	ctxObj := objs["context"]
	if ctxObj == nil {
		ctxObj = map[string]any{}
	}
	ev := plugin.Event{
		"type": typ, "source": map[string]any{"id": debugSource}, "properties": props, "context": ctxObj,
		"profile": map[string]any{"id": domain.Str(profile, "id")},
		"session": map[string]any{"id": domain.Str(session, "id"), "start": domain.Str(session, "metadata", "time", "insert"), "duration": 0.0},
		"request": map[string]any{},
		"metadata": map[string]any{"time": map[string]any{"insert": domain.Timestamp(now)}, "status": "collected", "debug": true,
			"profile_less": false, "valid": true, "error": false, "warning": false},
	}
	return workflow.Input{Event: domain.PrepareEvent(ev, now), Profile: plugin.Profile(profile), Session: plugin.Session(session)}, nil
}

func testDoc(ctx context.Context, given map[string]any, field string, load func(context.Context, string) (store.Doc, error), fresh func(string) map[string]any) (map[string]any, error) {
	id := ""
	if v, ok := given["id"]; ok && v != nil {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, invalid(fieldErr(field+".id", "expected a string id"))
		}
		id = s
	}
	if id != "" && len(given) == 1 {
		d, err := load(ctx, id)
		if err == nil {
			return copyMap(d), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if id == "" {
		id = domain.NewID()
	}
	doc := fresh(id)
	if given != nil {
		notation.Merge(doc, copyMap(given))
	}
	doc["id"] = id
	return doc, nil
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return notation.DeepCopy(m).(map[string]any)
}
