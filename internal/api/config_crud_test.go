package api_test

import (
	"net/http"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

func TestSourceAndRuleRoutesRoles(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	builders := []string{api.RoleAdmin, api.RoleDeveloper}
	readers := []string{api.RoleAdmin, api.RoleDeveloper, api.RoleMarketer}
	checkRoles(t, e, toks, "GET", "/event-sources", nil, builders...)
	checkRoles(t, e, toks, "GET", "/event-source/none", nil, builders...)
	checkRoles(t, e, toks, "DELETE", "/event-source/none", nil, builders...)
	checkRoles(t, e, toks, "GET", "/event-source/none/enable/yes", nil, builders...)
	checkRoles(t, e, toks, "GET", "/event-source/none/enable/no", nil, builders...)
	checkRoles(t, e, toks, "GET", "/rules", nil, readers...)
	checkRoles(t, e, toks, "GET", "/rule/none", nil, readers...)
	checkRoles(t, e, toks, "DELETE", "/rule/none", nil, readers...) // marketers manage rules too
}

func TestEventSources(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/event-source", map[string]any{"id": "web", "name": "Web site", "description": "The shop"}).MustOK(t)
	e.Admin("POST", "/event-source", map[string]any{"id": "app", "name": "App"}).MustOK(t)
	list := e.Admin("GET", "/event-sources", nil).MustOK(t).Obj()
	if list["total"] != 2.0 || testenv.At(list, "result.0.id") != "app" {
		t.Fatalf("sources: %v", list)
	}
	if r := e.Admin("GET", "/event-sources?query=shop", nil).MustOK(t).Obj(); r["total"] != 1.0 {
		t.Errorf("query=shop: %v", r)
	}
	if s := e.Admin("GET", "/event-source/web", nil).MustOK(t).Obj(); s["name"] != "Web site" || s["enabled"] != true {
		t.Errorf("source: %v", s)
	}
	wantError(t, e.Admin("GET", "/event-source/none", nil), http.StatusNotFound, "")

	// Disabled, it refuses events; enabled again, it takes them.
	if s := e.Admin("GET", "/event-source/web/enable/no", nil).MustOK(t).Obj(); s["enabled"] != false {
		t.Fatalf("after enable/no: %v", s)
	}
	if r := e.Do("POST", "/track", "", trackBody("web", "", "", "page-view")); r.Status != http.StatusUnauthorized {
		t.Errorf("track to a disabled source: %d %s", r.Status, r.Raw)
	}
	e.Admin("GET", "/event-source/web/enable/yes", nil).MustOK(t)
	e.Do("POST", "/track", "", trackBody("web", "", "", "page-view")).MustOK(t)
	wantError(t, e.Admin("GET", "/event-source/none/enable/yes", nil), http.StatusNotFound, "")

	// A source that rules use is not deleted.
	e.Setup("web", testenv.CounterFlow("f", "stats.counters.n", "n"), "page-view")
	wantError(t, e.Admin("DELETE", "/event-source/web", nil), http.StatusConflict, "")
	e.Admin("DELETE", "/flow/f", nil).MustOK(t)
	e.Admin("DELETE", "/event-source/web", nil).MustOK(t)
	wantError(t, e.Admin("GET", "/event-source/web", nil), http.StatusNotFound, "")
	wantError(t, e.Admin("DELETE", "/event-source/web", nil), http.StatusNotFound, "")
	if r := e.Do("POST", "/track", "", trackBody("web", "", "", "page-view")); r.Status != http.StatusUnauthorized {
		t.Errorf("track to a deleted source: %d", r.Status)
	}
}

func TestRules(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	e.Setup("web", testenv.CounterFlow("count", "stats.counters.n", "n"), "page-view")
	e.Admin("POST", "/rule", map[string]any{"id": "buy", "name": "A purchase", "event_type": map[string]any{"id": "purchase"},
		"source": map[string]any{"id": "web"}, "flow": map[string]any{"id": "count"}}).MustOK(t)
	list := e.Do("GET", "/rules", toks[api.RoleMarketer], nil).MustOK(t).Obj()
	if list["total"] != 2.0 || testenv.At(list, "result.0.id") != "buy" {
		t.Fatalf("rules: %v", list)
	}
	if r := e.Admin("GET", "/rules?query=purchase", nil).MustOK(t).Obj(); r["total"] != 1.0 {
		t.Errorf("rules?query=purchase: %v", r)
	}
	if r := e.Admin("GET", "/rules?limit=1&offset=1", nil).MustOK(t).Obj(); r["total"] != 2.0 || len(r["result"].([]any)) != 1 {
		t.Errorf("rules paged: %v", r)
	}
	rule := e.Do("GET", "/rule/buy", toks[api.RoleMarketer], nil).MustOK(t).Obj()
	if obj(rule, "flow")["id"] != "count" || obj(rule, "event_type")["id"] != "purchase" {
		t.Errorf("rule: %v", rule)
	}
	wantError(t, e.Do("DELETE", "/rule/buy", toks[api.RoleMaintainer], nil), http.StatusForbidden, "")
	e.Do("DELETE", "/rule/buy", toks[api.RoleMarketer], nil).MustOK(t)
	wantError(t, e.Admin("GET", "/rule/buy", nil), http.StatusNotFound, "")
	wantError(t, e.Admin("DELETE", "/rule/buy", nil), http.StatusNotFound, "")
	// The rule no longer runs its flow.
	r := e.Do("POST", "/track", "", trackBody("web", "", "", "purchase")).MustOK(t)
	if len(obj(r.Body, "response")) != 0 {
		t.Errorf("a deleted rule still ran: %s", r.Raw)
	}
}
