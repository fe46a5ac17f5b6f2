package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
)

// Defaults of the calls to a plugin service.
const (
	// DefaultTimeout bounds a call when the resource sets none.
	DefaultTimeout = 10 * time.Second
	// MaxAnswer bounds the answer of a call (10 MiB).
	MaxAnswer = 10 << 20
)

// ResourceType is the resource of a plugin service (Tracardi's
// microservice resource): its base URL, the bearer token it expects and
// the time a call may take. Test connection lists the service's plugins.
var ResourceType = plugin.ResourceType{
	Type: "microservice", Name: "Plugin service", Tags: []string{"microservice"},
	Description: "A service that serves remote plugins over HTTP (docs/remote-plugins.md). Reinstall Plugins installs the plugins of every such resource.",
	Fields: plugin.NewConfigSpec().
		Field(plugin.NewStringField("url").Name("URL").Required().
			Pattern(`^https?://[^/\s]+(/\S*)?$`, "expected an http:// or https:// address, e.g. http://plugins.internal:8686").
			Description("The service's base URL; /plugins, /plugin/validate and /plugin/run are appended to it.")).
		Field(plugin.NewStringField("token").Name("Token").Default("").
			Description("The bearer token the service expects; empty when it expects none.")).
		Field(plugin.NewFloatField("timeout").Name("Timeout").Default(DefaultTimeout.Seconds()).Min(0.05).Max(300).
			Description("Seconds a call may take; a run that takes longer fails its node.")),
}

func init() {
	ResourceType.Check = checkService
	plugin.RegisterResourceType(ResourceType)
}

// checkService is the resource's Test connection: the service lists its
// plugins with these credentials.
func checkService(ctx context.Context, c map[string]any) error {
	svc, err := ServiceFrom(c)
	if err != nil {
		return err
	}
	_, err = svc.Plugins(ctx)
	return err
}

// Service is one plugin service, reached at URL.
type Service struct {
	URL     string
	Token   string
	Timeout time.Duration
	// Client makes the calls; nil means a client shared by all services.
	Client *http.Client
}

// ServiceFrom reads a microservice resource's credentials.
func ServiceFrom(credentials map[string]any) (Service, error) {
	pc, err := ResourceType.ParseCredentials(credentials)
	if err != nil {
		return Service{}, err
	}
	return Service{
		URL:     strings.TrimRight(pc.String("url"), "/"),
		Token:   pc.String("token"),
		Timeout: time.Duration(pc.Float("timeout") * float64(time.Second)),
	}, nil
}

// sharedClient calls plugin services. A service's address is set by an
// administrator in a resource, never by event data, so it is not held to
// the outbound deny-list: plugin services usually run on the server's own
// network.
var sharedClient = &http.Client{
	Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// CallError is a failed call to a plugin service: no answer (Status 0) or
// an answer that is not 200. Its message names the service's host, never
// its token.
type CallError struct {
	Status  int
	Message string
	// Errors are the field errors of a 422 answer.
	Errors plugin.FieldErrors
	Err    error
}

func (e *CallError) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// call posts body (or GETs when body is nil) and decodes a 200 answer
// into out.
func (s Service) call(ctx context.Context, path string, body, out any) error {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &CallError{Message: "the plugin service's URL is not an http(s) address"}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	method := http.MethodGet
	var rd io.Reader
	if body != nil {
		method = http.MethodPost
		raw, err := json.Marshal(body)
		if err != nil {
			return &CallError{Message: "cannot encode the call: " + err.Error(), Err: err}
		}
		rd = bytes.NewReader(raw)
	}
	where := method + " " + u.Scheme + "://" + u.Host + path
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return &CallError{Message: where + ": " + err.Error(), Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	hc := s.Client
	if hc == nil {
		hc = sharedClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		cause := err
		if errors.As(err, &ue) {
			cause = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return &CallError{Message: fmt.Sprintf("%s: no answer within %s", where, timeout), Err: err}
		}
		return &CallError{Message: where + ": " + cause.Error(), Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return &CallError{Message: fmt.Sprintf("%s: no answer within %s", where, timeout), Err: err}
		}
		return &CallError{Message: where + ": " + err.Error(), Err: err}
	}
	if len(raw) > MaxAnswer {
		return &CallError{Status: resp.StatusCode, Message: fmt.Sprintf("%s: the answer is larger than %d bytes", where, MaxAnswer)}
	}
	if resp.StatusCode != http.StatusOK {
		var er ErrorResponse
		_ = json.Unmarshal(raw, &er)
		detail := er.Detail
		if detail == "" {
			detail = shorten(string(raw))
		}
		return &CallError{Status: resp.StatusCode, Errors: er.Errors,
			Message: fmt.Sprintf("%s: the plugin service answered %d %s: %s", where, resp.StatusCode, http.StatusText(resp.StatusCode), strings.ReplaceAll(detail, s.Token, "***"))}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &CallError{Status: resp.StatusCode, Message: fmt.Sprintf("%s: the answer is not what the wire format says: %v", where, err), Err: err}
	}
	return nil
}

func shorten(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// Plugins asks the service for its plugins (register).
func (s Service) Plugins(ctx context.Context) ([]plugin.Plugin, error) {
	var out PluginsResponse
	if err := s.call(ctx, PathPlugins, nil, &out); err != nil {
		return nil, err
	}
	return out.Plugins, nil
}

// Validate asks the service to check a configuration of one of its
// plugins; an invalid one comes back as plugin.FieldErrors.
func (s Service) Validate(ctx context.Context, module string, init plugin.Config) (plugin.Config, error) {
	var out ValidateResponse
	err := s.call(ctx, PathValidate, ValidateRequest{Module: module, Init: init}, &out)
	var ce *CallError
	if errors.As(err, &ce) && ce.Status == http.StatusUnprocessableEntity {
		if len(ce.Errors) > 0 {
			return nil, ce.Errors
		}
		return nil, plugin.FieldErrors{{Message: ce.Message}}
	}
	if err != nil {
		return nil, err
	}
	if out.Config == nil {
		out.Config = init
	}
	return out.Config, nil
}

// Run runs one of the service's plugins.
func (s Service) Run(ctx context.Context, req *RunRequest) (*RunResponse, error) {
	var out RunResponse
	if err := s.call(ctx, PathRun, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
