package saas

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestAmplitude(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		var in map[string]any
		_ = json.Unmarshal([]byte(body), &in)
		if r.URL.Path != "/2/httpapi" || in["api_key"] != "amp-key-1" {
			return 400, `{"code":400,"error":"Invalid API key: amp-key-2"}`
		}
		if strings.Contains(body, "slow") {
			time.Sleep(300 * time.Millisecond)
		}
		return 200, `{"code":200,"events_ingested":1,"payload_size_bytes":50,"server_upload_time":1396381378123}`
	})
	resources := creds{"amp": {"api_key": "amp-key-1"}, "bad": {"api_key": "amp-key-2"}}
	event := plugin.Event{"id": "ev-1", "type": "purchase", "properties": map[string]any{"sku": "A1", "price": 12.5}, "request": map[string]any{"ip": "203.0.113.9"}}
	profile := plugin.Profile{"id": "profile-1", "data": map[string]any{"pii": map[string]any{"firstname": "Ann"}}}
	session := plugin.Session{"id": "s1", "metadata": map[string]any{"time": map[string]any{"insert": "2024-03-14T15:09:26.5Z"}},
		"context": map[string]any{"browser": map[string]any{"local": map[string]any{"device": map[string]any{"platform": "MacIntel"}}}}}
	cfg := plugin.Config{"source": res("amp"), "url": srv.URL + "/2/httpapi", "price": "event@properties.price", "productId": "event@properties.sku",
		"city": "London", "event_type": "payload@kind"}
	out := plugintest.Run(t, RegisterAmplitudeSend(), plugintest.Case{Config: cfg, Event: event, Profile: profile, Session: session, Resources: resources,
		Payload: plugin.Payload{"kind": "order"}})
	v := out.MustPort(t, "response")
	if v["status"] != 200 || v["content"].(map[string]any)["events_ingested"] != 1.0 {
		t.Fatalf("response %v", v)
	}
	var sent struct {
		APIKey string           `json:"api_key"`
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(srv.last(t).Body), &sent); err != nil || len(sent.Events) != 1 {
		t.Fatalf("Amplitude received %s", srv.last(t).Body)
	}
	e := sent.Events[0]
	want := map[string]any{"user_id": "profile-1", "insert_id": "ev-1", "event_type": "order", "session_id": 1710428966500.0, "ip": "203.0.113.9",
		"platform": "MacIntel", "price": 12.5, "productId": "A1"}
	for k, w := range want {
		if e[k] != w {
			t.Errorf("%s = %v, want %v", k, e[k], w)
		}
	}
	if _, ok := e["city"]; ok {
		t.Errorf("a literal city was sent: %v", e["city"])
	}
	if e["user_properties"].(map[string]any)["firstname"] != "Ann" || e["event_properties"].(map[string]any)["sku"] != "A1" {
		t.Errorf("properties %v", e)
	}
	// Debug runs send no insert id.
	plugintest.Run(t, RegisterAmplitudeSend(), plugintest.Case{Config: cfg, Event: event, Profile: profile, Resources: resources, Debug: true}).MustPort(t, "response")
	if strings.Contains(srv.last(t).Body, "insert_id") {
		t.Errorf("debug run sent an insert id: %s", srv.last(t).Body)
	}
	cfg["source"] = res("bad")
	bad := plugintest.Run(t, RegisterAmplitudeSend(), plugintest.Case{Config: cfg, Event: event, Resources: resources})
	if v := bad.MustPort(t, "error"); v["status"] != 400 || strings.Contains(bad.LogText(), "amp-key-2") || strings.Contains(v["body"].(string), "amp-key-2") {
		t.Fatalf("error %v", v)
	}
	cfg["source"], cfg["timeout"], cfg["event_type"] = res("amp"), 0.1, "payload@kind"
	slow := plugintest.Run(t, RegisterAmplitudeSend(), plugintest.Case{Config: cfg, Event: event, Resources: resources, Payload: plugin.Payload{"kind": "slow"}})
	if v := slow.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no answer within") {
		t.Fatalf("error %v", v)
	}
}
