package connectors

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestSendGrid(t *testing.T) {
	standin.AllowLoopback(t)
	var method, path, auth, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		method, path, auth, body = r.Method, r.URL.Path, r.Header.Get("Authorization"), string(b)
		if auth != "Bearer SG.good" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v3/mail/send":
			w.WriteHeader(202)
		case "/v3/marketing/contacts":
			w.WriteHeader(202)
			_, _ = w.Write([]byte(`{"job_id": "j-1"}`))
		case "/v3/asm/suppressions/global":
			w.WriteHeader(201)
			_, _ = w.Write(b)
		}
	}))
	defer srv.Close()
	resources := standin.Creds{"sg": {"token": "SG.good", "base_url": srv.URL}, "bad": {"token": "SG.revoked-key", "base_url": srv.URL}}
	profile := plugin.Profile{"id": "p", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}, "traits": map[string]any{"tags": []any{"vip", "eu"}}}

	mailCfg := plugin.Config{"source": standin.Resource("sg"), "sender_email": "shop@example.com", "message": map[string]any{
		"recipient": "payload@to", "subject": "Hi {{profile@data.pii.firstname}}",
		"content": map[string]any{"type": "text/html", "content": "<p>Thanks</p>"}}}
	out := plugintest.Run(t, RegisterSendGridEmail(), plugintest.Case{Config: mailCfg, Profile: profile,
		Payload: plugin.Payload{"to": []any{"ann@example.org", "not an address", "bob@example.org"}}, Resources: resources})
	if v := out.MustPort(t, "response"); v["status"] != 202 {
		t.Fatalf("response %v", v)
	}
	var sent map[string]any
	_ = json.Unmarshal([]byte(body), &sent)
	if method != "POST" || path != "/v3/mail/send" || len(sent["personalizations"].([]any)) != 2 || sent["subject"] != "Hi Ann" ||
		dotpath.At(sent, "content.0.value") != "<p>Thanks</p>" || dotpath.At(sent, "from.email") != "shop@example.com" {
		t.Fatalf("SendGrid received %s %s %s", method, path, body)
	}
	if !strings.Contains(out.LogText(), `"not an address" is not a valid address`) {
		t.Errorf("no warning for the bad address: %s", out.LogText())
	}

	contactCfg := plugin.Config{"source": standin.Resource("sg"), "email": "profile@data.contact.email.main", "list_ids": "l1, l2",
		"additional_mapping": map[string]any{"first_name": "profile@data.pii.firstname", "tags": "profile@traits.tags"}}
	v := plugintest.Run(t, RegisterSendGridContact(), plugintest.Case{Config: contactCfg, Profile: profile, Resources: resources}).MustPort(t, "response")
	if method != "PUT" || path != "/v3/marketing/contacts" || body != `{"contacts":[{"email":"ann@example.org","first_name":"Ann","tags":"vip,eu"}],"list_ids":["l1","l2"]}` || v["job_id"] != "j-1" {
		t.Fatalf("SendGrid received %s %s %s, response %v", method, path, body, v)
	}

	supCfg := plugin.Config{"source": standin.Resource("sg"), "email": "profile@data.contact.email.main"}
	plugintest.Run(t, RegisterSendGridSuppress(), plugintest.Case{Config: supCfg, Profile: profile, Resources: resources}).MustPort(t, "response")
	if path != "/v3/asm/suppressions/global" || body != `{"recipient_emails":["ann@example.org"]}` {
		t.Fatalf("SendGrid received %s %s", path, body)
	}
	supCfg["source"] = standin.Resource("bad")
	out = plugintest.Run(t, RegisterSendGridSuppress(), plugintest.Case{Config: supCfg, Profile: profile, Resources: resources})
	if v := out.MustPort(t, "error"); v["status"] != 401 || strings.Contains(out.LogText(), "SG.revoked-key") {
		t.Fatalf("error %v", v)
	}
	// Tracardi's send_email test config has an empty body: set up, then a clear error.
	empty := plugin.Config{"message": map[string]any{"content": map[string]any{"content": "", "type": "text/plain"}, "recipient": "test@rest.co", "subject": "subject"},
		"sender_email": "test@rest.co", "source": standin.Resource("sg")}
	if v := plugintest.Run(t, RegisterSendGridEmail(), plugintest.Case{Config: empty, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "empty") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterSendGridEmail(), plugin.Config{"source": standin.Resource("sg"), "sender_email": "nope", "message": map[string]any{"recipient": "a@b.c", "subject": "s"}}, "sender_email")
}
