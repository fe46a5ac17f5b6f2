package api

import (
	"context"
	"net/http"

	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/eventmap"
	"github.com/tracflow/tracflow/internal/store"
)

// The identity configuration: built-in event types, event→profile
// mappings and identification points.
func (s *Server) identityRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/event-types/built-in", Tag: "identity", Summary: "The built-in event types and what each copies from its properties to the profile", Roles: dataReader, Answer: jsonAnswer("EventTypeList"), handle: s.handleBuiltInEventTypes},
		{Method: "GET", Path: "/event-mappings", Tag: "identity", Summary: "List event→profile mappings by name (?query= matches name, event type and description; ?limit=&offset=)", Roles: dataReader, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("EventMappingPage"), handle: s.handleListEventMappings},
		{Method: "GET", Path: "/event-mapping/{id}", Tag: "identity", Summary: "An event→profile mapping", Roles: dataReader, Answer: jsonAnswer("EventMapping"), handle: s.getIdentityDoc(catalog.KindEventMapping, "event mapping")},
		{Method: "POST", Path: "/event-mapping", Tag: "identity", Summary: "Create or update an event→profile mapping: events of a type copy properties to profile fields before the rules run", Roles: builders, Body: eventMappingBody, Answer: jsonAnswer("EventMapping"), handle: s.saveIdentityDoc(s.cat.SaveEventMapping)},
		{Method: "DELETE", Path: "/event-mapping/{id}", Tag: "identity", Summary: "Delete an event→profile mapping", Roles: builders, Answer: jsonAnswer("Deleted"), handle: s.deleteIdentityDoc(catalog.KindEventMapping, "event mapping")},
		{Method: "GET", Path: "/identification-points", Tag: "identity", Summary: "List identification points by name (?query= matches name, event type, source and description; ?limit=&offset=)", Roles: dataReader, Query: []Param{queryParam, limitParam, offsetParam}, Answer: jsonAnswer("IdentificationPointPage"), handle: s.handleListIdentificationPoints},
		{Method: "GET", Path: "/identification-point/{id}", Tag: "identity", Summary: "An identification point", Roles: dataReader, Answer: jsonAnswer("IdentificationPoint"), handle: s.getIdentityDoc(catalog.KindIdentificationPoint, "identification point")},
		{Method: "POST", Path: "/identification-point", Tag: "identity", Summary: "Create or update an identification point: an event type whose properties name the person; profiles sharing them are merged", Roles: builders, Body: identificationPointBody, Answer: jsonAnswer("IdentificationPoint"), handle: s.saveIdentityDoc(s.cat.SaveIdentificationPoint)},
		{Method: "DELETE", Path: "/identification-point/{id}", Tag: "identity", Summary: "Delete an identification point", Roles: builders, Answer: jsonAnswer("Deleted"), handle: s.deleteIdentityDoc(catalog.KindIdentificationPoint, "identification point")},
	}
}

func (s *Server) handleBuiltInEventTypes(w http.ResponseWriter, _ *http.Request) error {
	list := eventmap.List()
	writeJSON(w, http.StatusOK, map[string]any{"total": len(list), "result": list})
	return nil
}

func (s *Server) handleListEventMappings(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, catalog.KindEventMapping, []string{"name"}, []string{"event_type", "id"}, []string{"description"})
}

func (s *Server) handleListIdentificationPoints(w http.ResponseWriter, r *http.Request) error {
	return s.listDocs(w, r, catalog.KindIdentificationPoint, []string{"name"}, []string{"event_type", "id"}, []string{"source", "name"}, []string{"description"})
}

func (s *Server) getIdentityDoc(kind, what string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := s.getDoc(r, kind, what, r.PathValue("id"))
		if err != nil {
			return err
		}
		setETag(w, d)
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

func (s *Server) deleteIdentityDoc(kind, what string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if _, err := s.getDoc(r, kind, what, id); err != nil {
			return err
		}
		if err := s.cat.Delete(r.Context(), kind, id); err != nil {
			return err
		}
		if err := s.cat.Refresh(r.Context()); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
		return nil
	}
}

func (s *Server) saveIdentityDoc(save func(ctx context.Context, d store.Doc) (store.Doc, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := s.readDoc(w, r)
		if err != nil {
			return err
		}
		if err := versionInto(r, d); err != nil {
			return err
		}
		out, err := save(r.Context(), d)
		if err != nil {
			return err
		}
		setETag(w, out)
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

var (
	sPathText = typed("string", "A dot path, e.g. properties.email (event) or data.contact.email.main (profile); Tracardi's {\"value\": ..., \"ref\": true} is read too.")

	eventMappingSchema = object([]string{"id", "name", "event_type"}, map[string]any{
		"id": sStr, "name": sStr, "description": sStr, "enabled": sBool, "tags": sStrList, "version": sVersion,
		"event_type": sNamed,
		"event_to_profile": listOf(object([]string{"profile"}, map[string]any{
			"event": sPathText, "profile": sPathText,
			"op": map[string]any{"type": "string", "enum": eventmap.Ops, "default": eventmap.OpEqual},
		})),
	})
	identificationPointSchema = object([]string{"id", "name", "event_type", "fields"}, map[string]any{
		"id": sStr, "name": sStr, "description": sStr, "enabled": sBool, "tags": sStrList, "version": sVersion,
		"source":     withDesc(sNamed, "The source whose events identify; an empty id means every source."),
		"event_type": sNamed, "settings": sObj,
		"fields": listOf(object([]string{"event_property", "profile_trait"}, map[string]any{
			"event_property": sPathText, "profile_trait": sPathText})),
	})
	eventTypeSchema = object([]string{"id", "name", "copy"}, map[string]any{
		"id": sStr, "name": sStr, "description": sStr, "identifies": sBool,
		"copy": listOf(object([]string{"profile", "op"}, map[string]any{"event": sStr, "profile": sStr, "op": sStr})),
	})
)

var eventMappingBody = &Body{
	Description: "The mapping. Answers the stored mapping, with its id and its paths as strings.",
	Schema:      withRequired(eventMappingSchema, "name", "event_type"),
	Example: map[string]any{"name": "Newsletter e-mail", "event_type": map[string]any{"id": "newsletter-signup"}, "enabled": true,
		"event_to_profile": []any{map[string]any{"event": "properties.email", "profile": "data.contact.email.main", "op": "equal"},
			map[string]any{"event": "properties.topic", "profile": "data.preferences.topics", "op": "append"}}},
}

var identificationPointBody = &Body{
	Description: "The identification point. Answers the stored point, with its id.",
	Schema:      withRequired(identificationPointSchema, "name", "event_type", "fields"),
	Example: map[string]any{"name": "Identify by e-mail", "source": map[string]any{"id": "shop-web"}, "event_type": map[string]any{"id": "identify"},
		"enabled": true, "fields": []any{map[string]any{"event_property": "properties.email", "profile_trait": "data.contact.email.main"}}},
}

// withRequired is schema with other required properties (a body to create
// a document has no id yet).
func withRequired(schema map[string]any, required ...string) map[string]any {
	out := map[string]any{}
	for k, v := range schema {
		out[k] = v
	}
	out["required"] = required
	return out
}
