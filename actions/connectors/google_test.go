package connectors

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestGoogleAnalytics(t *testing.T) {
	standin.AllowLoopback(t)
	var path string
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path = r.URL.Path
		form, _ = url.ParseQuery(string(b))
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write([]byte("GIF89a"))
	}))
	defer srv.Close()
	resources := standin.Creds{"ga": {"google_analytics_id": "UA-1-1", "base_url": srv.URL}}
	cfg := plugin.Config{"source": standin.Resource("ga"), "category": "event@type", "action": "buy", "label": "event@properties.sku", "value": "event@properties.value"}
	ev := plugin.Event{"id": "e", "type": "purchase", "properties": map[string]any{"sku": "S1", "value": 42.7}}
	v := plugintest.Run(t, RegisterGoogleAnalytics(), plugintest.Case{Config: cfg, Event: ev, Profile: plugin.Profile{"id": "p-9"}, Resources: resources}).MustPort(t, "response")
	want := url.Values{"v": {"1"}, "tid": {"UA-1-1"}, "cid": {"p-9"}, "t": {"event"}, "ec": {"purchase"}, "ea": {"buy"}, "el": {"S1"}, "ev": {"42"}}
	if path != "/collect" || form.Encode() != want.Encode() || v["status"] != 200 {
		t.Fatalf("collector got %s %v, response %v", path, form, v)
	}
	// Tracardi's test config gives "value" as the value: not a number.
	cfg["value"] = "value"
	if v := plugintest.Run(t, RegisterGoogleAnalytics(), plugintest.Case{Config: cfg, Event: ev, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "whole number") {
		t.Fatalf("error %v", v)
	}
}

func TestGoogleAnalytics4(t *testing.T) {
	standin.AllowLoopback(t)
	var query url.Values
	var path string
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, query = r.URL.Path, r.URL.Query()
		body = nil
		_ = json.Unmarshal(b, &body)
		if r.URL.Path == "/debug/mp/collect" {
			w.Header().Set("Content-Type", "application/json")
			if query.Get("api_secret") != "sec-1" {
				_, _ = w.Write([]byte(`{"validationMessages": [{"description": "Unable to authorize", "validationCode": "VALUE_INVALID"}]}`))
				return
			}
			_, _ = w.Write([]byte(`{"validationMessages": []}`))
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	resources := standin.Creds{"ga4": {"measurement_id": "G-X1", "api_key": "sec-1", "base_url": srv.URL}}
	cfg := plugin.Config{"source": standin.Resource("ga4"), "name": "event@type", "params": `{"value": "event@properties.value", "currency": "EUR"}`}
	ev := plugin.Event{"id": "e", "type": "purchase", "properties": map[string]any{"value": 10.5}}
	v := plugintest.Run(t, RegisterGoogleAnalytics4(), plugintest.Case{Config: cfg, Event: ev, Profile: plugin.Profile{"id": "p-1"}, Resources: resources}).MustPort(t, "response")
	b, _ := json.Marshal(body)
	if path != "/mp/collect" || query.Get("measurement_id") != "G-X1" || query.Get("api_secret") != "sec-1" ||
		string(b) != `{"client_id":"p-1","events":[{"name":"purchase","params":{"currency":"EUR","value":10.5}}]}` || v["status"] != 204 {
		t.Fatalf("collector got %s %v %s, response %v", path, query, b, v)
	}
	// Tracardi's test config: params is a reference to a payload value that is not an object.
	cfg["params"] = "payload@id"
	if v := plugintest.Run(t, RegisterGoogleAnalytics4(), plugintest.Case{Config: cfg, Event: ev, Payload: plugin.Payload{"id": "x"}, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "not an object") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterGoogleAnalytics4(), plugin.Config{"source": standin.Resource("ga4"), "name": "x", "params": "[1]"}, "params")
	if err := GoogleAnalytics4Type.Check(t.Context(), resources["ga4"]); err != nil {
		t.Fatal(err)
	}
	if err := GoogleAnalytics4Type.Check(t.Context(), map[string]any{"measurement_id": "G-X1", "api_key": "bad", "base_url": srv.URL}); err == nil || !strings.Contains(err.Error(), "Unable to authorize") {
		t.Fatalf("check with a bad secret: %v", err)
	}
}
