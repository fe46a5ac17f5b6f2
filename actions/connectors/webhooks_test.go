package connectors

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestPushover(t *testing.T) {
	standin.AllowLoopback(t)
	var path string
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path = r.URL.Path
		form, _ = url.ParseQuery(string(b))
		w.Header().Set("Content-Type", "application/json")
		if form.Get("token") != "app-token-1" {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"token": "invalid", "errors": ["application token is invalid"], "status": 0}`))
			return
		}
		_, _ = w.Write([]byte(`{"status": 1, "request": "r-1"}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"po": {"token": "app-token-1", "user": "user-key-1", "base_url": srv.URL}, "bad": {"token": "bad-token-9", "user": "u", "base_url": srv.URL}}
	cfg := plugin.Config{"source": standin.Resource("po"), "message": "Order {{payload@id}}"}
	v := plugintest.Run(t, RegisterPushover(), plugintest.Case{Config: cfg, Payload: plugin.Payload{"id": "7"}, Resources: resources}).MustPort(t, "payload")
	if path != "/1/messages.json" || form.Get("user") != "user-key-1" || form.Get("message") != "Order 7" || v["status"] != 200 {
		t.Fatalf("Pushover received %s %v, payload %v", path, form, v)
	}
	cfg["source"] = standin.Resource("bad")
	out := plugintest.Run(t, RegisterPushover(), plugintest.Case{Config: cfg, Resources: resources})
	if v := out.MustPort(t, "error"); v["status"] != 400 || strings.Contains(v["body"].(string), "bad-token-9") {
		t.Fatalf("error %v", v)
	}
	if err := PushoverType.Check(t.Context(), resources["po"]); err != nil || path != "/1/users/validate.json" {
		t.Fatalf("check: %v at %s", err, path)
	}
}

func TestZapierWebhook(t *testing.T) {
	standin.AllowLoopback(t)
	var body, ctype string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, ctype = string(b), r.Header.Get("Content-Type")
		if r.URL.Path == "/gone" {
			w.WriteHeader(410)
			return
		}
		_, _ = w.Write([]byte(`{"status": "success", "id": "z-1"}`))
	}))
	defer srv.Close()
	cfg := plugin.Config{"url": srv.URL + "/hooks/catch/1/abc", "body": `{"email": "profile@traits.email", "source": "tracflow"}`, "timeout": 5}
	v := plugintest.Run(t, RegisterZapierWebhook(), plugintest.Case{Config: cfg, Profile: plugin.Profile{"id": "p", "traits": map[string]any{"email": "a@b.c"}}}).MustPort(t, "response")
	if body != `{"email":"a@b.c","source":"tracflow"}` || ctype != "application/json" || dotpath.At(v, "json.id") != "z-1" {
		t.Fatalf("Zapier received %s (%s), response %v", body, ctype, v)
	}
	cfg["url"] = srv.URL + "/gone"
	if v := plugintest.Run(t, RegisterZapierWebhook(), plugintest.Case{Config: cfg}).MustPort(t, "error"); v["status"] != 410 {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterZapierWebhook(), plugin.Config{"url": "http://x", "body": "{no"}, "body")
}
