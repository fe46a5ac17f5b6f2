package api

import (
	"net/http"
	"slices"

	"github.com/tracflow/tracflow/internal/resources"
)

func (s *Server) resourceRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/resource", Tag: "resources", Summary: "Create or update a resource: {id?, name, type, credentials: {production: {}, test: {}}, tags, enabled}; credentials are stored encrypted", Roles: builders, Answer: jsonAnswer("Resource"), handle: s.handleSaveResource},
		{Method: "GET", Path: "/resources", Tag: "resources", Summary: "List resources by name (?tag=); credentials in clear for admins only, masked (\"***\") for others", Roles: builders, Query: []Param{tagParam, limitParam, offsetParam}, Answer: jsonAnswer("ResourcePage"), handle: s.handleListResources},
		{Method: "GET", Path: "/resource/{id}", Tag: "resources", Summary: "A resource; credentials in clear for admins only, masked (\"***\") for others", Roles: builders, Answer: jsonAnswer("Resource"), handle: s.handleGetResource},
		{Method: "DELETE", Path: "/resource/{id}", Tag: "resources", Summary: "Delete a resource", Roles: builders, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteResource},
	}
}

// revealCredentials says whether the caller may see credentials in clear.
func revealCredentials(r *http.Request) bool {
	u := CurrentUser(r)
	return u != nil && slices.Contains(u.Roles, RoleAdmin)
}

func (s *Server) resources() (*resources.Service, error) {
	if s.opt.Resources == nil {
		return nil, errorf(http.StatusServiceUnavailable, "resources are not available: the server was started without a secret key")
	}
	return s.opt.Resources, nil
}

func (s *Server) handleSaveResource(w http.ResponseWriter, r *http.Request) error {
	res, err := s.resources()
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
	out, err := res.Save(r.Context(), d)
	if err != nil {
		return err
	}
	if !revealCredentials(r) {
		out, err = res.Get(r.Context(), out["id"].(string), false)
		if err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleListResources(w http.ResponseWriter, r *http.Request) error {
	res, err := s.resources()
	if err != nil {
		return err
	}
	list, err := res.List(r.Context(), r.URL.Query().Get("tag"), revealCredentials(r))
	if err != nil {
		return err
	}
	pg, err := page(r, list, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "result": pg})
	return nil
}

func (s *Server) handleGetResource(w http.ResponseWriter, r *http.Request) error {
	res, err := s.resources()
	if err != nil {
		return err
	}
	d, err := res.Get(r.Context(), r.PathValue("id"), revealCredentials(r))
	if err != nil {
		return err
	}
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDeleteResource(w http.ResponseWriter, r *http.Request) error {
	res, err := s.resources()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := res.Delete(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}
