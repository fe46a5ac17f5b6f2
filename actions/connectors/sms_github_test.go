package connectors

import (
	"encoding/base64"
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

func TestClickSendSMS(t *testing.T) {
	standin.AllowLoopback(t)
	var path, auth string
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, auth = r.URL.Path, r.Header.Get("Authorization")
		body = nil
		_ = json.Unmarshal(b, &body)
		w.Header().Set("Content-Type", "application/json")
		if auth != "Basic "+base64.StdEncoding.EncodeToString([]byte("shop:KEY-42")) {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"http_code": 401, "response_code": "UNAUTHORIZED", "response_msg": "Invalid KEY-WRONG"}`))
			return
		}
		_, _ = w.Write([]byte(`{"http_code": 200, "response_code": "SUCCESS", "data": {"total_count": 1}}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"cs": {"username": "shop", "api_key": "KEY-42", "base_url": srv.URL + "/v3"},
		"bad": {"username": "shop", "api_key": "KEY-WRONG", "base_url": srv.URL + "/v3"}}
	cfg := plugin.Config{"resource": standin.Resource("cs"), "message": "Code {{payload@code}}", "recipient": "profile@data.pii.telephone", "sender": ""}
	profile := plugin.Profile{"id": "p", "data": map[string]any{"pii": map[string]any{"telephone": "+48600100200"}}}
	v := plugintest.Run(t, RegisterClickSendSMS(), plugintest.Case{Config: cfg, Profile: profile, Payload: plugin.Payload{"code": 1234.0}, Resources: resources}).MustPort(t, "response")
	msgs, _ := body["messages"].([]any)
	if path != "/v3/sms/send" || len(msgs) != 1 {
		t.Fatalf("ClickSend received %s %v", path, body)
	}
	m := msgs[0].(map[string]any)
	if m["to"] != "+48600100200" || m["body"] != "Code 1234" || m["from"] != nil {
		t.Fatalf("message %v", m)
	}
	if v["status"] != 200 || dotpath.At(v, "content.response_code") != "SUCCESS" {
		t.Fatalf("response %v", v)
	}
	cfg["sender"] = "Shop"
	plugintest.Run(t, RegisterClickSendSMS(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "response")
	if dotpath.At(body, "messages.0.from") != "Shop" {
		t.Fatalf("sender not sent: %v", body)
	}
	cfg["resource"] = standin.Resource("bad")
	out := plugintest.Run(t, RegisterClickSendSMS(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources})
	v = out.MustPort(t, "error")
	if v["status"] != 401 || strings.Contains(v["body"].(string), "KEY-WRONG") {
		t.Fatalf("error %v", v)
	}
	// A profile without a phone: a clear error, no call.
	path = ""
	v = plugintest.Run(t, RegisterClickSendSMS(), plugintest.Case{Config: cfg, Profile: plugin.Profile{"id": "p"}, Resources: resources}).MustPort(t, "error")
	if path != "" || !strings.Contains(v["message"].(string), "recipient") {
		t.Fatalf("error %v, call %q", v, path)
	}
	if err := ClickSendType.Check(t.Context(), resources["cs"]); err != nil {
		t.Fatal(err)
	}
}

func TestGitHubIssues(t *testing.T) {
	standin.AllowLoopback(t)
	var path, auth, accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, auth, accept = r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/repos/tracardi/tracardi/issues":
			_, _ = w.Write([]byte(`[{"number": 1, "title": "First"}, {"number": 2, "title": "Second"}]`))
		case "/repos/tracardi/tracardi/issues/12":
			_, _ = w.Write([]byte(`{"number": 12, "title": "Twelve", "state": "open"}`))
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"message": "Not Found"}`))
		}
	}))
	defer srv.Close()
	resources := standin.Creds{"gh": {"api_url": srv.URL, "personal_access_token": "ghp_secret"}}
	base := plugin.Config{"resource": standin.Resource("gh"), "owner": "tracardi", "repo": "tracardi", "timeout": 5}
	v := plugintest.Run(t, RegisterGitHubListIssues(), plugintest.Case{Config: base, Resources: resources}).MustPort(t, "payload")
	if path != "/repos/tracardi/tracardi/issues" || auth != "Bearer ghp_secret" || accept != "application/vnd.github+json" {
		t.Fatalf("GitHub received %s %s %s", path, auth, accept)
	}
	if list := v["body"].([]any); len(list) != 2 || v["status"] != 200 {
		t.Fatalf("payload %v", v)
	}
	get := plugin.Config{"issue_id": "event@properties.issue"}
	for k, x := range base {
		get[k] = x
	}
	ev := plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"issue": "#12"}}
	v = plugintest.Run(t, RegisterGitHubGetIssue(), plugintest.Case{Config: get, Event: ev, Resources: resources}).MustPort(t, "payload")
	if path != "/repos/tracardi/tracardi/issues/12" || dotpath.At(v, "body.title") != "Twelve" {
		t.Fatalf("GitHub received %s, payload %v", path, v)
	}
	dotpath.At(ev, "properties").(map[string]any)["issue"] = 99.0
	v = plugintest.Run(t, RegisterGitHubGetIssue(), plugintest.Case{Config: get, Event: ev, Resources: resources}).MustPort(t, "error")
	if v["status"] != 404 || path != "/repos/tracardi/tracardi/issues/99" {
		t.Fatalf("error %v", v)
	}
	bad := plugin.Config{"owner": "bad owner!"}
	for k, x := range base {
		if k != "owner" {
			bad[k] = x
		}
	}
	plugintest.SetUpFails(t, RegisterGitHubListIssues(), bad, "owner")
}
