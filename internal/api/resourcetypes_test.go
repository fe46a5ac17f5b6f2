package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin/outbound"
)

func TestResourceTypes(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	checkRoles(t, e, toks, "GET", "/resource-types", nil, api.RoleAdmin, api.RoleDeveloper)
	checkRoles(t, e, toks, "POST", "/resource/none/test", nil, api.RoleAdmin, api.RoleDeveloper)
	list := e.Admin("GET", "/resource-types", nil).MustOK(t).Obj()
	byType := map[string]map[string]any{}
	for _, x := range list["result"].([]any) {
		m := x.(map[string]any)
		byType[m["type"].(string)] = m
	}
	smtp := byType["smtp-server"]
	if smtp == nil || smtp["testable"] != true {
		t.Fatalf("no testable smtp-server type: %v", list)
	}
	fields := map[string]map[string]any{}
	for _, f := range smtp["fields"].([]any) {
		fields[f.(map[string]any)["id"].(string)] = f.(map[string]any)
	}
	if fields["password"]["secret"] != true || fields["smtp"]["required"] != true || fields["port"]["default"] != 587.0 {
		t.Errorf("smtp-server fields %v", fields)
	}
	if byType["api"] == nil || byType["slack"] == nil {
		t.Errorf("types %v", byType)
	}
}

func TestResourceTestConnection(t *testing.T) {
	prev := outbound.SetAllowLoopback(true)
	defer outbound.SetAllowLoopback(prev)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "joe" || p != "good-pass-1" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("wrong password " + p))
		}
	}))
	defer srv.Close()
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/resource", map[string]any{"id": "crm", "name": "CRM", "type": "api", "credentials": map[string]any{
		"production": map[string]any{"url": srv.URL, "username": "joe", "password": "good-pass-1"},
		"test":       map[string]any{"url": srv.URL, "username": "joe", "password": "bad-pass-22"},
	}}).MustOK(t)
	ok := e.Admin("POST", "/resource/crm/test", nil).MustOK(t).Obj()
	if ok["ok"] != true || ok["set"] != "production" {
		t.Fatalf("production set: %v", ok)
	}
	bad := e.Admin("POST", "/resource/crm/test?set=test", nil).MustOK(t)
	if bad.Obj()["ok"] != false || !strings.Contains(bad.Obj()["message"].(string), "401") {
		t.Fatalf("test set: %s", bad.Raw)
	}
	if strings.Contains(string(bad.Raw), "bad-pass-22") {
		t.Errorf("the answer shows the password: %s", bad.Raw)
	}
	if r := e.Admin("POST", "/resource/crm/test?set=staging", nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown set: %d %s", r.Status, r.Raw)
	}
	if r := e.Admin("POST", "/resource/nope/test", nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown resource: %d %s", r.Status, r.Raw)
	}
	e.Admin("POST", "/resource", map[string]any{"id": "odd", "name": "Odd", "type": "no-such-type"}).MustOK(t)
	if r := e.Admin("POST", "/resource/odd/test", nil).MustOK(t).Obj(); r["ok"] != false || !strings.Contains(r["message"].(string), "not known") {
		t.Errorf("unknown type: %v", r)
	}
	// The default deny-list applies to connection tests too.
	outbound.SetAllowLoopback(false)
	if r := e.Admin("POST", "/resource/crm/test", nil).MustOK(t).Obj(); r["ok"] != false || !strings.Contains(r["message"].(string), "allow-private-outbound") {
		t.Errorf("loopback not refused: %v", r)
	}
}
