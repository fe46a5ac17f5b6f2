package saas

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMatomo(t *testing.T) {
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		f, _ := url.ParseQuery(body)
		if r.URL.Path != "/matomo.php" || f.Get("token_auth") != "mt-token-1" {
			return 403, `{"result":"error","message":"token_auth is invalid"}`
		}
		return 204, ""
	})
	resources := creds{"mt": {"token": "mt-token-1", "api_url": srv.URL}, "bad": {"token": "mt-token-2", "api_url": srv.URL}}
	event := plugin.Event{"id": "ev-1", "type": "page-view", "request": map[string]any{"headers": map[string]any{"x-forwarded-for": "203.0.113.9"}},
		"context": map[string]any{"page": map[string]any{"url": "https://shop.example/p/1", "referer": map[string]any{"host": "news.example"}},
			"performance": map[string]any{"requestStart": 100.0, "responseStart": 180.0, "responseEnd": 250.0, "domComplete": 900.0, "loadEventStart": 900.0, "loadEventEnd": 950.0}},
		"properties": map[string]any{"total": 120}}
	profile := plugin.Profile{"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "traits": map[string]any{"plan": "gold"},
		"metadata": map[string]any{"time": map[string]any{"insert": "2024-03-14T15:09:26Z", "visit": map[string]any{"count": 3.0, "last": "2024-03-15T10:00:00Z"}}}}
	session := plugin.Session{"id": "s1", "operation": map[string]any{"new": true}, "context": map[string]any{
		"screen":  map[string]any{"local": map[string]any{"width": 1280, "height": 800}},
		"browser": map[string]any{"local": map[string]any{"browser": map[string]any{"userAgent": "Mozilla/5.0", "language": "en-GB"}}},
		"utm":     map[string]any{"campaign": "spring"}}}
	cfg := plugin.Config{"source": res("mt"), "site_id": 3, "url_ref": "event@context.page.referer.host", "rcn": "session@context.utm.campaign",
		"rck": "session@context.utm.term", "goal_id": "None", "revenue": "event@properties.total", "dimensions": map[string]any{"dimension1": "profile@traits.plan"}}
	out := plugintest.Run(t, RegisterMatomoSend(), plugintest.Case{Config: cfg, Event: event, Profile: profile, Session: session, Resources: resources,
		Payload: plugin.Payload{"in": 1}})
	if v := out.MustPort(t, "response"); v["in"] != 1 {
		t.Fatalf("response %v", v)
	}
	got := srv.last(t)
	f, _ := url.ParseQuery(got.Body)
	want := map[string]string{"idsite": "3", "rec": "1", "action_name": "page-view", "url": "https://shop.example/p/1", "_id": "0f8fad5bd9cb469f",
		"uid": "0f8fad5bd9cb469f", "cip": "203.0.113.9", "_idvc": "3", "_viewts": "1710496800", "_idts": "1710428966", "res": "1280x800",
		"ua": "Mozilla/5.0", "lang": "en-GB", "new_visit": "1", "urlref": "news.example", "_rcn": "spring", "revenue": "120", "dimension1": "gold",
		"gt_ms": "150", "pf_srv": "720", "pf_tfr": "70", "pf_onl": "50"}
	for k, w := range want {
		if f.Get(k) != w {
			t.Errorf("%s = %q, want %q", k, f.Get(k), w)
		}
	}
	for _, k := range []string{"_rck", "idgoal", "search"} {
		if f.Has(k) {
			t.Errorf("%s sent: %q", k, f.Get(k))
		}
	}
	if got.Query != "" || len(f.Get("pv_id")) != 6 {
		t.Errorf("query %q, pv_id %q", got.Query, f.Get("pv_id"))
	}
	cfg["source"] = res("bad")
	bad := plugintest.Run(t, RegisterMatomoSend(), plugintest.Case{Config: cfg, Event: event, Profile: profile, Resources: resources})
	if v := bad.MustPort(t, "error"); v["status"] != 403 || strings.Contains(bad.LogText(), "mt-token-2") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterMatomoSend(), plugin.Config{"source": res("mt"), "site_id": 1, "dimensions": map[string]any{"plan": "x"}}, "dimensions")
}
