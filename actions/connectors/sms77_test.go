package connectors

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestSms77SMS(t *testing.T) {
	standin.AllowLoopback(t)
	var path, key, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, key, body = r.URL.Path, r.Header.Get("X-Api-Key"), string(b)
		if key != "k-77" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success": "100", "total_price": 0.075}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"s": {"api_key": "k-77", "base_url": srv.URL + "/api"}}
	cfg := plugin.Config{"resource": standin.Resource("s"), "message": "Code {{payload@code}}", "recipient": "profile@pii.telephone", "sender": "Shop"}
	profile := plugin.Profile{"id": "p", "pii": map[string]any{"telephone": "+4915100000"}}
	v := plugintest.Run(t, RegisterSms77SMS(), plugintest.Case{Config: cfg, Profile: profile, Payload: plugin.Payload{"code": "X1"}, Resources: resources}).MustPort(t, "response")
	if path != "/api/sms" || body != `{"debug":0,"from":"Shop","text":"Code X1","to":"+4915100000"}` || v["status"] != 200 {
		t.Fatalf("gateway received %s %s, response %v", path, body, v)
	}
	plugintest.Run(t, RegisterSms77SMS(), plugintest.Case{Config: cfg, Profile: profile, Debug: true, Resources: resources}).MustPort(t, "response")
	if body != `{"debug":1,"from":"Shop","text":"Code ","to":"+4915100000"}` {
		t.Fatalf("a debug run sent %s", body)
	}
	if err := Sms77Type.Check(t.Context(), resources["s"]); err != nil || path != "/api/balance" {
		t.Fatalf("check %v at %s", err, path)
	}
	resources["s"]["api_key"] = "wrong"
	if v := plugintest.Run(t, RegisterSms77SMS(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "error"); v["status"] != 401 {
		t.Fatalf("error %v", v)
	}
}
