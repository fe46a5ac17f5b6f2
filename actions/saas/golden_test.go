package saas

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// goldenAnswer answers as each service does, by path: one stand-in serves
// every service of the package (their paths do not overlap).
func goldenAnswer(r *http.Request, body string) (int, string) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/slow/") {
		time.Sleep(300 * time.Millisecond)
		p = strings.TrimPrefix(p, "/slow")
	}
	mc := `"status":{"code":"0","msg":"OK","credits":"1"}`
	switch {
	case p == "/oauth/v2/token", p == "/sf-auth/v2/token":
		return 200, `{"access_token":"tok-1","expires_in":3600}`
	case p == "/crm/v3/objects/companies/500":
		return 500, `{"status":"error","message":"internal error"}`
	case strings.HasPrefix(p, "/crm/v3/objects/"):
		return 200, `{"id":"512","properties":{"name":"Acme"},"archived":false}`
	case p == "/api/contacts/new", p == "/api/contacts/47", p == "/api/contacts/1":
		return 200, `{"contact":{"id":47}}`
	case p == "/api/contacts":
		return 200, `{"total":"1","contacts":{"47":{"id":47}}}`
	case strings.HasPrefix(p, "/api/contacts/47/points/"), strings.HasPrefix(p, "/api/segments/"):
		return 200, `{"success":1}`
	case strings.HasPrefix(p, "/3.0/lists/") && strings.HasSuffix(p, "/tags"), r.Method == "DELETE":
		return 204, ""
	case strings.HasPrefix(p, "/3.0/lists/"):
		return 200, `{"id":"h","email_address":"ann@example.org","status":"subscribed"}`
	case p == "/api/1.0/messages/send":
		return 200, `[{"email":"ann@example.org","status":"sent","_id":"m1","reject_reason":null}]`
	case strings.HasPrefix(p, "/v2/"):
		return 200, `{"success":true,"data":{"transactionid":"t-1","messageid":"m-1"}}`
	case p == "/sentiment-2.1":
		return 200, `{` + mc + `,"score_tag":"P","agreement":"AGREEMENT","subjectivity":"OBJECTIVE","confidence":"94"}`
	case p == "/class-2.0", p == "/deepcategorization-1.0":
		return 200, `{` + mc + `,"category_list":[{"code":"Shopping","label":"Shopping","relevance":"100"}]}`
	case p == "/lang-4.0/identification":
		return 200, `{` + mc + `,"language_list":[{"language":"en","relevance":100}]}`
	case p == "/summarization-1.0":
		return 200, `{` + mc + `,"summary":"Great shoes, fast delivery."}`
	case p == "/reputation-2.0", p == "/topics-2.0":
		return 200, `{` + mc + `,"entity_list":[]}`
	case p == "/api/3/contact/sync":
		return 201, `{"contact":{"id":"113","email":"ann@example.org"}}`
	case p == "/api/3/contacts":
		return 200, `{"contacts":[{"id":"113"}]}`
	case p == "/api/3/contacts/113":
		return 200, `{"contact":{"id":"113"},"contactAutomations":[],"contactLists":[{"list":"2","status":"1"}],"fieldValues":[]}`
	case p == "/civicrm/ajax/rest":
		return 200, `{"is_error":0,"count":1,"id":42,"values":{"42":{"id":"42"}}}`
	case p == "/2/httpapi":
		return 200, `{"code":200,"events_ingested":1}`
	case p == "/track":
		return 200, `{"status":1,"error":null}`
	case p == "/api/2.0/funnels":
		return 200, `{"meta":{"dates":["2024-03-14"]},"data":{"2024-03-14":{"steps":[{"count":1}]}}}`
	case p == "/matomo.php":
		return 204, ""
	case p == "/v1/subscribers", p == "/v1/events/trigger":
		return 201, `{"data":{"acknowledged":true,"transactionId":"tx-1"}}`
	case strings.HasPrefix(p, "/sf-rest/data/v1/async/dataextensions/"):
		return 202, `{"requestId":"r-1","resultMessages":[]}`
	}
	return 404, `{"message":"not found"}`
}

// TestGolden runs a flow per plugin (start → the plugin) through the
// engine against one stand-in of every service, and two failures: a
// service answering 500 and one answering too late.
func TestGolden(t *testing.T) {
	srv := startStandIn(t, goldenAnswer)
	u := srv.URL
	resources := creds{
		"mautic":         {"api_url": u, "public_key": "pub", "private_key": "mautic-secret"},
		"mautic-slow":    {"api_url": u + "/slow", "public_key": "pub", "private_key": "mautic-secret", "timeout": 0.1},
		"hubspot":        {"token": "hubspot-token", "base_url": u},
		"mailchimp":      {"token": "mailchimp-key-us6", "base_url": u + "/3.0", "transactional_url": u + "/api/1.0"},
		"elasticemail":   {"api_key": "elastic-key", "public_account_id": "pub-acc", "base_url": u},
		"meaningcloud":   {"token": "mc-key", "base_url": u},
		"activecampaign": {"api_key": "ac-key", "api_url": u},
		"civi":           {"api_url": u + "/civicrm/ajax/rest", "api_key": "civi-key", "site_key": "site-key"},
		"amplitude":      {"api_key": "amp-key"},
		"mixpanel":       {"token": "mp-token", "server_prefix": "EU", "username": "sa", "password": "sa-secret", "base_url": u},
		"matomo":         {"token": "matomo-token", "api_url": u},
		"novu":           {"token": "novu-key", "host": u},
		"salesforce":     {"client_id": "cid", "client_secret": "sf-secret", "subdomain": "mc1", "auth_url": u + "/sf-auth", "rest_url": u + "/sf-rest"},
	}
	list := []plugin.Installed{{Register: flow.RegisterStart}}
	for _, r := range []func() plugin.Plugin{
		RegisterMauticAddContact, RegisterMauticFetchByID, RegisterMauticFetchByEmail, RegisterMauticEditPoints, RegisterMauticSegment,
		RegisterHubSpotAddCompany, RegisterHubSpotAddContact, RegisterHubSpotGetCompany, RegisterHubSpotGetContact, RegisterHubSpotUpdateCompany, RegisterHubSpotUpdateContact,
		RegisterMailchimpAddToAudience, RegisterMailchimpRemoveFromAudience, RegisterMailchimpTagContact, RegisterMailchimpSendEmail,
		RegisterElasticEmailAddContact, RegisterElasticEmailStatus, RegisterElasticEmailTransactional, RegisterElasticEmailBulk,
		RegisterMeaningCloudReputation, RegisterMeaningCloudDeepCategorization, RegisterMeaningCloudLanguage, RegisterMeaningCloudSentiment,
		RegisterMeaningCloudSummarization, RegisterMeaningCloudClassification, RegisterMeaningCloudTopics,
		RegisterActiveCampaignAddContact, RegisterActiveCampaignFetch, RegisterCiviAddContact, RegisterAmplitudeSend,
		RegisterMixpanelSend, RegisterMixpanelFunnel, RegisterMatomoSend, RegisterNovuTrigger, RegisterSalesforceSend,
	} {
		list = append(list, plugin.Installed{Register: r})
	}
	plugintest.Golden(t, "testdata", list, plugintest.GoldenOptions{Resources: resources, Vars: map[string]string{"SAAS": u}})
	for _, r := range srv.all() {
		for _, secret := range []string{"mautic-secret", "sf-secret"} {
			if strings.Contains(r.Query, secret) {
				t.Errorf("%s %s: a secret in the URL", r.Method, r.Path)
			}
		}
	}
}
