package connectors

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// HTMLFetch fetches a web page.
type HTMLFetch struct {
	plugin.ActionRunner
	method   string
	url      *dotpath.Template
	body     *dotpath.Template
	headers  *dotpath.Object
	cookies  *dotpath.Object
	timeout  time.Duration
	sslCheck bool
}

var htmlFetchSpec = plugin.NewConfigSpec().
	Group("Remote call settings", "").
	Field(plugin.NewEnumField("method",
		plugin.Option{Value: "get", Label: "GET"}, plugin.Option{Value: "post", Label: "POST"},
		plugin.Option{Value: "put", Label: "PUT"}, plugin.Option{Value: "delete", Label: "DELETE"}).
		Name("Method").Default("get").Description("The request method.")).
	Field(plugin.NewTemplateField("url").Name("URL").Required().Component("text", map[string]any{"label": "Url"}).
		Description("The page's address, http or https; {{ references }} are filled in. Private and loopback "+
			"addresses are refused unless the server allows them.")).
	Field(plugin.NewTemplateField("body").Name("Content").Default("").Component("textarea", map[string]any{"label": "Content", "rows": 13}).
		Description("The request body, if any; {{ references }} are filled in.")).
	Group("Advanced settings", "Timeout, headers and cookies of the call.").
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(30).Min(0.001).Max(600).
		Description("Seconds to wait for the whole page.")).
	Field(plugin.NewBoolField("ssl_check").Name("Validate SSL certificate").Default(true).
		Description("Check the server's TLS certificate.")).
	Field(plugin.NewObjectField("headers").Name("Request headers").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Request headers"}).
		Description("Headers to send; values may be references.")).
	Field(plugin.NewObjectField("cookies").Name("Cookies").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Cookies"}).
		Description("Cookies to send; values may be references."))

// SetUp compiles the config.
func (a *HTMLFetch) SetUp(_ context.Context, config plugin.Config) error {
	c, err := htmlFetchSpec.Parse(config)
	if err != nil {
		return err
	}
	a.method = strings.ToUpper(c.String("method"))
	a.url, a.body = c.Template("url"), c.Template("body")
	a.timeout, a.sslCheck = c.Duration("timeout"), c.Bool("ssl_check")
	if a.headers, err = dotpath.CompileObject(c.Object("headers"), true); err != nil {
		return plugin.FieldErrors{{Field: "headers", Message: err.Error()}}
	}
	if a.cookies, err = dotpath.CompileObject(c.Object("cookies"), true); err != nil {
		return plugin.FieldErrors{{Field: "cookies", Message: err.Error()}}
	}
	return nil
}

// Run fetches the page.
func (a *HTMLFetch) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	u, err := a.url.RenderStrict(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("url: %w", err))
	}
	hv, err := a.headers.Apply(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("headers: %w", err))
	}
	headers, err := stringMap(hv, "Header")
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	cv, err := a.cookies.Apply(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("cookies: %w", err))
	}
	cookies, err := stringMap(cv, "Cookie")
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	req := outbound.Request{Method: a.method, URL: u, Cookies: cookies, Timeout: a.timeout, SkipTLSVerify: !a.sslCheck, Header: map[string][]string{}}
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	if b := a.body.Render(sc); b != "" {
		req.Body = []byte(b)
	}
	res, err := outbound.Default().Do(ctx, req)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	out := plugin.Payload{"status": res.Status, "content": string(res.Body), "cookies": res.CookieMap()}
	return statusPort(&a.ActionRunner, res, out, res.Status >= 200 && res.Status <= 203, "")
}

// RegisterHTMLFetch describes the HTML fetcher.
func RegisterHTMLFetch() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &HTMLFetch{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.html.fetch", Aliases: []string{tracardi + "connectors.html.fetch.plugin"},
			ClassName: "HtmlPageFetchAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: htmlFetchSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "HTML fetcher", Desc: "Fetches a web page and returns its text.",
			Type: "flowNode", Icon: "globe", Group: []string{"Connectors"},
			Tags: []string{"html", "http", "web", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "The URL may come from event data, so calls to private, loopback and link-local addresses " +
					"are refused unless the server runs with --allow-private-outbound. At most 10 MiB of a page is read. " +
					"Differences from Tracardi: the URL is a template; failures go to the error port as {message, status, body}.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the URL, body, headers and cookies can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"content\": the page as text, \"cookies\"} for status 200 to 203."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"}; for an answer with another status also \"content\" and \"cookies\"."},
				},
			},
		},
	}
}
