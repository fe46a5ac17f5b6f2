package saas

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
)

// TestChecks runs every resource type's Test connection against a stand-in
// that accepts only the good secret, wherever the service documents it
// (header, form body or basic auth), and answers the way each service
// reports a refusal.
func TestChecks(t *testing.T) {
	const good = "good-secret-1"
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.URL.Path == "/oauth/v2/token" || r.URL.Path == "/sf-auth/v2/token" {
			if !strings.Contains(body, good) {
				return 401, `{"error":"invalid_client"}`
			}
			return 200, `{"access_token":"tok-` + good + `","expires_in":60}`
		}
		user, pass, _ := r.BasicAuth()
		if !strings.Contains(r.Header.Get("Authorization")+r.Header.Get("Api-Token")+body+user+pass, good) {
			switch r.URL.Path {
			case "/v2/account/load":
				return 200, `{"success":false,"error":"Incorrect apikey"}`
			case "/lang-4.0/identification":
				return 200, `{"status":{"code":"100","msg":"Operation denied"}}`
			case "/civicrm/ajax/rest":
				return 200, `{"is_error":1,"error_message":"Failed to authenticate key"}`
			case "/index.php":
				return 200, `{"result":"error","message":"You can't access this resource"}`
			}
			return 401, `{"message":"unauthorized"}`
		}
		return 200, `{"ok":true}`
	})
	u := srv.URL
	cases := []struct {
		typ        plugin.ResourceType
		creds      map[string]any
		secret     string // the field that holds the good secret
		path, meth string
	}{
		{MauticType, map[string]any{"api_url": u, "public_key": "pub"}, "private_key", "/api/contacts", "GET"},
		{HubSpotType, map[string]any{"base_url": u}, "token", "/crm/v3/objects/contacts", "GET"},
		{MailchimpType, map[string]any{"base_url": u + "/3.0"}, "token", "/3.0/ping", "GET"},
		{ElasticEmailType, map[string]any{"base_url": u}, "api_key", "/v2/account/load", "POST"},
		{MeaningCloudType, map[string]any{"base_url": u}, "token", "/lang-4.0/identification", "POST"},
		{ActiveCampaignType, map[string]any{"api_url": u}, "api_key", "/api/3/users/me", "GET"},
		{CiviCRMType, map[string]any{"api_url": u + "/civicrm/ajax/rest", "site_key": "site"}, "api_key", "/civicrm/ajax/rest", "POST"},
		{MatomoType, map[string]any{"api_url": u}, "token", "/index.php", "POST"},
		{NovuType, map[string]any{"host": u}, "token", "/v1/environments/me", "GET"},
		{SalesforceType, map[string]any{"client_id": "cid", "subdomain": "mc1", "auth_url": u + "/sf-auth"}, "client_secret", "/sf-auth/v2/token", "POST"},
	}
	for _, c := range cases {
		t.Run(c.typ.Type, func(t *testing.T) {
			if c.typ.Check == nil {
				t.Fatal("no Test connection")
			}
			creds := map[string]any{c.secret: good}
			for k, v := range c.creds {
				creds[k] = v
			}
			if err := c.typ.Check(context.Background(), creds); err != nil {
				t.Fatalf("good credentials: %v", err)
			}
			if got := srv.last(t); got.Path != c.path || got.Method != c.meth {
				t.Errorf("checked with %s %s, want %s %s", got.Method, got.Path, c.meth, c.path)
			}
			creds[c.secret] = "bad-secret-2"
			err := c.typ.Check(context.Background(), creds)
			if err == nil || strings.Contains(err.Error(), "bad-secret-2") {
				t.Fatalf("bad credentials: %v", err)
			}
		})
	}
	// Every type of the package is registered with its credential fields.
	for _, typ := range []plugin.ResourceType{MauticType, HubSpotType, MailchimpType, ElasticEmailType, MeaningCloudType, ActiveCampaignType,
		CiviCRMType, AmplitudeType, MixpanelType, MatomoType, NovuType, SalesforceType} {
		got, ok := plugin.LookupResourceType(typ.Type)
		if !ok || got.Fields == nil || len(got.Fields.Fields()) == 0 {
			t.Errorf("%s: not registered with its fields", typ.Type)
		}
	}
}
