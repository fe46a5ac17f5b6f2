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

func TestAirtable(t *testing.T) {
	standin.AllowLoopback(t)
	var method, path, query, auth, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		method, path, query, auth, body = r.Method, r.URL.Path, r.URL.Query().Get("filterByFormula"), r.Header.Get("Authorization"), string(b)
		w.Header().Set("Content-Type", "application/json")
		if auth != "Bearer pat-1" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error": {"type": "AUTHENTICATION_REQUIRED"}}`))
			return
		}
		if r.Method == "POST" {
			_, _ = w.Write([]byte(`{"id": "rec1", "fields": {"Email": "ann@example.org"}, "createdTime": "2024-01-01T00:00:00.000Z"}`))
			return
		}
		_, _ = w.Write([]byte(`{"records": [{"id": "rec1", "fields": {"Email": "ann@example.org"}}]}`))
	}))
	defer srv.Close()
	resources := standin.Creds{"at": {"api_key": "pat-1", "base_url": srv.URL}, "bad": {"api_key": "pat-x", "base_url": srv.URL}}
	profile := plugin.Profile{"id": "p", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}}}}
	send := plugin.Config{"source": standin.Resource("at"), "base_id": "appX", "table_name": "Leads List", "mapping": map[string]any{"Email": "profile@data.contact.email.main"}}
	v := plugintest.Run(t, RegisterAirtableSend(), plugintest.Case{Config: send, Profile: profile, Resources: resources}).MustPort(t, "response")
	if method != "POST" || path != "/v0/appX/Leads List" || body != `{"fields":{"Email":"ann@example.org"},"typecast":true}` || v["id"] != "rec1" {
		t.Fatalf("Airtable received %s %s %s, response %v", method, path, body, v)
	}
	fetch := plugin.Config{"source": standin.Resource("at"), "base_id": "appX", "table_name": "Leads", "formula": "{Email} = '{{profile@data.contact.email.main}}'"}
	v = plugintest.Run(t, RegisterAirtableFetch(), plugintest.Case{Config: fetch, Profile: profile, Resources: resources}).MustPort(t, "response")
	if method != "GET" || path != "/v0/appX/Leads" || query != "{Email} = 'ann@example.org'" || len(v["records"].([]any)) != 1 {
		t.Fatalf("Airtable received %s %s %q, response %v", method, path, query, v)
	}
	fetch["source"] = standin.Resource("bad")
	if v := plugintest.Run(t, RegisterAirtableFetch(), plugintest.Case{Config: fetch, Profile: profile, Resources: resources}).MustPort(t, "error"); v["status"] != 401 {
		t.Fatalf("error %v", v)
	}
	// Tracardi's test configs give a number as base_id: read as text.
	plugintest.Run(t, RegisterAirtableSend(), plugintest.Case{Config: plugin.Config{"base_id": 1, "mapping": map[string]any{}, "source": standin.Resource("at"), "table_name": "None"}, Resources: resources}).MustPort(t, "response")
	if path != "/v0/1/None" {
		t.Fatalf("path %s", path)
	}
}
