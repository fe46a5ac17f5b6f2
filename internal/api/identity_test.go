package api_test

import (
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

func TestEventMappingsAndIdentificationPointsCRUD(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	src := e.Setup("web", testenv.CounterFlow("count", "stats.counters.pages", "pages"), "page-view")

	// Mappings: create, read, list, update, delete; bad input names the field.
	m := e.Admin("POST", "/event-mapping", map[string]any{"name": "Newsletter", "event_type": map[string]any{"id": "newsletter"},
		"event_to_profile": []any{map[string]any{"event": map[string]any{"value": "properties.email", "ref": true}, "profile": "data.contact.email.main", "op": "equals"}}}).MustOK(t).Obj()
	id, _ := m["id"].(string)
	if id == "" || m["version"] != 1.0 {
		t.Fatalf("saved mapping %v", m)
	}
	if c := m["event_to_profile"].([]any)[0].(map[string]any); c["event"] != "properties.email" || c["op"] != "equal" {
		t.Errorf("stored copy %v: want the path as a string and op equal", c)
	}
	if got := e.Admin("GET", "/event-mapping/"+id, nil).MustOK(t).Obj(); got["name"] != "Newsletter" {
		t.Errorf("GET answered %v", got)
	}
	if l := e.Admin("GET", "/event-mappings?query=newsl", nil).MustOK(t).Obj(); l["total"] != 1.0 {
		t.Errorf("list %v", l)
	}
	// Applied before the rules: a newsletter event fills the e-mail (and
	// the profile gets its hashed id).
	e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": src}, "profile": map[string]any{"id": "p1"},
		"events": []any{map[string]any{"type": "newsletter", "properties": map[string]any{"email": "ann@example.com"}}}}).MustOK(t)
	p := e.Admin("GET", "/profile/p1", nil).MustOK(t).Obj()
	if obj(p, "data", "contact", "email")["main"] != "ann@example.com" {
		t.Errorf("the mapping did not fill the e-mail: %v", p["data"])
	}
	wantError(t, e.Admin("POST", "/event-mapping", map[string]any{"name": "x", "event_type": map[string]any{"id": "a"},
		"event_to_profile": []any{map[string]any{"event": "properties.a", "profile": "metadata.time", "op": "equal"}}}), 422, "event_to_profile[0].profile")
	wantError(t, e.Admin("POST", "/event-mapping", map[string]any{"name": "x", "event_type": map[string]any{"id": "a"},
		"event_to_profile": []any{map[string]any{"event": "properties.a", "profile": "traits.a", "op": "multiply"}}}), 422, "event_to_profile[0].op")
	wantError(t, e.Admin("POST", "/event-mapping", map[string]any{"name": "x"}), 422, "event_type.id")
	m["name"] = "Newsletter sign-up"
	if up := e.Admin("POST", "/event-mapping", m).MustOK(t).Obj(); up["version"] != 2.0 {
		t.Errorf("update %v", up)
	}
	wantError(t, e.Admin("POST", "/event-mapping", m), 409, "")
	e.Admin("DELETE", "/event-mapping/"+id, nil).MustOK(t)
	wantError(t, e.Admin("GET", "/event-mapping/"+id, nil), 404, "")

	// Identification points.
	pt := e.Admin("POST", "/identification-point", map[string]any{"name": "By login", "source": map[string]any{"id": src},
		"event_type": map[string]any{"id": "login"}, "fields": []any{map[string]any{"event_property": "properties.login", "profile_trait": "data.identifier.token"}}}).MustOK(t).Obj()
	pid, _ := pt["id"].(string)
	if obj(pt, "source")["name"] != "Test source web" {
		t.Errorf("point source %v: want its name filled in", pt["source"])
	}
	if l := e.Admin("GET", "/identification-points", nil).MustOK(t).Obj(); l["total"] != 1.0 {
		t.Errorf("list %v", l)
	}
	wantError(t, e.Admin("POST", "/identification-point", map[string]any{"name": "x", "source": map[string]any{"id": "nope"},
		"event_type": map[string]any{"id": "login"}, "fields": []any{map[string]any{"event_property": "properties.login", "profile_trait": "traits.l"}}}), 422, "source.id")
	wantError(t, e.Admin("POST", "/identification-point", map[string]any{"name": "x", "event_type": map[string]any{"id": "login"}}), 422, "fields")

	bt := e.Admin("GET", "/event-types/built-in", nil).MustOK(t).Obj()
	found := false
	for _, x := range bt["result"].([]any) {
		if x.(map[string]any)["id"] == "sign-in" {
			found = true
		}
	}
	if !found {
		t.Errorf("no sign-in among the built-in types: %v", bt)
	}

	readers := []string{api.RoleAdmin, api.RoleDeveloper, api.RoleMarketer}
	writers := []string{api.RoleAdmin, api.RoleDeveloper}
	checkRoles(t, e, toks, "GET", "/event-mappings", nil, readers...)
	checkRoles(t, e, toks, "GET", "/identification-point/"+pid, nil, readers...)
	checkRoles(t, e, toks, "GET", "/event-types/built-in", nil, readers...)
	checkRoles(t, e, toks, "POST", "/event-mapping", map[string]any{"name": "r", "event_type": map[string]any{"id": "r"}}, writers...)
	checkRoles(t, e, toks, "POST", "/identification-point", map[string]any{"name": "r"}, writers...)
	checkRoles(t, e, toks, "DELETE", "/identification-point/nope", nil, writers...)
	e.Admin("DELETE", "/identification-point/"+pid, nil).MustOK(t)
}
