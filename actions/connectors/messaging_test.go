package connectors

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestDiscordPush(t *testing.T) {
	standin.AllowLoopback(t)
	var path, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, body = r.URL.Path, string(b)
		if strings.Contains(r.URL.Path, "revoked") {
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"message": "Unknown Webhook", "code": 10015}`))
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	hook := srv.URL + "/api/webhooks/123/tok-abc-xyz"
	resources := standin.Creds{"d": {"url": hook}, "gone": {"url": srv.URL + "/api/webhooks/1/revoked-tok"}}
	cfg := plugin.Config{"resource": standin.Resource("d"), "message": "New order {{payload@id}}", "username": "Shop", "timeout": 5}
	out := plugintest.Run(t, RegisterDiscordPush(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"id": "o-1"}, Resources: resources})
	if v := out.MustPort(t, "response"); v["id"] != "o-1" {
		t.Fatalf("response %v", v)
	}
	if path != "/api/webhooks/123/tok-abc-xyz" || body != `{"content":"New order o-1","username":"Shop"}` {
		t.Fatalf("Discord received %s %s", path, body)
	}
	cfg["username"] = ""
	plugintest.Run(t, RegisterDiscordPush(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"id": "o-2"}, Resources: resources}).MustPort(t, "response")
	if body != `{"content":"New order o-2"}` {
		t.Fatalf("without username Discord received %s", body)
	}
	cfg["resource"] = standin.Resource("gone")
	out = plugintest.Run(t, RegisterDiscordPush(), plugintest.Case{Config: cfg, Resources: resources})
	if v := out.MustPort(t, "error"); v["status"] != 404 || !strings.Contains(v["body"].(string), "Unknown Webhook") {
		t.Fatalf("error %v", v)
	}
	if err := DiscordType.Check(t.Context(), map[string]any{"url": hook}); err != nil {
		t.Fatal(err)
	}
	if err := DiscordType.Check(t.Context(), resources["gone"]); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("check of a revoked webhook: %v", err)
	}
}

func TestTelegramPost(t *testing.T) {
	standin.AllowLoopback(t)
	var path, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, body = r.URL.Path, string(b)
		w.Header().Set("Content-Type", "application/json")
		var in map[string]any
		_ = json.Unmarshal(b, &in)
		switch {
		case r.URL.Path == "/bot123:SECRET/getMe":
			_, _ = w.Write([]byte(`{"ok": true, "result": {"id": 123, "is_bot": true}}`))
		case r.URL.Path != "/bot123:SECRET/sendMessage":
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"ok": false, "error_code": 401, "description": "Unauthorized"}`))
		case in["chat_id"] == "100":
			_, _ = w.Write([]byte(`{"ok": true, "result": {"message_id": 7, "text": "x"}}`))
		default:
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}`))
		}
	}))
	defer srv.Close()
	resources := standin.Creds{
		"tg":    {"bot_token": "123:SECRET", "chat_id": 100, "base_url": srv.URL},
		"other": {"bot_token": "123:SECRET", "chat_id": "@nochat", "base_url": srv.URL},
		"bad":   {"bot_token": "999:WRONGTOKEN", "chat_id": 100, "base_url": srv.URL},
	}
	cfg := plugin.Config{"resource": standin.Resource("tg"), "message": "Hi {{profile@traits.name}}"}
	out := plugintest.Run(t, RegisterTelegramPost(), plugintest.Case{Config: cfg,
		Profile: plugin.Profile{"id": "p", "traits": map[string]any{"name": "Ann"}}, Resources: resources})
	v := out.MustPort(t, "response")
	if path != "/bot123:SECRET/sendMessage" || body != `{"chat_id":"100","text":"Hi Ann"}` {
		t.Fatalf("Telegram received %s %s", path, body)
	}
	if v["status"] != 200 || dotpath.At(v, "content.ok") != true {
		t.Fatalf("response %v", v)
	}
	cfg["resource"] = standin.Resource("other")
	v = plugintest.Run(t, RegisterTelegramPost(), plugintest.Case{Config: cfg, Resources: resources}).MustPort(t, "error")
	if v["status"] != 400 || !strings.Contains(v["body"].(string), "chat not found") {
		t.Fatalf("error %v", v)
	}
	if err := TelegramType.Check(t.Context(), resources["tg"]); err != nil {
		t.Fatal(err)
	}
	// The token travels in the path: it must not show in errors.
	resources["bad"]["base_url"] = "http://127.0.0.1:1"
	cfg["resource"] = standin.Resource("bad")
	out = plugintest.Run(t, RegisterTelegramPost(), plugintest.Case{Config: cfg, Resources: resources})
	v = out.MustPort(t, "error")
	if strings.Contains(v["message"].(string), "WRONGTOKEN") || strings.Contains(out.LogText(), "WRONGTOKEN") {
		t.Fatalf("the token leaked: %v", v)
	}
}

func TestHTMLFetch(t *testing.T) {
	standin.AllowLoopback(t)
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		if r.URL.Path == "/missing" {
			w.WriteHeader(404)
			_, _ = w.Write([]byte("<h1>Not found</h1>"))
			return
		}
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "1"})
		_, _ = w.Write([]byte("<html><title>Shop</title></html>"))
	}))
	defer srv.Close()
	cfg := plugin.Config{"method": "get", "url": srv.URL + "/p/{{event@properties.page}}", "headers": map[string]any{"Accept-Language": "event@properties.lang"},
		"cookies": map[string]any{}, "ssl_check": true, "timeout": 5, "body": ""}
	ev := plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"page": "home", "lang": "pl"}}
	v := plugintest.Run(t, RegisterHTMLFetch(), plugintest.Case{Config: cfg, Event: ev}).MustPort(t, "response")
	if got.URL.Path != "/p/home" || got.Header.Get("Accept-Language") != "pl" {
		t.Fatalf("the site received %s %v", got.URL, got.Header)
	}
	if v["status"] != 200 || v["content"] != "<html><title>Shop</title></html>" || dotpath.At(v, "cookies.s") != "1" {
		t.Fatalf("response %v", v)
	}
	cfg["url"] = srv.URL + "/missing"
	if v := plugintest.Run(t, RegisterHTMLFetch(), plugintest.Case{Config: cfg}).MustPort(t, "error"); v["status"] != 404 || v["content"] != "<h1>Not found</h1>" {
		t.Fatalf("error %v", v)
	}
	cfg["url"], cfg["timeout"] = srv.URL+"/slow", 0.2
	if v := plugintest.Run(t, RegisterHTMLFetch(), plugintest.Case{Config: cfg}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "no answer within") {
		t.Fatalf("error %v", v)
	}
	// A URL from event data pointing at the cloud metadata address is refused.
	outbound := plugintest.Run(t, RegisterHTMLFetch(), plugintest.Case{Config: plugin.Config{"url": "{{event@properties.u}}"},
		Event: plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"u": "http://169.254.169.254/latest/meta-data/"}}})
	if v := outbound.MustPort(t, "error"); !strings.Contains(v["message"].(string), "allow-private-outbound") {
		t.Fatalf("error %v", v)
	}
}
