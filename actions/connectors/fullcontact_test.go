package connectors

import (
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

func TestFullContactEnrich(t *testing.T) {
	standin.AllowLoopback(t)
	var path, auth, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, auth, body = r.URL.Path, r.Header.Get("Authorization"), string(b)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(body, "nobody") {
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"status": 404, "message": "Profile not found"}`))
			return
		}
		_, _ = w.Write([]byte(`{"fullName": "Ann Example", "location": "Berlin"}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"fc": {"token": "fc-key-1", "base_url": srv.URL}}
	cfg := plugin.Config{"source": standin.Resource("fc"), "pii": map[string]any{"email": "profile@data.contact.email.main", "phone": "profile@data.contact.phone"}, "timeout": 5}
	profile := plugin.Profile{"id": "p", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}}}}
	v := plugintest.Run(t, RegisterFullContactEnrich(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "payload")
	if path != "/v3/person.enrich" || auth != "Bearer fc-key-1" || body != `{"email":"ann@example.org"}` || dotpath.At(v, "body.fullName") != "Ann Example" {
		t.Fatalf("FullContact received %s %s %s, payload %v", path, auth, body, v)
	}
	dotpath.At(profile, "data.contact.email").(map[string]any)["main"] = "nobody@example.org"
	if v := plugintest.Run(t, RegisterFullContactEnrich(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources}).MustPort(t, "error"); v["status"] != 404 {
		t.Fatalf("error %v", v)
	}
	// Tracardi's test config queries nothing: a clear error, no call.
	path = ""
	if v := plugintest.Run(t, RegisterFullContactEnrich(), plugintest.Case{Config: plugin.Config{"source": standin.Resource("fc"), "pii": map[string]any{}}, Resources: resources}).MustPort(t, "error"); path != "" || !strings.Contains(v["message"].(string), "nothing identifies") {
		t.Fatalf("error %v, call %q", v, path)
	}
	plugintest.SetUpFails(t, RegisterFullContactEnrich(), plugin.Config{"source": standin.Resource("fc"), "pii": map[string]any{"ssn": "x"}}, "pii")
}
