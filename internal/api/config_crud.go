package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/store"
)

func (s *Server) configRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/event-sources", Tag: "event sources", Summary: "List event sources by name (?query= matches name and description, ?limit=&offset=)", Roles: builders, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("SourcePage"), handle: s.handleListSources},
		{Method: "GET", Path: "/event-source/{id}", Tag: "event sources", Summary: "An event source", Roles: builders, Answer: jsonAnswer("Source"), handle: s.handleGetSource},
		{Method: "DELETE", Path: "/event-source/{id}", Tag: "event sources", Summary: "Delete an event source (refused while rules use it)", Roles: builders, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteSource},
		{Method: "GET", Path: "/event-source/{id}/enable/yes", Tag: "event sources", Summary: "Enable an event source: it accepts events again", Roles: builders, Answer: jsonAnswer("Source"), handle: s.sourceEnable(true)},
		{Method: "GET", Path: "/event-source/{id}/enable/no", Tag: "event sources", Summary: "Disable an event source: its events are refused (401)", Roles: builders, Answer: jsonAnswer("Source"), handle: s.sourceEnable(false)},
		{Method: "GET", Path: "/rules", Tag: "rules", Summary: "List rules by name (?query= matches name, event type, source and flow; ?limit=&offset=)", Roles: flowReaders, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("RulePage"), handle: s.handleListRules},
		{Method: "GET", Path: "/rule/{id}", Tag: "rules", Summary: "A rule", Roles: flowReaders, Answer: jsonAnswer("Rule"), handle: s.handleGetRule},
		{Method: "DELETE", Path: "/rule/{id}", Tag: "rules", Summary: "Delete a rule", Roles: flowEditors, Answer: jsonAnswer("Deleted"), handle: s.handleDeleteRule},
	}
}

// getDoc reads a configuration document; a missing one is a 404 naming it.
func (s *Server) getDoc(r *http.Request, kind, what, id string) (store.Doc, error) {
	d, err := s.cat.Get(r.Context(), kind, id)
	if catalog.IsNotFound(err) {
		return nil, fmt.Errorf("%s %q does not exist: %w", what, id, store.ErrNotFound)
	}
	return d, err
}

// listDocs answers the documents of a kind whose text fields contain
// ?query=, sorted by name, paged.
func (s *Server) listDocs(w http.ResponseWriter, r *http.Request, kind string, fields ...[]string) error {
	all, err := s.cat.List(r.Context(), kind)
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("query")))
	list := []store.Doc{}
	for _, d := range all {
		if q != "" {
			var text []string
			for _, f := range fields {
				text = append(text, domain.Str(d, f...))
			}
			if !strings.Contains(strings.ToLower(strings.Join(text, "\x00")), q) {
				continue
			}
		}
		list = append(list, d)
	}
	sortByName(list)
	pg, err := page(r, list, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "result": pg})
	return nil
}

func (s *Server) handleListSources(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, catalog.KindSource, []string{"name"}, []string{"description"}, []string{"id"})
}

func (s *Server) handleGetSource(w http.ResponseWriter, r *http.Request) error {
	d, err := s.getDoc(r, catalog.KindSource, "event source", r.PathValue("id"))
	if err != nil {
		return err
	}
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDeleteSource(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, catalog.KindSource, "event source", id); err != nil {
		return err
	}
	rules, err := s.cat.List(r.Context(), catalog.KindRule)
	if err != nil {
		return err
	}
	var using []string
	for _, rule := range rules {
		if domain.Str(rule, "source", "id") == id {
			using = append(using, fmt.Sprintf("%q", domain.Str(rule, "name")))
		}
	}
	if len(using) > 0 {
		return errorf(http.StatusConflict, "event source %q is used by rule(s) %s: delete or change them first", id, strings.Join(using, ", "))
	}
	if err := s.cat.Delete(r.Context(), catalog.KindSource, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}

func (s *Server) sourceEnable(on bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var out store.Doc
		err := retryStale(func() error {
			d, err := s.getDoc(r, catalog.KindSource, "event source", r.PathValue("id"))
			if err != nil {
				return err
			}
			d["enabled"] = on // saved from the version read
			out, err = s.cat.SaveSource(r.Context(), d)
			return err
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func (s *Server) handleListRules(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, catalog.KindRule, []string{"name"}, []string{"event_type", "id"}, []string{"source", "name"}, []string{"flow", "name"}, []string{"description"})
}

func (s *Server) handleGetRule(w http.ResponseWriter, r *http.Request) error {
	d, err := s.getDoc(r, catalog.KindRule, "rule", r.PathValue("id"))
	if err != nil {
		return err
	}
	setETag(w, d)
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDeleteRule(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.getDoc(r, catalog.KindRule, "rule", id); err != nil {
		return err
	}
	if err := s.cat.Delete(r.Context(), catalog.KindRule, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
	return nil
}
