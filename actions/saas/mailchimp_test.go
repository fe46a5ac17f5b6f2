package saas

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMailchimpAudience(t *testing.T) {
	const key = "0123456789abcdef-us6"
	annHash := subscriberHash("Ann@Example.org")
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("tracflow:"+key)) {
			return 401, `{"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":"API Key Invalid","status":401}`
		}
		switch r.Method + " " + r.URL.Path {
		case "POST /3.0/lists/L1/members", "PUT /3.0/lists/L1/members/" + annHash:
			var in map[string]any
			_ = json.Unmarshal([]byte(body), &in)
			if in["email_address"] == "bob@example.org" {
				return 400, `{"title":"Member Exists","status":400,"detail":"bob@example.org is already a list member."}`
			}
			return 200, `{"id":"` + annHash + `","email_address":"ann@example.org","status":"` + in["status"].(string) + `"}`
		case "DELETE /3.0/lists/L1/members/" + annHash, "POST /3.0/lists/L1/members/" + annHash + "/actions/delete-permanent",
			"POST /3.0/lists/L1/members/" + annHash + "/tags":
			return 204, ""
		}
		return 404, `{"title":"Resource Not Found","status":404}`
	})
	resources := creds{"mc": {"token": key, "base_url": srv.URL + "/3.0"}}
	profile := plugin.Profile{"id": "p1", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "Ann@Example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}}

	add := plugin.Config{"source": res("mc"), "list_id": map[string]any{"id": "L1", "name": "Newsletter"}, "email": "profile@data.contact.email.main",
		"merge_fields": map[string]any{"FNAME": "profile@data.pii.firstname"}, "subscribed": true, "update": false}
	v := plugintest.Run(t, RegisterMailchimpAddToAudience(), plugintest.Case{Config: add, Profile: profile, Resources: resources}).MustPort(t, "response")
	got := srv.last(t)
	if got.Method != "POST" || got.Path != "/3.0/lists/L1/members" || got.Body != `{"email_address":"Ann@Example.org","merge_fields":{"FNAME":"Ann"},"status":"subscribed"}` ||
		v["result"].([]any)[0].(map[string]any)["status"] != "subscribed" {
		t.Fatalf("Mailchimp received %+v; response %v", got, v)
	}
	add["update"], add["subscribed"] = true, false
	plugintest.Run(t, RegisterMailchimpAddToAudience(), plugintest.Case{Config: add, Profile: profile, Resources: resources}).MustPort(t, "response")
	if got := srv.last(t); got.Method != "PUT" || got.Path != "/3.0/lists/L1/members/"+annHash || !strings.Contains(got.Body, `"status_if_new":"pending"`) {
		t.Fatalf("Mailchimp received %+v", got)
	}
	// Two addresses, one refused: the error port has both answers.
	add["update"], add["email"] = false, "payload@emails"
	out := plugintest.Run(t, RegisterMailchimpAddToAudience(), plugintest.Case{Config: add, Profile: profile, Resources: resources,
		Payload: plugin.Payload{"emails": []any{"ann@example.org", "bob@example.org"}}})
	e := out.MustPort(t, "error")
	if e["status"] != 400 || len(e["result"].([]any)) != 2 || !strings.Contains(e["body"].(string), "Member Exists") {
		t.Fatalf("error %v", e)
	}

	for _, c := range []struct {
		p            plugin.Plugin
		cfg          plugin.Config
		method, path string
		body         string
	}{
		{RegisterMailchimpRemoveFromAudience(), plugin.Config{"delete": false}, "DELETE", "/3.0/lists/L1/members/" + annHash, ""},
		{RegisterMailchimpRemoveFromAudience(), plugin.Config{"delete": true}, "POST", "/3.0/lists/L1/members/" + annHash + "/actions/delete-permanent", ""},
		{RegisterMailchimpTagContact(), plugin.Config{"tags": "vip, eu"}, "POST", "/3.0/lists/L1/members/" + annHash + "/tags",
			`{"tags":[{"name":"vip","status":"active"},{"name":"eu","status":"active"}]}`},
	} {
		c.cfg["source"], c.cfg["list_id"], c.cfg["email"] = res("mc"), "L1", "profile@data.contact.email.main"
		v := plugintest.Run(t, c.p, plugintest.Case{Config: c.cfg, Profile: profile, Resources: resources}).MustPort(t, "response")
		if got := srv.last(t); got.Method != c.method || got.Path != c.path || got.Body != c.body || v["result"].([]any)[0] != nil {
			t.Fatalf("Mailchimp received %+v, want %s %s %s; response %v", got, c.method, c.path, c.body, v)
		}
	}

	// Without a base URL, the key's data center names the host.
	noDC := creds{"mc": {"token": "abc"}}
	if v := plugintest.Run(t, RegisterMailchimpTagContact(), plugintest.Case{Resources: noDC, Config: plugin.Config{"source": res("mc"), "list_id": "L1", "email": "a@b.co", "tags": "x"}}).
		MustPort(t, "error"); !strings.Contains(v["message"].(string), "data center") {
		t.Fatalf("error %v", v)
	}
	if b, _ := mailchimp.baseOf(mustParse(t, MailchimpType, map[string]any{"token": key})); b != "https://us6.api.mailchimp.com/3.0" {
		t.Errorf("base URL %q", b)
	}
	// Hostile input is bounded: no more than maxMembers calls in a run.
	many := make([]any, maxMembers+1)
	for i := range many {
		many[i] = "a@example.org"
	}
	before := len(srv.all())
	tooMany := plugintest.Run(t, RegisterMailchimpTagContact(), plugintest.Case{Resources: resources, Payload: plugin.Payload{"emails": many},
		Config: plugin.Config{"source": res("mc"), "list_id": "L1", "email": "payload@emails", "tags": "x"}})
	if v := tooMany.MustPort(t, "error"); !strings.Contains(v["message"].(string), "at most 100") || len(srv.all()) != before {
		t.Fatalf("error %v after %d calls", v, len(srv.all())-before)
	}
	plugintest.SetUpFails(t, RegisterMailchimpTagContact(), plugin.Config{"source": res("mc"), "list_id": map[string]any{"id": "", "name": ""}, "email": "a@b.co", "tags": "x"}, "list_id")
}

func TestMailchimpSendEmail(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		var in map[string]any
		_ = json.Unmarshal([]byte(body), &in)
		if r.URL.Path != "/api/1.0/messages/send" || in["key"] != "md-key-1" {
			return 500, `{"status":"error","code":-1,"name":"Invalid_Key","message":"Invalid API key"}`
		}
		var out []any
		for _, x := range in["message"].(map[string]any)["to"].([]any) {
			e := x.(map[string]any)["email"].(string)
			st := "sent"
			if strings.HasPrefix(e, "blocked") {
				st = "rejected"
			}
			out = append(out, map[string]any{"email": e, "status": st, "_id": "m1", "reject_reason": nil})
		}
		b, _ := json.Marshal(out)
		return 200, string(b)
	})
	resources := creds{"mc": {"token": "md-key-1", "transactional_url": srv.URL + "/api/1.0"}, "bad": {"token": "md-key-2", "transactional_url": srv.URL + "/api/1.0"}}
	cfg := plugin.Config{"source": res("mc"), "sender_email": "shop@example.com", "message": map[string]any{"recipient": "payload@to",
		"subject": "Hi {{payload@name}}", "content": map[string]any{"type": "text/html", "content": "<p>Order {{payload@order}}</p>"}}}
	out := plugintest.Run(t, RegisterMailchimpSendEmail(), plugintest.Case{Config: cfg, Resources: resources,
		Payload: plugin.Payload{"to": []any{"ann@example.org", "nope"}, "name": "Ann", "order": 7}})
	v := out.MustPort(t, "response")
	got := srv.last(t)
	if got.Body != `{"key":"md-key-1","message":{"from_email":"shop@example.com","html":"\u003cp\u003eOrder 7\u003c/p\u003e","subject":"Hi Ann","to":[{"email":"ann@example.org","type":"to"}]}}` ||
		len(v["result"].([]any)) != 1 || !strings.Contains(out.LogText(), `"nope" is not a valid address`) {
		t.Fatalf("Mandrill received %s; response %v", got.Body, v)
	}
	blocked := plugintest.Run(t, RegisterMailchimpSendEmail(), plugintest.Case{Config: cfg, Resources: resources, Payload: plugin.Payload{"to": "blocked@example.org"}})
	if v := blocked.MustPort(t, "error"); !strings.Contains(v["message"].(string), "rejected") {
		t.Fatalf("error %v", v)
	}
	bad := plugintest.Run(t, RegisterMailchimpSendEmail(), plugintest.Case{Config: plugin.Config{"source": res("bad"), "sender_email": "shop@example.com",
		"message": cfg["message"]}, Resources: resources, Payload: plugin.Payload{"to": "ann@example.org"}})
	if v := bad.MustPort(t, "error"); v["status"] != 500 || strings.Contains(bad.LogText(), "md-key-2") || strings.Contains(v["message"].(string), "md-key-2") {
		t.Fatalf("error %v", v)
	}
	// Tracardi's test config: content "None" as plain text, set up fine.
	if _, err := plugintest.SetUp(t.Context(), RegisterMailchimpSendEmail(), plugin.Config{"message": map[string]any{"content": map[string]any{"content": "None", "type": "text/html"},
		"recipient": "test@test.com", "subject": "None"}, "sender_email": "test@test.com", "source": res("mc")}); err != nil {
		t.Fatal(err)
	}
	plugintest.SetUpFails(t, RegisterMailchimpSendEmail(), plugin.Config{"source": res("mc"), "sender_email": "x", "message": cfg["message"]}, "sender_email")
}

func mustParse(t *testing.T, typ plugin.ResourceType, c map[string]any) *plugin.ParsedConfig {
	t.Helper()
	p, err := typ.ParseCredentials(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
