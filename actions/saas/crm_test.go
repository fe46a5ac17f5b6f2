package saas

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestActiveCampaign(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.Header.Get("Api-Token") != "ac-key-1" {
			return 403, `{"message":"No Result found for Subscriber with id 0"}`
		}
		switch r.Method + " " + r.URL.Path {
		case "POST /api/3/contact/sync":
			return 201, `{"contact":{"id":"113","email":"ann@example.org"},"fieldValues":[]}`
		case "PUT /api/3/contacts/113":
			return 200, `{"contact":{"id":"113"}}`
		case "GET /api/3/contacts":
			if r.URL.Query().Get("email") == "ann@example.org" {
				return 200, `{"contacts":[{"id":"113","email":"ann@example.org"}],"meta":{"total":"1"}}`
			}
			return 200, `{"contacts":[],"meta":{"total":"0"}}`
		case "GET /api/3/contacts/113":
			return 200, `{"contact":{"id":"113"},"contactAutomations":[{"automation":"5","status":"1"}],"contactLists":[{"list":"2","status":"1"}],"fieldValues":[{"field":"3","value":"gold"}]}`
		}
		return 422, `{"errors":[{"title":"unexpected"}]}`
	})
	resources := creds{"ac": {"api_key": "ac-key-1", "api_url": srv.URL}, "bad": {"api_key": "ac-key-2", "api_url": srv.URL}}
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}, "traits": map[string]any{"plan": "gold"}}

	add := plugin.Config{"source": res("ac"), "fields": map[string]any{"email": "profile@data.contact.email.main", "firstName": "profile@data.pii.firstname",
		"lastName": "profile@data.pii.lastname", "3": "profile@traits.plan"}}
	v := plugintest.Run(t, RegisterActiveCampaignAddContact(), plugintest.Case{Config: add, Profile: profile, Resources: resources}).MustPort(t, "success")
	got := srv.last(t)
	if got.Method != "POST" || got.Path != "/api/3/contact/sync" ||
		got.Body != `{"contact":{"email":"ann@example.org","fieldValues":[{"field":"3","value":"gold"}],"firstName":"Ann"}}` || v["contact"] == nil {
		t.Fatalf("ActiveCampaign received %+v; success %v", got, v)
	}
	byID := plugin.Config{"source": res("ac"), "fields": map[string]any{"id": "113", "phone": "123"}}
	plugintest.Run(t, RegisterActiveCampaignAddContact(), plugintest.Case{Config: byID, Resources: resources}).MustPort(t, "success")
	if got := srv.last(t); got.Method != "PUT" || got.Path != "/api/3/contacts/113" || got.Body != `{"contact":{"phone":"123"}}` {
		t.Fatalf("ActiveCampaign received %+v", got)
	}
	if v := plugintest.Run(t, RegisterActiveCampaignAddContact(), plugintest.Case{Config: plugin.Config{"source": res("ac"), "fields": map[string]any{}}, Resources: resources}).
		MustPort(t, "error"); !strings.Contains(v["message"].(string), "email or id") {
		t.Fatalf("error %v", v)
	}

	fetch := plugin.Config{"source": res("ac"), "email": "profile@data.contact.email.main"}
	v = plugintest.Run(t, RegisterActiveCampaignFetch(), plugintest.Case{Config: fetch, Profile: profile, Resources: resources}).MustPort(t, "result")
	if v["fieldValues"].(map[string]any)["3"].(map[string]any)["value"] != "gold" || v["contactLists"].(map[string]any)["2"] == nil ||
		v["contactAutomations"].(map[string]any)["5"] == nil || srv.last(t).Path != "/api/3/contacts/113" {
		t.Fatalf("result %v", v)
	}
	fetch["email"] = "nobody@example.org"
	if v := plugintest.Run(t, RegisterActiveCampaignFetch(), plugintest.Case{Config: fetch, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "no contact") {
		t.Fatalf("error %v", v)
	}
	fetch["source"] = res("bad")
	bad := plugintest.Run(t, RegisterActiveCampaignFetch(), plugintest.Case{Config: fetch, Resources: resources})
	if v := bad.MustPort(t, "error"); v["status"] != 403 || strings.Contains(bad.LogText(), "ac-key-2") {
		t.Fatalf("error %v", v)
	}
}

func TestCiviCRM(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		f, _ := url.ParseQuery(body)
		if r.URL.Path != "/civicrm/ajax/rest" || f.Get("key") != "site-key-1" || f.Get("api_key") != "user-key-1" {
			return 200, `{"is_error":1,"error_message":"Failed to authenticate key"}`
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(f.Get("json")), &data); err != nil || f.Get("entity") != "Contact" || f.Get("action") != "create" {
			return 200, `{"is_error":1,"error_message":"bad request"}`
		}
		if r.URL.RawQuery != "" {
			return 400, `keys in the URL`
		}
		return 200, `{"is_error":0,"version":3,"count":1,"id":42,"values":{"42":{"id":"42"}}}`
	})
	resources := creds{"civi": {"api_url": srv.URL + "/civicrm/ajax/rest", "api_key": "user-key-1", "site_key": "site-key-1"},
		"bad": {"api_url": srv.URL + "/civicrm/ajax/rest", "api_key": "user-key-2", "site_key": "site-key-1"}}
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}}
	cfg := plugin.Config{"source": res("civi"), "contact_type": "Individual", "fields": map[string]any{"email": "profile@data.contact.email.main",
		"first_name": "profile@data.pii.firstname", "last_name": "profile@data.pii.lastname"}}
	v := plugintest.Run(t, RegisterCiviAddContact(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "success")
	f, _ := url.ParseQuery(srv.last(t).Body)
	if v["id"] != 42.0 || f.Get("json") != `{"contact_type":"Individual","email":"ann@example.org","first_name":"Ann"}` {
		t.Fatalf("CiviCRM received %s; success %v", f.Get("json"), v)
	}
	cfg["source"] = res("bad")
	bad := plugintest.Run(t, RegisterCiviAddContact(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources})
	if v := bad.MustPort(t, "error"); !strings.Contains(v["message"].(string), "Failed to authenticate key") || strings.Contains(bad.LogText(), "user-key-2") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterCiviAddContact(), plugin.Config{"source": res("civi"), "contact_type": "Robot"}, "contact_type")
}
