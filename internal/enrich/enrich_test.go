package enrich

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseUserAgents(t *testing.T) {
	p := NewParser(0)
	for _, c := range []struct {
		ua   string
		want Agent
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
			Agent{Browser: "Chrome", BrowserVersion: "124.0.0.0", OS: "Windows", Device: "pc"}},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
			Agent{Browser: "Safari", BrowserVersion: "17.4", OS: "iOS", Device: "mobile"}},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Agent{Device: "bot", Bot: true}},
		{"curl/8.5.0", Agent{Bot: true}},
		{"", Agent{}},
	} {
		got := p.Parse(c.ua)
		if got.Bot != c.want.Bot || got.Browser != c.want.Browser || got.OS != c.want.OS || (c.want.Device != "" && got.Device != c.want.Device) ||
			(c.want.BrowserVersion != "" && got.BrowserVersion != c.want.BrowserVersion) {
			t.Errorf("%q: got %+v, want %+v", c.ua, got, c.want)
		}
	}
}

// TestParserCacheIsBounded checks that hostile, ever-changing user agents
// cannot grow the cache past its bound, and that a cached answer is the
// parsed one.
func TestParserCacheIsBounded(t *testing.T) {
	p := NewParser(10)
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	first := p.Parse(ua)
	if again := p.Parse(ua); again != first {
		t.Errorf("cached %+v, parsed %+v", again, first)
	}
	for i := range 100 {
		p.Parse(fmt.Sprintf("agent-%d", i))
		if n := p.Len(); n > 10 {
			t.Fatalf("cache holds %d user agents, bound 10", n)
		}
	}
	long := strings.Repeat("x", 10*MaxUserAgent)
	p.Parse(long)
	for k := range p.cache {
		if len(k) > MaxUserAgent {
			t.Errorf("a %d-byte user agent was kept whole", len(k))
		}
	}
}

func TestUTM(t *testing.T) {
	for url, want := range map[string]map[string]any{
		"https://x.example/?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=top": {
			"source": "news", "medium": "email", "campaign": "spring", "term": "shoes", "content": "top"},
		"https://x.example/p?utm_source=a%20b&q=1":                     {"source": "a b"},
		"https://x.example/p?q=1":                                      nil,
		"::not a url utm_source=x":                                     nil,
		"https://x.example/?utm_source=" + strings.Repeat("a", MaxURL): nil,
	} {
		if got := UTM(url); !reflect.DeepEqual(got, want) && !(got == nil && want == nil) {
			t.Errorf("UTM(%.60q) = %v, want %v", url, got, want)
		}
	}
}

func TestReferrerAndScreen(t *testing.T) {
	if r := Referrer(map[string]any{"referer": map[string]any{"host": "google.com", "query": "?q=shoes"}}); r != "google.com?q=shoes" {
		t.Errorf("referrer %q", r)
	}
	if r := Referrer(map[string]any{"referer": "https://a.example/"}); r != "https://a.example/" {
		t.Errorf("referrer %q", r)
	}
	if r := Referrer(map[string]any{"referer": map[string]any{"host": nil}}); r != "" {
		t.Errorf("referrer of no host %q", r)
	}
	got := Screen(map[string]any{"screen": map[string]any{"local": map[string]any{"width": 390.0, "height": 844.0, "colorDepth": 32.0,
		"orientation": map[string]any{"type": "portrait-primary"}}}})
	want := map[string]any{"resolution": "390x844", "color_depth": 32.0, "orientation": "portrait-primary"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("screen %v, want %v", got, want)
	}
	if s := Screen(map[string]any{"screen": "big"}); s != nil {
		t.Errorf("screen of a string: %v", s)
	}
}
