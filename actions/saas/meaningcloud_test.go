package saas

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestMeaningCloud(t *testing.T) {
	ok := `"status":{"code":"0","msg":"OK","credits":"1"}`
	srv := startStandIn(t, func(r *http.Request, body string) (int, string) {
		f, _ := url.ParseQuery(body)
		if f.Get("key") != "mc-key-1" {
			// MeaningCloud answers a bad key with 200 and a status code.
			return 200, `{"status":{"code":"100","msg":"Operation denied","credits":"0"}}`
		}
		switch r.URL.Path {
		case "/sentiment-2.1":
			return 200, `{` + ok + `,"score_tag":"P","agreement":"AGREEMENT","subjectivity":"SUBJECTIVE","confidence":"92"}`
		case "/class-2.0":
			return 200, `{` + ok + `,"category_list":[{"code":"Sports","label":"Sports","relevance":"100"}]}`
		case "/lang-4.0/identification":
			if strings.Contains(f.Get("txt"), "slow") {
				time.Sleep(400 * time.Millisecond)
			}
			return 200, `{` + ok + `,"language_list":[{"language":"en","relevance":100}]}`
		case "/reputation-2.0", "/deepcategorization-1.0", "/summarization-1.0", "/topics-2.0":
			return 200, `{` + ok + `,"echo":"` + r.URL.Path + `"}`
		}
		return 404, `not found`
	})
	resources := creds{"mc": {"token": "mc-key-1", "base_url": srv.URL}, "bad": {"token": "mc-key-2", "base_url": srv.URL}}
	event := plugin.Event{"type": "review", "properties": map[string]any{"comment": "Great shoes, fast delivery", "lang": "en"}}

	cases := []struct {
		name   string
		p      plugin.Plugin
		cfg    plugin.Config
		path   string
		params url.Values
		port   string
		check  func(v plugin.Payload) bool
	}{
		{"sentiment", RegisterMeaningCloudSentiment(), plugin.Config{"language": "en", "text": "Review: {{event@properties.comment}}"}, "/sentiment-2.1",
			url.Values{"key": {"mc-key-1"}, "lang": {"en"}, "txt": {"Review: Great shoes, fast delivery"}}, "result",
			func(v plugin.Payload) bool {
				return v["sentiment"] == "P" && v["confidence"] == 92.0 && v["agreement"] == "AGREEMENT"
			}},
		{"classification", RegisterMeaningCloudClassification(), plugin.Config{"language": "en", "model": "press", "title": "event@type", "text": "{{event@properties.comment}}"}, "/class-2.0",
			url.Values{"key": {"mc-key-1"}, "model": {"IPTC_en"}, "title": {"review"}, "txt": {"Great shoes, fast delivery"}}, "payload",
			func(v plugin.Payload) bool { return len(v["categories"].([]any)) == 1 }},
		{"language", RegisterMeaningCloudLanguage(), plugin.Config{"message": "{{event@properties.comment}}", "timeout": 5}, "/lang-4.0/identification",
			url.Values{"key": {"mc-key-1"}, "txt": {"Great shoes, fast delivery"}}, "response",
			func(v plugin.Payload) bool {
				return v["status"] == 200 && v["body"].(map[string]any)["language_list"] != nil
			}},
		{"reputation", RegisterMeaningCloudReputation(), plugin.Config{"text": "event@properties.comment", "lang": "event@properties.lang", "focus": "Acme", "relaxed_typography": true}, "/reputation-2.0",
			url.Values{"key": {"mc-key-1"}, "lang": {"en"}, "txt": {"Great shoes, fast delivery"}, "rt": {"y"}, "focus": {"Acme"}}, "response", nil},
		{"deep categorization", RegisterMeaningCloudDeepCategorization(), plugin.Config{"text": "event@properties.comment", "model": "IAB_2.0-tier3"}, "/deepcategorization-1.0",
			url.Values{"key": {"mc-key-1"}, "model": {"IAB_2.0-tier3"}, "txt": {"Great shoes, fast delivery"}}, "response", nil},
		{"summarization", RegisterMeaningCloudSummarization(), plugin.Config{"text": "event@properties.comment", "sentences": "2"}, "/summarization-1.0",
			url.Values{"key": {"mc-key-1"}, "lang": {"auto"}, "sentences": {"2"}, "txt": {"Great shoes, fast delivery"}}, "response", nil},
		{"topics", RegisterMeaningCloudTopics(), plugin.Config{"text": "event@properties.comment", "lang": "en"}, "/topics-2.0",
			url.Values{"key": {"mc-key-1"}, "lang": {"en"}, "tt": {"a"}, "txt": {"Great shoes, fast delivery"}}, "response", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg["source"] = res("mc")
			v := plugintest.Run(t, c.p, plugintest.Case{Config: c.cfg, Event: event, Resources: resources}).MustPort(t, c.port)
			got := srv.last(t)
			f, _ := url.ParseQuery(got.Body)
			if got.Method != "POST" || got.Path != c.path || f.Encode() != c.params.Encode() || got.Query != "" {
				t.Fatalf("MeaningCloud received %s %s %s, want %s %s", got.Method, got.Path, f.Encode(), c.path, c.params.Encode())
			}
			if c.check != nil && !c.check(v) {
				t.Fatalf("%s: %v", c.port, v)
			}
			if c.check == nil && v["echo"] != c.path {
				t.Fatalf("%s: %v", c.port, v)
			}
		})
	}

	bad := plugintest.Run(t, RegisterMeaningCloudTopics(), plugintest.Case{Event: event, Resources: resources,
		Config: plugin.Config{"source": res("bad"), "text": "event@properties.comment"}})
	if v := bad.MustPort(t, "error"); !strings.Contains(v["message"].(string), "Operation denied") || strings.Contains(bad.LogText(), "mc-key-2") {
		t.Fatalf("error %v", v)
	}
	// The node's timeout bounds the call.
	slow := plugintest.Run(t, RegisterMeaningCloudLanguage(), plugintest.Case{Resources: resources,
		Config: plugin.Config{"source": res("mc"), "message": "slow text", "timeout": 0.1}})
	if v := slow.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no answer within 100ms") {
		t.Fatalf("error %v", v)
	}
	empty := plugintest.Run(t, RegisterMeaningCloudTopics(), plugintest.Case{Event: event, Resources: resources,
		Config: plugin.Config{"source": res("mc"), "text": "event@properties.missing"}})
	if v := empty.MustPort(t, "error"); !strings.Contains(v["message"].(string), "text") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterMeaningCloudSentiment(), plugin.Config{"source": res("mc"), "language": "de", "text": "x"}, "language")
	plugintest.SetUpFails(t, RegisterMeaningCloudSummarization(), plugin.Config{"source": res("mc"), "text": "x", "sentences": "two"}, "sentences")
	plugintest.SetUpFails(t, RegisterMeaningCloudLanguage(), plugin.Config{"source": res("mc"), "message": "x"}, "message")
}
