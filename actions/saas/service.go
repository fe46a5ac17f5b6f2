package saas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// defaultTimeout is how long a call waits when the resource does not say.
const defaultTimeout = 15 * time.Second

// authorizer adds a service's credentials to a request.
type authorizer func(ctx context.Context, c *plugin.ParsedConfig, r *outbound.Request) error

// service is one SaaS API: its resource type, the credential field that
// holds its base URL, how calls are authorised, and which credential
// fields are secrets to keep out of messages.
type service struct {
	name    string // for messages, e.g. "HubSpot"
	typ     plugin.ResourceType
	baseURL string // credential field id of the base URL
	auth    authorizer
	secrets []string
	// baseOf, when set, works the base URL out of the credentials (the
	// baseURL field, when not empty, still wins).
	baseOf func(c *plugin.ParsedConfig) (string, error)
	// refused, when set, tells a 2xx answer that reports a failure (some
	// APIs answer 200 with {"success": false}).
	refused func(res *outbound.Response) error
	// oauth, when set, authorises calls with client credentials; a call
	// answered 401 gets a new token and is sent once more.
	oauth *clientCredentials
}

// call is one request to a service, relative to its base URL.
type call struct {
	method string
	path   string
	query  url.Values
	json   any
	form   url.Values
	header http.Header
	// url, when set, is the whole address, in place of base URL and path.
	url string
	// timeout, when set, overrides the resource's.
	timeout time.Duration
}

// base returns the service's base URL from the credentials, without a
// trailing slash.
func (s *service) base(c *plugin.ParsedConfig) (string, error) {
	if s.baseURL == "" {
		return "", nil // the calls give whole URLs
	}
	if b := baseURL(c, s.baseURL); b != "" || s.baseOf == nil {
		return b, nil
	}
	return s.baseOf(c)
}

// baseURL reads a base URL field: https:// when it names no scheme, no
// trailing slash.
func baseURL(c *plugin.ParsedConfig, field string) string {
	b := strings.TrimRight(strings.TrimSpace(c.String(field)), "/")
	if b != "" && !strings.Contains(b, "://") {
		b = "https://" + b
	}
	return b
}

// secretValues lists the credential values to redact.
func (s *service) secretValues(c *plugin.ParsedConfig) []string {
	out := make([]string, 0, len(s.secrets))
	for _, id := range s.secrets {
		out = append(out, c.String(id))
	}
	return out
}

// request builds the outbound request of a call, authorised.
func (s *service) request(ctx context.Context, c *plugin.ParsedConfig, cl call) (outbound.Request, error) {
	b, err := s.base(c)
	if err != nil {
		return outbound.Request{}, err
	}
	u := b + cl.path
	if cl.url != "" {
		u = cl.url
	}
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	r := outbound.Request{Method: cl.method, URL: u, Header: http.Header{}, JSON: cl.json, Timeout: defaultTimeout}
	for k, v := range cl.header {
		r.Header[k] = v
	}
	if c.Has("timeout") {
		if d := c.Duration("timeout"); d > 0 {
			r.Timeout = d
		}
	}
	if cl.timeout > 0 {
		r.Timeout = cl.timeout
	}
	if cl.form != nil {
		r.JSON = nil
		r.Body = []byte(cl.form.Encode())
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	auth := s.auth
	if s.oauth != nil {
		auth = s.oauth.authorize
	}
	if auth != nil {
		if err := auth(ctx, c, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// do sends a call and fails on any answer but a 2xx.
func (s *service) do(ctx context.Context, c *plugin.ParsedConfig, cl call) (*outbound.Response, error) {
	r, err := s.request(ctx, c, cl)
	if err != nil {
		return nil, err
	}
	res, err := outbound.Default().DoOK(ctx, r)
	if s.oauth != nil && isUnauthorized(err) {
		// The token was revoked or expired early: ask for a new one.
		s.oauth.forget(c)
		if r, err = s.request(ctx, c, cl); err != nil {
			return nil, err
		}
		res, err = outbound.Default().DoOK(ctx, r)
	}
	if err == nil && s.refused != nil {
		err = s.refused(res)
	}
	return res, err
}

// check is a resource type's Test connection: one call that needs valid
// credentials.
func (s *service) check(cl call) func(ctx context.Context, creds map[string]any) error {
	return func(ctx context.Context, creds map[string]any) error {
		c, err := s.typ.ParseCredentials(creds)
		if err != nil {
			return err
		}
		_, err = s.do(ctx, c, cl)
		if err != nil {
			return errors.New(outbound.Redact(err.Error(), s.secretValues(c)...))
		}
		return nil
	}
}

// asOutbound is errors.As for the outbound client's errors.
func asOutbound(err error, target **outbound.Error) bool { return errors.As(err, target) }

// The authorisation styles.

// bearer sends the credential field as "Authorization: <scheme> <value>".
func bearer(scheme, field string) authorizer {
	return func(_ context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
		r.Header.Set("Authorization", scheme+" "+c.String(field))
		return nil
	}
}

// headerKey sends the credential field in a header of its own.
func headerKey(header, field string) authorizer {
	return func(_ context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
		r.Header.Set(header, c.String(field))
		return nil
	}
}

// basic sends HTTP basic authentication; user is a credential field id,
// or a fixed user name when it starts with "=".
func basic(user, password string) authorizer {
	return func(_ context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
		u := strings.TrimPrefix(user, "=")
		if u == user {
			u = c.String(user)
		}
		h, _ := http.NewRequest(http.MethodGet, "http://x", nil)
		h.SetBasicAuth(u, c.String(password))
		r.Header.Set("Authorization", h.Header.Get("Authorization"))
		return nil
	}
}

// queryKey sends the credential field as a query parameter.
func queryKey(param, field string) authorizer {
	return func(_ context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
		u, err := url.Parse(r.URL)
		if err != nil {
			return fmt.Errorf("invalid base URL: %w", err)
		}
		q := u.Query()
		q.Set(param, c.String(field))
		u.RawQuery = q.Encode()
		r.URL = u.String()
		return nil
	}
}

// base is what every plugin of the package embeds: the runner and the
// chosen resource.
type base struct {
	plugin.ActionRunner
	resource string
}

// fail sends err to the error port, with the secrets redacted, and logs
// it.
func (b *base) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	b.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// failf sends a message made of format and args to the error port.
func (b *base) failf(format string, args ...any) (plugin.Results, error) {
	return b.fail(fmt.Errorf(format, args...))
}

// send loads the run's credentials of the resource, sends the call and
// returns the answer; a failure comes back as the results for the error
// port (res nil).
func (b *base) send(ctx context.Context, s *service, cl call) (*outbound.Response, plugin.Results) {
	c, err := b.Credentials(ctx, b.resource, s.typ)
	if err != nil {
		out, _ := b.fail(err)
		return nil, out
	}
	res, err := s.do(ctx, c, cl)
	if err != nil {
		out, _ := b.fail(fmt.Errorf("%s: %w", s.name, err), s.secretValues(c)...)
		return nil, out
	}
	return res, nil
}

// respond sends the call and puts the service's answer on the response
// port: its JSON object as it is, anything else as {"result": ...}.
func (b *base) respond(ctx context.Context, s *service, cl call) (plugin.Results, error) {
	res, fail := b.send(ctx, s, cl)
	if fail != nil {
		return fail, nil
	}
	return plugin.Port("response", content(res)), nil
}

// content is a response's JSON object, or {"result": its content}.
func content(res *outbound.Response) plugin.Payload {
	if m, ok := res.Content().(map[string]any); ok {
		return m
	}
	return plugin.Payload{"result": res.Content()}
}

// crmJoin is how Mautic and Elastic Email take a list in a field: tags
// joined with ",", other lists (multi-select values) with "|".
func crmJoin(key string) string {
	if key == "tags" {
		return ","
	}
	return "|"
}

// fields reshapes a mapping of field names to values or references and
// flattens lists into text, joined with join(field name).
func fields(m *dotpath.Object, sc *dotpath.Scope, join func(key string) string) (map[string]any, error) {
	v, err := m.Apply(sc)
	if err != nil {
		return nil, err
	}
	in, _ := v.(map[string]any)
	out := make(map[string]any, len(in))
	for k, x := range in {
		if l, ok := x.([]any); ok {
			parts := make([]string, len(l))
			for i, e := range l {
				parts[i] = dotpath.Stringify(e)
			}
			x = strings.Join(parts, join(k))
		}
		out[k] = x
	}
	return out, nil
}

// compileMapping compiles a mapping field's object; an empty list (as some
// of Tracardi's stored configs have) is an empty mapping.
func compileMapping(field string, v any) (*dotpath.Object, error) {
	if l, ok := v.([]any); ok && len(l) == 0 {
		v = map[string]any{}
	}
	if _, ok := v.(map[string]any); !ok && v != nil {
		return nil, plugin.FieldErrors{{Field: field, Message: "expected an object of field names to values, got " + dotpath.TypeName(v)}}
	}
	if v == nil {
		v = map[string]any{}
	}
	m, err := dotpath.CompileObject(v, true)
	if err != nil {
		return nil, plugin.FieldErrors{{Field: field, Message: err.Error()}}
	}
	return m, nil
}

// resolveText resolves a value to non-empty text; what names the field in
// the error.
func resolveText(v dotpath.Value, sc *dotpath.Scope, what string) (string, error) {
	x, err := v.Resolve(sc)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	s := strings.TrimSpace(dotpath.Stringify(x))
	if x == nil || s == "" {
		return "", fmt.Errorf("%s: %s is empty", what, v)
	}
	return s, nil
}

// urlFields declares a resource type's base URL and timeout fields.
func urlFields(spec *plugin.ConfigSpec, id, name, def string) *plugin.ConfigSpec {
	f := plugin.NewStringField(id).Name(name).Description(name + " address; change it only to reach a stand-in or a private installation.")
	if def == "" {
		f = f.Required()
	} else {
		f = f.Default(def)
	}
	return spec.Field(f).Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).
		Description("Seconds to wait for an answer."))
}

// meta is what a plugin's registration says.
type meta struct {
	module, class, name, desc, brand, group, icon string
	tags                                          []string
	outputs                                       []string // default response, error
	spec                                          *plugin.ConfigSpec
	new                                           func() plugin.Action
	resource                                      string   // the resource type
	aliases                                       []string // more Tracardi module names, in full
	tutorial                                      string
	ports                                         map[string]string // output port docs; error has a default
}

// register builds a plugin's registration from its meta.
func register(m meta) plugin.Plugin {
	outs := m.outputs
	if outs == nil {
		outs = []string{"response", "error"}
	}
	docs := map[string]plugin.PortDoc{}
	for _, p := range outs {
		d := m.ports[p]
		if d == "" && p == "error" {
			d = "{\"message\", \"status\", \"body\"} when the call failed: the service refused it (4xx/5xx), did not answer in time, or the input was unusable."
		}
		docs[p] = plugin.PortDoc{Desc: d}
	}
	tags := append([]string{}, m.tags...)
	tags = append(tags, "connector")
	return plugin.Plugin{
		New: m.new,
		Spec: plugin.Spec{
			Module: "tracflow.connectors." + m.module, Aliases: append([]string{tracardi + m.module + ".plugin"}, m.aliases...),
			ClassName: m.class, Inputs: []string{"payload"}, Outputs: outs,
			Config: m.spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: m.name, Desc: m.desc, Brand: m.brand, Type: "flowNode", Icon: m.icon, Group: []string{m.group},
			Tags: tags, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type " + m.resource + ". " + strings.TrimSpace(m.tutorial) +
					" Failures reach the error port as {\"message\", \"status\", \"body\"}, the credentials left out (Tracardi's shape differed from plugin to plugin).",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object; references in the config can read it as payload@..."}},
				Outputs: docs,
			},
		},
	}
}

// oneValue is a plugin whose config is a resource and one value (an id
// or an address) it reads at each run.
type oneValue struct {
	base
	spec  *plugin.ConfigSpec
	field string
	v     dotpath.Value
}

// SetUp reads the config.
func (a *oneValue) SetUp(_ context.Context, config plugin.Config) error {
	c, err := a.spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.v = plugin.ResourceID(c.Object("source")), c.Value(a.field)
	return nil
}

// value resolves the value for a run: non-empty text.
func (a *oneValue) value(payload plugin.Payload) (string, error) {
	return resolveText(a.v, a.Scope(payload), a.field)
}

// contactFields is an e-mail address and more contact fields, as the
// plugins that add contacts take them.
type contactFields struct {
	email   dotpath.Value
	mapping *dotpath.Object
}

// setUp reads the email field and the mapping field.
func (f *contactFields) setUp(c *plugin.ParsedConfig, mappingField string) (err error) {
	f.email = c.Value("email")
	f.mapping, err = compileMapping(mappingField, c.Any(mappingField))
	return err
}

// form resolves the contact for a run: the mapped fields (lists joined)
// and email, as form values.
func (f *contactFields) form(sc *dotpath.Scope, mappingField string) (url.Values, error) {
	email, err := resolveText(f.email, sc, "email")
	if err != nil {
		return nil, err
	}
	m, err := fields(f.mapping, sc, crmJoin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mappingField, err)
	}
	form := url.Values{}
	for k, v := range m {
		form.Set(k, dotpath.Stringify(v))
	}
	form.Set("email", email)
	return form, nil
}
