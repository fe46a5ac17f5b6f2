package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

func (s *Server) resourceRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/resource", Tag: "resources", Summary: "Create or update a resource: {id?, name, type, credentials: {production: {}, test: {}}, tags, enabled}; credentials are stored encrypted", Roles: builders, Answer: jsonAnswer("Resource"), handle: s.handleSaveResource},
		{Method: "GET", Path: "/resources", Tag: "resources", Summary: "List resources by name (?tag=); credentials in clear for admins only, masked (\"***\") for others", Roles: builders, Query: []Param{tagParam, limitParam, offsetParam}, Answer: jsonAnswer("ResourcePage"), handle: s.handleListResources},
		{Method: "GET", Path: "/resource/{id}", Tag: "resources", Summary: "A resource; credentials in clear for admins only, masked (\"***\") for others", Roles: builders, Answer: jsonAnswer("Resource"), handle: s.handleGetResource},
		{Method: "POST", Path: "/resource/{id}/test", Tag: "resources", Summary: "Test connection: run the resource type's check (an HTTP call, a handshake) with the resource's credentials (?set=production, the default, or test); answers ok, or the error", Roles: builders, Query: []Param{setParam}, Answer: jsonAnswer("ConnectionTest"), handle: s.handleTestResource},
		{Method: "GET", Path: "/resource-types", Tag: "resources", Summary: "The resource types connector plugins use, with their credential fields and form", Roles: builders, Answer: jsonAnswer("ResourceTypeList"), handle: s.handleResourceTypes},
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

// resourceTestTimeout bounds a connection test.
const resourceTestTimeout = 15 * time.Second

func (s *Server) handleTestResource(w http.ResponseWriter, r *http.Request) error {
	res, err := s.resources()
	if err != nil {
		return err
	}
	set := r.URL.Query().Get("set")
	if set == "" {
		set = resources.Production
	}
	if set != resources.Production && set != resources.Test {
		return errorf(http.StatusUnprocessableEntity, "set: %q is not a credential set; use production or test", set)
	}
	id := r.PathValue("id")
	d, err := res.Get(r.Context(), id, false)
	if err != nil {
		return err
	}
	typ, _ := d["type"].(string)
	out := map[string]any{"ok": false, "set": set, "type": typ}
	rt, ok := plugin.LookupResourceType(typ)
	switch {
	case !ok:
		out["message"] = fmt.Sprintf("resource type %q is not known to this server, so it has no connection test", typ)
	case rt.Check == nil:
		out["message"] = fmt.Sprintf("resource type %q has no connection test", typ)
	default:
		creds, err := res.Credentials(r.Context(), id, set)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(r.Context(), resourceTestTimeout)
		defer cancel()
		start := time.Now()
		err = rt.Check(ctx, creds)
		out["took_ms"] = time.Since(start).Milliseconds()
		if err != nil {
			out["message"] = outbound.Redact(err.Error(), secretStrings(creds)...)
		} else {
			out["ok"] = true
			out["message"] = "The connection works."
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// secretStrings lists the string values of credentials, to keep them out
// of messages.
func secretStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			out = append(out, secretStrings(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, secretStrings(e)...)
		}
	case string:
		out = append(out, x)
	}
	return out
}

func (s *Server) handleResourceTypes(w http.ResponseWriter, _ *http.Request) error {
	types := plugin.ResourceTypes()
	list := make([]map[string]any, 0, len(types))
	for _, t := range types {
		spec := t.Fields
		if spec == nil {
			spec = plugin.NewConfigSpec()
		}
		fields := []map[string]any{}
		for _, f := range spec.Fields() {
			fd := map[string]any{"id": f.ID, "name": f.Name, "type": string(f.Type), "description": f.Description,
				"required": f.Required, "secret": true}
			if f.HasDefault {
				fd["default"] = f.Default
			}
			if len(f.Options) > 0 {
				fd["options"] = f.Options
			}
			fields = append(fields, fd)
		}
		tags := t.Tags
		if tags == nil {
			tags = []string{}
		}
		list = append(list, map[string]any{"type": t.Type, "name": t.Name, "description": t.Description, "tags": tags,
			"testable": t.Check != nil, "fields": fields, "form": spec.Form(), "init": spec.Init()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "result": list})
	return nil
}
