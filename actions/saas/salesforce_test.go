package saas

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestSalesforce(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.URL.Path == "/auth/v2/token" {
			var in map[string]any
			_ = json.Unmarshal([]byte(body), &in)
			if in["client_id"] != "cid" || in["client_secret"] != "csecret-1" || in["grant_type"] != "client_credentials" {
				return 401, `{"error":"invalid_client","error_description":"Invalid client ID."}`
			}
			return 200, `{"access_token":"sf-token","token_type":"Bearer","expires_in":1079,"rest_instance_url":"https://x.rest.marketingcloudapis.com/"}`
		}
		if r.Header.Get("Authorization") != "Bearer sf-token" {
			return 401, `{"message":"Not Authorized","errorcode":0}`
		}
		if strings.HasPrefix(r.URL.Path, "/rest/data/v1/async/dataextensions/DE-1/rows") {
			return 202, `{"requestId":"r-1","resultMessages":[]}`
		}
		return 404, `{"message":"Data extension not found"}`
	})
	resources := creds{
		"sf":  {"client_id": "cid", "client_secret": "csecret-1", "subdomain": "mc1", "auth_url": srv.URL + "/auth", "rest_url": srv.URL + "/rest"},
		"bad": {"client_id": "cid", "client_secret": "csecret-2", "subdomain": "mc1", "auth_url": srv.URL + "/auth", "rest_url": srv.URL + "/rest"},
	}
	profile := plugin.Profile{"id": "p-1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}}}}
	cfg := plugin.Config{"source": res("sf"), "extension_id": "DE-1", "update": false, "mapping": map[string]any{"Email": "profile@data.contact.email.main", "ProfileId": "profile@id"}}
	out := plugintest.Run(t, RegisterSalesforceSend(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources, Payload: plugin.Payload{"in": 1}})
	if v := out.MustPort(t, "success"); v["in"] != 1 {
		t.Fatalf("success %v", v)
	}
	got := srv.last(t)
	if got.Method != "POST" || got.Path != "/rest/data/v1/async/dataextensions/DE-1/rows" || got.Body != `{"items":[{"Email":"ann@example.org","ProfileId":"p-1"}]}` {
		t.Fatalf("Marketing Cloud received %+v", got)
	}
	cfg["update"] = true
	plugintest.Run(t, RegisterSalesforceSend(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "success")
	if got := srv.last(t); got.Method != "PUT" {
		t.Fatalf("Marketing Cloud received %+v", got)
	}
	tokens := 0
	for _, r := range srv.all() {
		if r.Path == "/auth/v2/token" {
			tokens++
		}
	}
	if tokens != 1 {
		t.Errorf("%d token requests, want 1 (the token is kept)", tokens)
	}
	cfg["extension_id"] = "DE-9"
	if v := plugintest.Run(t, RegisterSalesforceSend(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "error"); v["status"] != 404 {
		t.Fatalf("error %v", v)
	}
	cfg["source"] = res("bad")
	bad := plugintest.Run(t, RegisterSalesforceSend(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources})
	if v := bad.MustPort(t, "error"); v["status"] != 401 || !strings.Contains(v["message"].(string), "access token") || strings.Contains(bad.LogText(), "csecret-2") {
		t.Fatalf("error %v", v)
	}
	if err := SalesforceType.Check(context.Background(), resources["bad"]); err == nil || strings.Contains(err.Error(), "csecret-2") {
		t.Fatalf("check: %v", err)
	}
	if err := SalesforceType.Check(context.Background(), resources["sf"]); err != nil {
		t.Fatalf("check: %v", err)
	}
	if b, err := salesforce.base(mustParse(t, SalesforceType, map[string]any{"client_id": "a", "client_secret": "b", "subdomain": "mc1"})); err != nil || b != "https://mc1.rest.marketingcloudapis.com" {
		t.Errorf("REST base %q, %v", b, err)
	}
}
