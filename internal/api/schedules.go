package api

import (
	"net/http"

	"github.com/tracflow/tracflow/internal/schedule"
	"github.com/tracflow/tracflow/internal/store"
)

func (s *Server) scheduleRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/schedule", Tag: "schedules", Summary: "Create or update a schedule: {id?, name, description, enabled, cron (e.g. \"0 * * * *\", UTC) or every (e.g. \"1h\"), and event: {source: {id}, type, properties, profile: {id} | null} or job (a job kind, e.g. segments') with args}", Roles: builders, Answer: jsonAnswer("Schedule"), handle: s.handleSaveSchedule},
		{Method: "GET", Path: "/schedules", Tag: "schedules", Summary: "List schedules by name (?query= matches name and description; ?limit=&offset=)", Roles: builders, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("SchedulePage"), handle: s.handleListSchedules},
		{Method: "GET", Path: "/schedule/{id}", Tag: "schedules", Summary: "A schedule", Roles: builders, Answer: jsonAnswer("Schedule"), handle: s.handleGetSchedule},
		{Method: "DELETE", Path: "/schedule/{id}", Tag: "schedules", Summary: "Delete a schedule (a fire already queued is cancelled when it runs)", Roles: builders, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteSchedule},
	}
}

func (s *Server) schedules() (*schedule.Service, error) {
	if s.opt.Schedules == nil {
		return nil, errorf(http.StatusServiceUnavailable, "schedules are not available on this server (no job queue)")
	}
	return s.opt.Schedules, nil
}

func (s *Server) handleSaveSchedule(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.schedules()
	if err != nil {
		return err
	}
	d, err := s.readDoc(w, r)
	if err != nil {
		return err
	}
	if err := versionInto(r, d); err != nil {
		return err
	}
	want, _ := store.Expected(d)
	out, err := schedule.Normalize(store.WithoutVersion(d), svc.JobKindNames())
	if err != nil {
		return err
	}
	v, err := s.st.PutConfigIf(r.Context(), schedule.Kind, out["id"].(string), out, want)
	if err != nil {
		return err
	}
	out["version"] = float64(v)
	setETag(w, out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleListSchedules(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, schedule.Kind, []string{"name"}, []string{"description"}, []string{"id"})
}

func (s *Server) handleGetSchedule(w http.ResponseWriter, r *http.Request) error {
	d, err := s.getDoc(r, schedule.Kind, "schedule", r.PathValue("id"))
	if err != nil {
		return err
	}
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDeleteSchedule(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, schedule.Kind, "schedule", id); err != nil {
		return err
	}
	if err := s.st.DeleteConfig(r.Context(), schedule.Kind, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}
