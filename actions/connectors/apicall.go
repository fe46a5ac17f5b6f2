package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// APICall calls a remote API: the base URL of an api resource plus an
// endpoint, with a body built from the run's data.
type APICall struct {
	plugin.ActionRunner
	resource string
	method   string
	endpoint *dotpath.Template
	headers  *dotpath.Object
	cookies  *dotpath.Object
	bodyJSON *dotpath.Object   // application/json bodies
	bodyText *dotpath.Template // any other content type
	bodyType string
	timeout  time.Duration
	sslCheck bool
	log      bool
}

var apiCallSpec = plugin.NewConfigSpec().
	Group("Remote call settings", "").
	Field(plugin.NewResourceField("source", "api").
		Description("The api resource with the base URL and the credentials of the API.")).
	Field(plugin.NewEnumField("method",
		plugin.Option{Value: "get", Label: "GET"}, plugin.Option{Value: "post", Label: "POST"},
		plugin.Option{Value: "put", Label: "PUT"}, plugin.Option{Value: "delete", Label: "DELETE"}).
		Name("Method").Default("post").Description("The request method.")).
	Field(plugin.NewTemplateField("endpoint").Name("Endpoint").Default("").Component("text", map[string]any{"label": "Endpoint"}).
		Description("The path appended to the resource's base URL; {{ references }} are filled in, e.g. /users/{{ profile@id }}.")).
	Field(plugin.NewObjectField("body").Name("Content").
		Default(map[string]any{"type": "application/json", "content": "{}"}).
		Component("contentInput", map[string]any{"label": "Content", "rows": 13}).
		Description("The request body: {\"type\": content type, \"content\": text}. A JSON body's string values may be "+
			"references (\"profile@traits.email\"), replaced by what they point at; other types are templates with "+
			"{{ references }}. A GET sends a JSON body's values as query parameters.")).
	Field(plugin.NewBoolField("set_default_null").Name("On missing data set null").Default(true).
		Description("When a reference finds nothing, send null; off, the call is not made and the error port fires.")).
	Group("Advanced settings", "Timeout, headers, cookies and logging of the call.").
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(30).Min(0.001).Max(600).
		Description("Seconds to wait for the whole call, the answer included.")).
	Field(plugin.NewBoolField("ssl_check").Name("Validate SSL certificate").Default(true).
		Description("Check the server's TLS certificate; turn off only for servers with self-signed certificates.")).
	Field(plugin.NewObjectField("headers").Name("Request headers").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Request headers"}).
		Description("Headers to send, beside the resource's; values may be references (a reference that finds nothing sends no header).")).
	Field(plugin.NewObjectField("cookies").Name("Cookies").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Cookies"}).
		Description("Cookies to send; values may be references.")).
	Field(plugin.NewBoolField("log").Name("Log request and response data").Default(false).
		Description("Write the URL, headers (credentials hidden), body and answer to the console; for debugging only."))

// SetUp compiles the endpoint, headers, cookies and body.
func (a *APICall) SetUp(_ context.Context, config plugin.Config) error {
	c, err := apiCallSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.method = strings.ToUpper(c.String("method"))
	a.endpoint = c.Template("endpoint")
	a.timeout = c.Duration("timeout")
	a.sslCheck = c.Bool("ssl_check")
	a.log = c.Bool("log")
	null := c.Bool("set_default_null")
	if a.headers, err = dotpath.CompileObject(c.Object("headers"), null); err != nil {
		return plugin.FieldErrors{{Field: "headers", Message: err.Error()}}
	}
	if a.cookies, err = dotpath.CompileObject(c.Object("cookies"), null); err != nil {
		return plugin.FieldErrors{{Field: "cookies", Message: err.Error()}}
	}
	body := c.Object("body")
	a.bodyType, _ = body["type"].(string)
	if a.bodyType == "" {
		return plugin.FieldErrors{{Field: "body.type", Message: "is required: the content type, e.g. application/json"}}
	}
	content, _ := body["content"].(string)
	if a.bodyType == "application/json" {
		var v any
		if strings.TrimSpace(content) == "" {
			content = "{}"
		}
		if err := json.Unmarshal([]byte(content), &v); err != nil {
			return plugin.FieldErrors{{Field: "body.content", Message: "is not valid JSON: " + err.Error()}}
		}
		if a.bodyJSON, err = dotpath.CompileObject(v, null); err != nil {
			return plugin.FieldErrors{{Field: "body.content", Message: err.Error()}}
		}
	} else if a.bodyText, err = dotpath.CompileTemplate(content); err != nil {
		return plugin.FieldErrors{{Field: "body.content", Message: err.Error()}}
	}
	return nil
}

func stringMap(v any, what string) (map[string]string, error) {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		if x == nil {
			continue // a reference that found nothing: not sent
		}
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("%s %q: values must be text, got %s", what, k, dotpath.TypeName(x))
		}
		out[k] = s
	}
	return out, nil
}

// Run makes the call.
func (a *APICall) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, APIType)
	if err != nil {
		return a.fail(err)
	}
	secrets := []string{creds.String("password")}
	for _, v := range creds.Object("headers") {
		if s, ok := v.(string); ok {
			secrets = append(secrets, s)
		}
	}
	sc := a.Scope(payload)
	endpoint, err := a.endpoint.RenderStrict(sc)
	if err != nil {
		return a.fail(fmt.Errorf("endpoint: %w", err))
	}
	req, err := apiRequest(creds, a.method, endpoint)
	if err != nil {
		return a.fail(err)
	}
	hv, err := a.headers.Apply(sc)
	if err != nil {
		return a.fail(fmt.Errorf("headers: %w", err))
	}
	headers, err := stringMap(hv, "Header")
	if err != nil {
		return a.fail(err)
	}
	cv, err := a.cookies.Apply(sc)
	if err != nil {
		return a.fail(fmt.Errorf("cookies: %w", err))
	}
	if req.Cookies, err = stringMap(cv, "Cookie"); err != nil {
		return a.fail(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", a.bodyType)
	var logBody any
	if a.bodyJSON != nil {
		body, err := a.bodyJSON.Apply(sc)
		if err != nil {
			return a.fail(fmt.Errorf("body: %w", err))
		}
		logBody = body
		if a.method == "GET" {
			req.URL = withQuery(req.URL, body)
		} else {
			req.JSON = body
		}
	} else {
		text := a.bodyText.Render(sc)
		logBody = text
		req.Body = []byte(text)
	}
	req.Timeout, req.SkipTLSVerify = a.timeout, !a.sslCheck
	where := a.method + " " + redactURL(req.URL)
	a.Console.Log("Making %s request.", where)
	if a.log {
		h, _ := json.Marshal(outbound.RedactHTTPHeaders(req.Header))
		b, _ := json.Marshal(logBody)
		a.Console.Log("Request %s headers %s body %s", where, h, outbound.Redact(string(b), secrets...))
	}
	res, err := outbound.Default().Do(ctx, req)
	if err != nil {
		return a.fail(err, secrets...)
	}
	out := plugin.Payload{"status": res.Status, "content": res.Content(), "cookies": res.CookieMap(), "headers": res.HeaderMap()}
	if a.log {
		a.Console.Log("Response %d %s", res.Status, outbound.Redact(string(res.Body[:min(len(res.Body), 2000)]), secrets...))
	}
	if res.Status >= 200 && res.Status <= 203 {
		return plugin.Port("response", out), nil
	}
	e := outbound.StatusError(res)
	out["message"], out["body"] = e.Message, outbound.Redact(e.Body, secrets...)
	a.Console.Error("%s: %s", where, e.Message)
	return plugin.Port("error", out), nil
}

// withQuery adds a JSON body's values to the URL as query parameters,
// nested keys flattened with dots (a.b=1).
func withQuery(rawURL string, body any) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	flat := map[string]string{}
	flatten("", body, flat)
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		q.Set(k, flat[k])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s.%d", prefix, i), e, out)
		}
	default:
		if prefix != "" {
			out[prefix] = dotpath.Stringify(x)
		}
	}
}

// redactURL shows a URL without its user info, path or query, where
// credentials may travel.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

func (a *APICall) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// RegisterAPICall describes the Remote API call plugin.
func RegisterAPICall() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &APICall{} },
		Spec: plugin.Spec{
			Module:    "tracflow.connectors.api_call",
			Aliases:   []string{tracardi + "connectors.api_call.plugin"},
			ClassName: "RemoteCallAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"response", "error"},
			Config:    apiCallSpec,
			License:   "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Remote API call",
			Desc:    "Calls a remote API endpoint with data from the payload, event, profile or session.",
			Type:    "flowNode",
			Icon:    "globe",
			Group:   []string{"Connectors"},
			Tags:    []string{"api", "http", "webhook", "connector"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type api: the base URL, and optional basic-auth login and headers " +
					"sent with every call (debug runs use the resource's test set). Answers with status 200 to 203 " +
					"go to the response port; other answers, timeouts and refused addresses to the error port. " +
					"Calls to private, loopback and link-local addresses are refused unless the server allows " +
					"them (--allow-private-outbound). Differences from Tracardi: the body's content type is sent " +
					"as Content-Type (Tracardi sent a ContentType header); the resource's proxy is not used; " +
					"the answer also carries its headers; there are no retries.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the endpoint, body, headers and cookies can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"content\" (the answer, decoded when JSON), \"cookies\", \"headers\"} for status 200 to 203."},
					"error": {Desc: "{\"message\", \"status\", \"body\"} when the call failed; for an answer with another status also " +
						"\"content\", \"cookies\" and \"headers\" as on the response port."},
				},
			},
		},
	}
}
