package enrich

import (
	"fmt"
	"net/url"
	"strings"
)

// MaxURL is the longest page URL read for UTM parameters, in bytes.
const MaxURL = 8192

// UTM reads the utm_* parameters of a page URL into Tracardi's UTM object
// {"source", "medium", "campaign", "term", "content"}; nil when the URL has
// none (or is not a URL).
func UTM(pageURL string) map[string]any {
	if pageURL == "" || len(pageURL) > MaxURL || !strings.Contains(pageURL, "utm_") {
		return nil
	}
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	q := u.Query()
	var out map[string]any
	for _, k := range []string{"source", "medium", "campaign", "term", "content"} {
		if v := q.Get("utm_" + k); v != "" {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
		}
	}
	return out
}

// Referrer is the referring page a tracker's page context names: Tracardi's
// tracker sends context.page.referer as {"host", "query"}; a plain URL
// string is taken too. "" when there is none.
func Referrer(page map[string]any) string {
	switch r := page["referer"].(type) {
	case string:
		return r
	case map[string]any:
		host, _ := r["host"].(string)
		if host == "" {
			return ""
		}
		ref := host
		if q, _ := r["query"].(string); q != "" {
			ref += "?" + strings.TrimPrefix(q, "?")
		}
		return ref
	}
	return ""
}

// Screen reads the tracker's context.screen.local ({"width", "height",
// "colorDepth", "orientation"}) into Tracardi's device fields
// {"resolution": "WxH", "color_depth", "orientation"}; nil when absent.
func Screen(context map[string]any) map[string]any {
	screen, _ := context["screen"].(map[string]any)
	local, _ := screen["local"].(map[string]any)
	if local == nil {
		return nil
	}
	out := map[string]any{}
	w, wok := local["width"].(float64)
	h, hok := local["height"].(float64)
	if wok && hok && w > 0 && h > 0 {
		out["resolution"] = fmt.Sprintf("%dx%d", int64(w), int64(h))
	}
	if d, ok := local["colorDepth"].(float64); ok {
		out["color_depth"] = d
	}
	if o, ok := local["orientation"].(string); ok && o != "" {
		out["orientation"] = o
	} else if o, ok := local["orientation"].(map[string]any); ok {
		if t, _ := o["type"].(string); t != "" {
			out["orientation"] = t
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Browser is the tracker's context.browser.local.browser object (userAgent,
// language, ...), nil when absent.
func Browser(context map[string]any) map[string]any {
	b, _ := context["browser"].(map[string]any)
	l, _ := b["local"].(map[string]any)
	br, _ := l["browser"].(map[string]any)
	return br
}

// Page is the tracker's context.page object, nil when absent.
func Page(context map[string]any) map[string]any {
	p, _ := context["page"].(map[string]any)
	return p
}
