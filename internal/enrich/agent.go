// Package enrich derives what the collector records about a visit from
// what a tracker sends: device, operating system and browser from the user
// agent, UTM parameters and the referrer from the page URL, language and
// screen from the tracker's context. It has no state besides a bounded
// cache of parsed user agents.
package enrich

import (
	"strings"
	"sync"

	"github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/agents"
)

// Agent is what a user agent string tells.
type Agent struct {
	Browser        string // e.g. "Chrome"; "" when unknown
	BrowserVersion string // e.g. "118.0.0.0"
	OS             string // e.g. "Windows", "iOS", "MacOS"
	// Device is Tracardi's device type: "pc", "mobile", "tablet", "tv" or
	// "bot"; "" when unknown.
	Device string
	Bot    bool
}

// MaxUserAgent is the longest user agent parsed, in bytes; longer ones are
// cut there (real ones are a few hundred bytes).
const MaxUserAgent = 1024

// Parser parses user agents and keeps the last results, so that a stream
// of visits from the same few browsers parses each once. It is safe for
// concurrent use.
type Parser struct {
	mu    sync.Mutex
	cache map[string]Agent
	max   int
}

// DefaultCacheEntries is the number of parsed user agents a NewParser(0)
// keeps.
const DefaultCacheEntries = 4096

// NewParser returns a parser caching up to entries results
// (DefaultCacheEntries when 0).
func NewParser(entries int) *Parser {
	if entries <= 0 {
		entries = DefaultCacheEntries
	}
	go uaOnce.Do(build) // the parser's tables take a tenth of a second: not on a request
	return &Parser{cache: make(map[string]Agent, 64), max: entries}
}

func build() { uaParser = useragent.NewParser() }

var (
	uaOnce   sync.Once
	uaParser *useragent.Parser
)

// Len is the number of parsed user agents kept.
func (p *Parser) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cache)
}

// Parse reads a user agent string.
func (p *Parser) Parse(ua string) Agent {
	if len(ua) > MaxUserAgent {
		ua = ua[:MaxUserAgent]
	}
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return Agent{}
	}
	p.mu.Lock()
	a, ok := p.cache[ua]
	p.mu.Unlock()
	if ok {
		return a
	}
	a = parse(ua)
	p.mu.Lock()
	if len(p.cache) >= p.max {
		clear(p.cache) // rare: simpler and cheaper than keeping an order
	}
	p.cache[strings.Clone(ua)] = a
	p.mu.Unlock()
	return a
}

func parse(ua string) Agent {
	uaOnce.Do(build)
	r := uaParser.Parse(ua)
	a := Agent{Browser: string(r.Browser()), BrowserVersion: r.BrowserVersion(), OS: string(r.OS()), Bot: r.IsBot()}
	switch r.Device() {
	case agents.DeviceDesktop:
		a.Device = "pc"
	case agents.DeviceMobile:
		a.Device = "mobile"
	case agents.DeviceTablet:
		a.Device = "tablet"
	case agents.DeviceTV:
		a.Device = "tv"
	case agents.DeviceBot:
		a.Device = "bot"
	}
	if !a.Bot && looksLikeBot(ua) {
		a.Bot = true
	}
	return a
}

// looksLikeBot catches crawlers and scripted clients the trie does not
// classify (it knows browsers): the words they announce themselves with.
func looksLikeBot(ua string) bool {
	l := strings.ToLower(ua)
	for _, w := range []string{"bot", "crawler", "spider", "slurp", "headlesschrome", "curl/", "wget/", "python-requests", "go-http-client", "httpclient", "facebookexternalhit", "lighthouse"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
