package saas

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestHubSpot(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.Header.Get("Authorization") != "Bearer pat-eu1-good" {
			return 401, `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`
		}
		switch r.Method + " " + r.URL.Path {
		case "POST /crm/v3/objects/contacts", "POST /crm/v3/objects/companies":
			var in map[string]any
			_ = json.Unmarshal([]byte(body), &in)
			out, _ := json.Marshal(map[string]any{"id": "512", "properties": in["properties"], "archived": false})
			return 201, string(out)
		case "GET /crm/v3/objects/contacts/512", "GET /crm/v3/objects/companies/512", "PATCH /crm/v3/objects/contacts/512", "PATCH /crm/v3/objects/companies/512":
			return 200, `{"id":"512","properties":{"name":"Acme"},"archived":false}`
		}
		return 404, `{"status":"error","message":"Object not found.  objectId are usually numeric.","category":"OBJECT_NOT_FOUND"}`
	})
	resources := creds{"hs": {"token": "pat-eu1-good", "base_url": srv.URL}, "bad": {"token": "pat-eu1-revoked", "base_url": srv.URL}}
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}}},
		"traits": map[string]any{"tags": []any{"vip", "eu"}, "hubspot": "512", "langs": []any{"en", "pl"}}}
	props := map[string]any{"email": "profile@data.contact.email.main", "tags": "profile@traits.tags", "languages": "profile@traits.langs", "lifecyclestage": "lead"}

	cases := []struct {
		name         string
		p            plugin.Plugin
		cfg          plugin.Config
		method, path string
		body         string
	}{
		{"add contact", RegisterHubSpotAddContact(), plugin.Config{"properties": props}, "POST", "/crm/v3/objects/contacts",
			`{"properties":{"email":"ann@example.org","languages":"en;pl","lifecyclestage":"lead","tags":"vip;eu"}}`},
		{"add company", RegisterHubSpotAddCompany(), plugin.Config{"properties": map[string]any{"name": "Acme", "domain": "payload@domain"}}, "POST", "/crm/v3/objects/companies",
			`{"properties":{"domain":"acme.example","name":"Acme"}}`},
		{"get contact", RegisterHubSpotGetContact(), plugin.Config{"contact_id": "profile@traits.hubspot"}, "GET", "/crm/v3/objects/contacts/512", ""},
		{"get company", RegisterHubSpotGetCompany(), plugin.Config{"company_id": 512}, "GET", "/crm/v3/objects/companies/512", ""},
		{"update contact", RegisterHubSpotUpdateContact(), plugin.Config{"contact_id": "512", "properties": map[string]any{"firstname": "Ann"}}, "PATCH", "/crm/v3/objects/contacts/512",
			`{"properties":{"firstname":"Ann"}}`},
		{"update company", RegisterHubSpotUpdateCompany(), plugin.Config{"company_id": "payload@company", "properties": map[string]any{"name": "Acme"}}, "PATCH", "/crm/v3/objects/companies/512",
			`{"properties":{"name":"Acme"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg["source"] = res("hs")
			out := plugintest.Run(t, c.p, plugintest.Case{Config: c.cfg, Profile: profile, Resources: resources,
				Payload: plugin.Payload{"domain": "acme.example", "company": 512}})
			if v := out.MustPort(t, "response"); v["id"] != "512" {
				t.Fatalf("response %v", v)
			}
			got := srv.last(t)
			if got.Method != c.method || got.Path != c.path || got.Body != c.body || got.Auth != "Bearer pat-eu1-good" {
				t.Fatalf("HubSpot received %s %s %s (auth %q), want %s %s %s", got.Method, got.Path, got.Body, got.Auth, c.method, c.path, c.body)
			}
			if c.body != "" && got.Type != "application/json" {
				t.Errorf("content type %q", got.Type)
			}
		})
	}

	bad := plugintest.Run(t, RegisterHubSpotGetContact(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("bad"), "contact_id": "512"}})
	if v := bad.MustPort(t, "error"); v["status"] != 401 || !strings.Contains(v["body"].(string), "INVALID_AUTHENTICATION") || strings.Contains(bad.LogText(), "pat-eu1-revoked") {
		t.Fatalf("error %v", v)
	}
	missing := plugintest.Run(t, RegisterHubSpotGetCompany(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("hs"), "company_id": "9"}})
	if v := missing.MustPort(t, "error"); v["status"] != 404 || !strings.HasPrefix(v["message"].(string), "HubSpot: ") {
		t.Fatalf("error %v", v)
	}
	empty := plugintest.Run(t, RegisterHubSpotGetContact(), plugintest.Case{Resources: resources, Config: plugin.Config{"source": res("hs"), "contact_id": "profile@traits.none"}})
	if v := empty.MustPort(t, "error"); !strings.Contains(v["message"].(string), "contact_id") {
		t.Fatalf("error %v", v)
	}
	// Tracardi's add_contact test config has a list for properties.
	if _, err := plugintest.SetUp(t.Context(), RegisterHubSpotAddContact(), plugin.Config{"source": res("hs"), "properties": []any{}}); err != nil {
		t.Fatal(err)
	}
	plugintest.SetUpFails(t, RegisterHubSpotAddCompany(), plugin.Config{"source": res("hs"), "properties": "name"}, "properties")
}
