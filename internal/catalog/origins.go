package catalog

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tracflow/tracflow/internal/store"
)

// AnyOrigin in a source's allowed_origins lets pages of every origin send
// its events (as does an empty list).
const AnyOrigin = "*"

// MaxAllowedOrigins bounds a source's allowed_origins list.
const MaxAllowedOrigins = 100

// maxOriginLen bounds one entry of allowed_origins.
const maxOriginLen = 300

// normalizeOrigins checks a source's allowed_origins field and returns it in
// canonical form: "*", or origins "scheme://host[:port]" in lower case
// without a default port; "https://*.example.com" also admits every
// sub-domain of example.com. A missing or null field is the empty list.
func normalizeOrigins(v any) ([]any, error) {
	if v == nil {
		return []any{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, invalid("allowed_origins", `expected a list of origins, e.g. ["https://shop.example.com"], or ["*"] for any`)
	}
	if len(list) > MaxAllowedOrigins {
		return nil, invalid("allowed_origins", fmt.Sprintf("has %d entries; at most %d are allowed", len(list), MaxAllowedOrigins))
	}
	out := make([]any, 0, len(list))
	seen := map[string]bool{}
	for i, x := range list {
		field := fmt.Sprintf("allowed_origins[%d]", i)
		s, ok := x.(string)
		if !ok {
			return nil, invalid(field, "expected a string")
		}
		o, err := normalizeOrigin(s)
		if err != nil {
			return nil, invalid(field, err.Error())
		}
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out, nil
}

func normalizeOrigin(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == AnyOrigin {
		return s, nil
	}
	if len(s) > maxOriginLen {
		return "", fmt.Errorf("is %d characters long; at most %d", len(s), maxOriginLen)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an origin: write scheme://host[:port], e.g. https://shop.example.com, or * for any", s)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%q is not an origin: an origin has no user, path, query or fragment; write scheme://host[:port], e.g. https://shop.example.com", s)
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, "*") && !(strings.HasPrefix(host, "*.") && !strings.Contains(host[2:], "*") && strings.Contains(host[2:], ".")) {
		return "", fmt.Errorf("%q: a wildcard must be the first label of a domain with at least two more, e.g. https://*.example.com", s)
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// OriginAllowed reports whether a page of origin (the request's Origin
// header) may send events of source: when its allowed_origins list is empty
// or holds "*", any origin may; else the origin must be listed, or match a
// "scheme://*.domain" entry by a sub-domain.
func OriginAllowed(source store.Doc, origin string) bool {
	list, _ := source["allowed_origins"].([]any)
	if len(list) == 0 {
		return true
	}
	origin = strings.ToLower(origin)
	for _, x := range list {
		o, _ := x.(string)
		switch {
		case o == AnyOrigin, o == origin:
			return true
		case strings.Contains(o, "://*."):
			scheme, rest, _ := strings.Cut(o, "://*.")
			suffix := "." + rest
			if s, host, ok := strings.Cut(origin, "://"); ok && s == scheme && strings.HasSuffix(host, suffix) && len(host) > len(suffix) {
				return true
			}
		}
	}
	return false
}

// AnyOriginAllowed reports whether source admits pages of every origin.
func AnyOriginAllowed(source store.Doc) bool {
	list, _ := source["allowed_origins"].([]any)
	for _, x := range list {
		if x == AnyOrigin {
			return true
		}
	}
	return len(list) == 0
}
