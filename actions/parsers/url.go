// Package parsers holds the palette group "Parsers": the URL parser.
package parsers

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

// URLParser splits a URL into its parts and query parameters.
type URLParser struct {
	plugin.ActionRunner
	url dotpath.Value
}

var urlSpec = plugin.NewConfigSpec().
	Group("Url parser", "").
	Field(plugin.NewValueField("url").Name("Path to page URL").
		Description("The URL to parse: a reference such as session@context.page.url, or the URL itself.").
		Default("session@context.page.url").Required().
		Component("dotPath", map[string]any{"defaultSourceValue": "session", "defaultMode": 1}))

// SetUp reads the URL reference.
func (a *URLParser) SetUp(_ context.Context, config plugin.Config) error {
	c, err := urlSpec.Parse(config)
	if err != nil {
		return err
	}
	a.url = c.Value("url")
	return nil
}

// Run sends the URL's parts on payload.
func (a *URLParser) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.url.Resolve(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("url: %s is %s, not text", a.url, dotpath.TypeName(v))
	}
	return plugin.Port("payload", parseURL(s)), nil
}

// usesParams lists the schemes whose last path segment may carry
// ";parameters", which Python's urlparse takes off the path.
var usesParams = map[string]bool{
	"": true, "ftp": true, "hdl": true, "prospero": true, "http": true, "imap": true, "https": true,
	"shttp": true, "rtsp": true, "rtspu": true, "sip": true, "sips": true, "mms": true, "sftp": true, "tel": true,
}

// parseURL splits a URL as Python's urlparse and parse_qsl do: leniently,
// without failing on any text.
func parseURL(raw string) plugin.Payload {
	s := strings.TrimLeft(raw, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	s = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(s)
	scheme := ""
	if i := strings.IndexByte(s, ':'); i > 0 && isAlpha(s[0]) && validScheme(s[:i]) {
		scheme, s = strings.ToLower(s[:i]), s[i+1:]
	}
	netloc := ""
	if strings.HasPrefix(s, "//") {
		end := strings.IndexAny(s[2:], "/?#")
		if end < 0 {
			end = len(s) - 2
		}
		netloc, s = s[2:2+end], s[2+end:]
	}
	fragment := ""
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s, fragment = s[:i], s[i+1:]
	}
	query := ""
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s, query = s[:i], s[i+1:]
	}
	path := s
	if usesParams[scheme] && strings.Contains(path, ";") {
		from := strings.LastIndexByte(path, '/')
		if from < 0 {
			from = 0
		}
		if i := strings.IndexByte(path[from:], ';'); i >= 0 {
			path = path[:from+i]
		}
	}
	params := map[string]any{}
	for _, part := range strings.Split(query, "&") {
		k, v, found := strings.Cut(part, "=")
		if !found || v == "" {
			continue
		}
		params[unquotePlus(k)] = unquotePlus(v)
	}
	return plugin.Payload{
		"url":      raw,
		"scheme":   scheme,
		"hostname": hostname(netloc),
		"path":     path,
		"query":    query,
		"params":   params,
		"fragment": fragment,
	}
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// hostname is the host of a netloc, lowercased, without user info and port;
// nil when there is none.
func hostname(netloc string) any {
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		netloc = netloc[i+1:]
	}
	var host string
	if strings.HasPrefix(netloc, "[") {
		end := strings.IndexByte(netloc, ']')
		if end < 0 {
			host = netloc[1:]
		} else {
			host = netloc[1:end]
		}
	} else {
		host, _, _ = strings.Cut(netloc, ":")
	}
	if host == "" {
		return nil
	}
	return strings.ToLower(host)
}

// unquotePlus decodes + as a space and %XX escapes; a bad escape is kept as
// it is, and bytes that are not UTF-8 become U+FFFD, as in Python.
func unquotePlus(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if !strings.Contains(s, "%") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// RegisterURLParser describes the Parse URL plugin.
func RegisterURLParser() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &URLParser{} },
		Spec: plugin.Spec{
			Module: "tracflow.parsers.url", Aliases: []string{tracardi + "strings.url_parser.plugin"},
			ClassName: "ParseURLParameters", Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: urlSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Parse URL", Desc: "Splits a URL, by default the page's, into scheme, host, path, query parameters and fragment.",
			Type: "flowNode", Width: 300, Height: 100, Icon: "url", Group: []string{"Parsers"},
			Tags: []string{"url", "parser", "query"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Config: {\"url\": \"session@context.page.url\"}: " +
					"\"https://Shop.example.com/a/b?utm_source=news&q=red+shoes#top\" gives {\"url\": " +
					"the URL, \"scheme\": \"https\", \"hostname\": \"shop.example.com\", \"path\": \"/a/b\", " +
					"\"query\": \"utm_source=news&q=red+shoes\", \"params\": {\"utm_source\": \"news\", " +
					"\"q\": \"red shoes\"}, \"fragment\": \"top\"}, as Python's urlparse reads it: the " +
					"hostname is lowercased without port or user (null when there is none), parameters " +
					"are decoded, empty ones are left out and a repeated one keeps its last value. Any " +
					"text parses. A URL that is missing or not text stops the flow with an error.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; the URL may be read from it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The URL's parts: url, scheme, hostname, path, query, params and fragment."}},
			},
		},
	}
}
