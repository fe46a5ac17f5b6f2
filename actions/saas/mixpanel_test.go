package saas

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMixpanel(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		switch r.URL.Path {
		case "/track":
			f, _ := url.ParseQuery(body)
			var ev map[string]any
			if json.Unmarshal([]byte(f.Get("data")), &ev) != nil || f.Get("verbose") != "1" {
				return 400, `{"status":0,"error":"data, missing or empty"}`
			}
			if ev["properties"].(map[string]any)["token"] != "proj-token" {
				return 200, `{"status":0,"error":"token, missing or empty"}`
			}
			return 200, `{"status":1,"error":null}`
		case "/api/2.0/funnels":
			if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("sa.user:sa-secret")) {
				return 401, `{"error":"Invalid username or secret"}`
			}
			if r.URL.Query().Get("from_date") == "2024-01-01" && r.URL.Query().Get("to_date") == "2024-03-31" {
				dates := make([]string, 91)
				b, _ := json.Marshal(map[string]any{"meta": map[string]any{"dates": dates}})
				return 200, string(b)
			}
			return 200, `{"meta":{"dates":["2024-03-01","2024-03-02"]},"data":{"2024-03-01":{"steps":[{"count":3}]}}}`
		}
		return 404, "no"
	})
	resources := creds{
		"mp":  {"token": "proj-token", "server_prefix": "EU", "username": "sa.user", "password": "sa-secret", "base_url": srv.URL},
		"bad": {"token": "other-token", "server_prefix": "EU", "username": "sa.user", "password": "wrong-secret", "base_url": srv.URL},
	}
	event := plugin.Event{"id": "ev-1", "type": "purchase", "metadata": map[string]any{"time": map[string]any{"insert": "2024-03-14T15:09:26Z"}},
		"properties": map[string]any{"total": 120}}
	profile := plugin.Profile{"id": "profile-1"}

	out := plugintest.Run(t, RegisterMixpanelSend(), plugintest.Case{Config: plugin.Config{"source": res("mp"), "mapping": map[string]any{"total": "event@properties.total"}},
		Event: event, Profile: profile, Resources: resources, Payload: plugin.Payload{"in": 1}})
	if v := out.MustPort(t, "success"); v["in"] != 1 {
		t.Fatalf("success %v", v)
	}
	got := srv.last(t)
	f, _ := url.ParseQuery(got.Body)
	if got.Method != "POST" || got.Path != "/track" || got.Query != "" || f.Get("data") !=
		`{"event":"purchase","properties":{"$insert_id":"ev-1","distinct_id":"profile-1","time":1710428966000,"token":"proj-token","total":120}}` {
		t.Fatalf("Mixpanel received %+v", got)
	}
	bad := plugintest.Run(t, RegisterMixpanelSend(), plugintest.Case{Config: plugin.Config{"source": res("bad")}, Event: event, Resources: resources})
	if v := bad.MustPort(t, "error"); !strings.Contains(v["message"].(string), "token, missing") {
		t.Fatalf("error %v", v)
	}

	funnel := plugin.Config{"source": res("mp"), "project_id": 7, "funnel_id": "42", "from_date": "payload@from", "to_date": "2024-03-02"}
	v := plugintest.Run(t, RegisterMixpanelFunnel(), plugintest.Case{Config: funnel, Profile: profile, Resources: resources,
		Payload: plugin.Payload{"from": "2024-03-01T10:00:00Z"}}).MustPort(t, "success")
	q, _ := url.ParseQuery(srv.last(t).Query)
	if q.Get("project_id") != "7" || q.Get("funnel_id") != "42" || q.Get("from_date") != "2024-03-01" || q.Get("to_date") != "2024-03-02" ||
		q.Get("where") != `properties["$distinct_id"]=="profile-1"` || v["data"] == nil {
		t.Fatalf("Mixpanel received %v; success %v", q, v)
	}
	funnel["from_date"], funnel["to_date"] = 1704067200, "2024-03-31"
	if v := plugintest.Run(t, RegisterMixpanelFunnel(), plugintest.Case{Config: funnel, Profile: profile, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "91 days") {
		t.Fatalf("error %v", v)
	}
	funnel["source"] = res("bad")
	badQ := plugintest.Run(t, RegisterMixpanelFunnel(), plugintest.Case{Config: funnel, Profile: profile, Resources: resources})
	if v := badQ.MustPort(t, "error"); v["status"] != 401 || strings.Contains(badQ.LogText(), "wrong-secret") {
		t.Fatalf("error %v", v)
	}
	funnel["source"], funnel["from_date"] = res("mp"), "last week"
	if v := plugintest.Run(t, RegisterMixpanelFunnel(), plugintest.Case{Config: funnel, Profile: profile, Resources: resources}).MustPort(t, "error"); !strings.Contains(v["message"].(string), "from_date") {
		t.Fatalf("error %v", v)
	}
	if b, _ := mixpanelQuery.base(mustParse(t, MixpanelType, map[string]any{"server_prefix": "eu"})); b != "https://eu.mixpanel.com" {
		t.Errorf("EU query base %q", b)
	}
	if b, _ := mixpanelIngest.base(mustParse(t, MixpanelType, map[string]any{"server_prefix": "US"})); b != "https://api.mixpanel.com" {
		t.Errorf("US ingestion base %q", b)
	}
	plugintest.SetUpFails(t, RegisterMixpanelFunnel(), plugin.Config{"source": res("mp"), "project_id": "x", "funnel_id": "1", "from_date": "2024-01-01"}, "project_id")
}
