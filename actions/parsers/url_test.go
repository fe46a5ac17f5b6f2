package parsers_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/parsers"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestURLParser(t *testing.T) {
	cases := []struct {
		url  string
		want plugin.Payload
	}{
		{"https://Shop.Example.com:8443/a/b?utm_source=news&q=red+shoes&q=blue&e=&flag#top", plugin.Payload{
			"scheme": "https", "hostname": "shop.example.com", "path": "/a/b", "query": "utm_source=news&q=red+shoes&q=blue&e=&flag",
			"params": map[string]any{"utm_source": "news", "q": "blue"}, "fragment": "top"}},
		{"http://user:pw@[2001:DB8::1]:80/x;p=1/y;q=2?a=%C5%BC%zz", plugin.Payload{
			"scheme": "http", "hostname": "2001:db8::1", "path": "/x;p=1/y", "query": "a=%C5%BC%zz",
			"params": map[string]any{"a": "ż%zz"}, "fragment": ""}},
		{"example.com/path?a=1", plugin.Payload{
			"scheme": "", "hostname": nil, "path": "example.com/path", "query": "a=1", "params": map[string]any{"a": "1"}, "fragment": ""}},
		{"mailto:anna@example.com", plugin.Payload{
			"scheme": "mailto", "hostname": nil, "path": "anna@example.com", "query": "", "params": map[string]any{}, "fragment": ""}},
		{" \thttps://a.b/\n", plugin.Payload{
			"scheme": "https", "hostname": "a.b", "path": "/", "query": "", "params": map[string]any{}, "fragment": ""}},
		{"", plugin.Payload{"scheme": "", "hostname": nil, "path": "", "query": "", "params": map[string]any{}, "fragment": ""}},
	}
	for _, c := range cases {
		out := plugintest.Run(t, parsers.RegisterURLParser(), plugintest.Case{
			Session: plugin.Session{"id": "s1", "context": map[string]any{"page": map[string]any{"url": c.url}}},
			Config:  plugin.Config{"url": "session@context.page.url"},
		})
		got := out.MustPort(t, "payload")
		c.want["url"] = c.url
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", c.url, got, c.want)
		}
	}
	// The default reads the page's URL.
	out := plugintest.Run(t, parsers.RegisterURLParser(), plugintest.Case{Config: plugin.Config{}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "url: session@context.page.url") {
		t.Errorf("no session: %v", out.Err)
	}
	out = plugintest.Run(t, parsers.RegisterURLParser(), plugintest.Case{Config: plugin.Config{"url": "payload@u"}, Payload: plugin.Payload{"u": 1.0}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "is a number, not text") {
		t.Errorf("number: %v", out.Err)
	}
}
