package saas

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestElasticEmail(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		f, _ := url.ParseQuery(body)
		if f.Get("apikey") != "ee-key-1" {
			return 200, `{"success":false,"error":"Incorrect apikey"}`
		}
		switch r.URL.Path {
		case "/v2/email/send":
			return 200, `{"success":true,"data":{"transactionid":"t-1","messageid":"m-1"}}`
		case "/v2/contact/add":
			if f.Get("publicAccountID") != "pub-acc" {
				return 200, `{"success":false,"error":"Account not found"}`
			}
			return 200, `{"success":true,"data":"c-1"}`
		case "/v2/contact/changestatus":
			return 200, `{"success":true}`
		}
		return 500, `internal error`
	})
	resources := creds{"ee": {"api_key": "ee-key-1", "public_account_id": "pub-acc", "base_url": srv.URL},
		"bad": {"api_key": "ee-key-2", "public_account_id": "pub-acc", "base_url": srv.URL}, "nopub": {"api_key": "ee-key-1", "base_url": srv.URL}}
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}}
	form := func() url.Values { f, _ := url.ParseQuery(srv.last(t).Body); return f }

	send := plugin.Config{"source": res("ee"), "sender_email": "shop@example.com", "message": map[string]any{"recipient": "payload@to",
		"subject": "Order {{payload@order}}", "content": map[string]any{"type": "text/plain", "content": "Thanks, {{profile@data.pii.firstname}}"}}}
	for _, c := range []struct {
		p             plugin.Plugin
		transactional string
	}{{RegisterElasticEmailTransactional(), "true"}, {RegisterElasticEmailBulk(), "false"}} {
		v := plugintest.Run(t, c.p, plugintest.Case{Config: send, Profile: profile, Resources: resources,
			Payload: plugin.Payload{"to": []any{"ann@example.org", "bob@example.org"}, "order": 7}}).MustPort(t, "response")
		f := form()
		if srv.last(t).Path != "/v2/email/send" || f.Get("to") != "ann@example.org,bob@example.org" || f.Get("subject") != "Order 7" ||
			f.Get("bodyText") != "Thanks, Ann" || f.Get("from") != "shop@example.com" || f.Get("isTransactional") != c.transactional || v["success"] != true {
			t.Fatalf("Elastic Email received %+v; response %v", srv.last(t), v)
		}
	}

	add := plugin.Config{"source": res("ee"), "email": "profile@data.contact.email.main", "additional_mapping": map[string]any{"firstName": "profile@data.pii.firstname"}}
	plugintest.Run(t, RegisterElasticEmailAddContact(), plugintest.Case{Config: add, Profile: profile, Resources: resources}).MustPort(t, "response")
	if f := form(); srv.last(t).Path != "/v2/contact/add" || f.Get("email") != "ann@example.org" || f.Get("firstName") != "Ann" || f.Get("sendActivation") != "false" {
		t.Fatalf("Elastic Email received %+v", srv.last(t))
	}
	add["source"] = res("nopub")
	if v := plugintest.Run(t, RegisterElasticEmailAddContact(), plugintest.Case{Config: add, Profile: profile, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "public account id") {
		t.Fatalf("error %v", v)
	}

	status := plugin.Config{"source": res("ee"), "email": "profile@data.contact.email.main", "status": "Unsubscribed"}
	plugintest.Run(t, RegisterElasticEmailStatus(), plugintest.Case{Config: status, Profile: profile, Resources: resources}).MustPort(t, "response")
	if f := form(); srv.last(t).Path != "/v2/contact/changestatus" || f.Get("emails") != "ann@example.org" || f.Get("status") != "Unsubscribed" {
		t.Fatalf("Elastic Email received %+v", srv.last(t))
	}
	// A 200 answer with success false is a failure; the key stays out of it.
	status["source"] = res("bad")
	out := plugintest.Run(t, RegisterElasticEmailStatus(), plugintest.Case{Config: status, Profile: profile, Resources: resources})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "Incorrect apikey") || strings.Contains(out.LogText(), "ee-key-2") {
		t.Fatalf("error %v", v)
	}
	if strings.Contains(srv.last(t).Query, "apikey") {
		t.Errorf("the API key went in the URL: %s", srv.last(t).Query)
	}
	many := make([]any, maxRecipients+1)
	for i := range many {
		many[i] = "a@example.org"
	}
	if v := plugintest.Run(t, RegisterElasticEmailBulk(), plugintest.Case{Config: send, Resources: resources, Payload: plugin.Payload{"to": many}}).
		MustPort(t, "error"); !strings.Contains(v["message"].(string), "at most 1000") {
		t.Fatalf("error %v", v)
	}
	// Tracardi's send test config has an empty body: it sets up, then fails clearly.
	empty := plugin.Config{"message": map[string]any{"content": map[string]any{"content": "", "type": "text/plain"}, "recipient": "test@rest.co", "subject": "subject"},
		"sender_email": "test@rest.co", "source": res("ee")}
	if v := plugintest.Run(t, RegisterElasticEmailBulk(), plugintest.Case{Config: empty, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "empty") {
		t.Fatalf("error %v", v)
	}
}
