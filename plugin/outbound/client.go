// Package outbound is the HTTP client every connector plugin shares: one
// transport with a deny-list for private and special addresses enforced at
// dial time, a timeout per call, bounded response reads, a User-Agent, and
// errors in the shape connectors send to their error port
// ({"message", "status", "body"}) with no credentials in them.
//
//	res, err := outbound.Default().Do(ctx, outbound.Request{
//		Method: "POST", URL: base + "/api/chat.postMessage",
//		Header: http.Header{"Authorization": {"Bearer " + token}},
//		JSON:   map[string]any{"channel": ch, "text": msg},
//		Timeout: cfg.Timeout,
//	})
//	if err != nil {
//		return plugin.Port("error", outbound.ErrorPayload(err, token)), nil
//	}
//
// It does not retry: a failed call goes to the node's error port and the
// flow decides what to do.
package outbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of a call.
const (
	// DefaultTimeout bounds a call whose Request gives no Timeout.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBody bounds the response body a call reads (10 MiB).
	DefaultMaxBody = 10 << 20
	// UserAgent is sent with every call that sets none.
	UserAgent = "Tracflow (+https://github.com/tracflow/tracflow)"
)

// Client makes outbound HTTP calls. Its zero value is not usable; use
// Default or New.
type Client struct {
	transport *http.Transport
	http      *http.Client
	maxBody   int64

	mu       sync.Mutex
	insecure *http.Client // for Request.SkipTLSVerify, made on first use
}

var shared = New(0)

// Default returns the client shared by all connectors (one connection pool).
func Default() *Client { return shared }

// New returns a client that reads at most maxBody bytes of a response (0
// means DefaultMaxBody), with its own connection pool. Most callers want
// Default.
func New(maxBody int64) *Client {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	d := Dialer(10 * time.Second)
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide the address the deny-list must see
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: 0, // the call's timeout covers it
	}
	c := &Client{transport: tr, maxBody: maxBody}
	c.http = &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}}
	return c
}

// closeIdle drops pooled connections, so that a changed setting applies to
// the next call (a connection is checked when it is dialled).
func (c *Client) closeIdle() {
	c.transport.CloseIdleConnections()
	c.mu.Lock()
	if c.insecure != nil {
		c.insecure.CloseIdleConnections()
	}
	c.mu.Unlock()
}

// Request is one outbound call.
type Request struct {
	Method string // GET when empty
	URL    string
	Header http.Header
	// Cookies are sent in a Cookie header.
	Cookies map[string]string
	// Body is sent as it is; JSON, when not nil, is encoded and sent instead
	// with Content-Type application/json unless Header sets one.
	Body []byte
	JSON any
	// Timeout bounds the whole call, reading the answer included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// NoRedirect returns a redirect answer as it is instead of following it.
	NoRedirect bool
	// SkipTLSVerify accepts any TLS certificate (a connector's "do not
	// check SSL" option). The deny-list still applies.
	SkipTLSVerify bool
}

// Response is a call's answer, its body read in full (up to the client's
// bound).
type Response struct {
	Status  int
	Header  http.Header
	Cookies []*http.Cookie
	Body    []byte
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Content returns the body decoded as JSON when it is JSON, else as text.
func (r *Response) Content() any {
	var v any
	if len(bytes.TrimSpace(r.Body)) > 0 && json.Unmarshal(r.Body, &v) == nil {
		return v
	}
	return string(r.Body)
}

// CookieMap returns the cookies the answer set, by name.
func (r *Response) CookieMap() map[string]any {
	out := map[string]any{}
	for _, c := range r.Cookies {
		out[c.Name] = c.Value
	}
	return out
}

// HeaderMap returns the answer's headers as an object of strings (repeated
// headers joined by ", ").
func (r *Response) HeaderMap() map[string]any {
	out := map[string]any{}
	for k, v := range r.Header {
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// Error is a failed call: no answer (Status 0), or an answer a caller
// turned into an error with StatusError. Message never holds the URL's
// path, query or user info, where credentials may travel.
type Error struct {
	Message string
	Status  int
	Body    string // the start of the answer's body
	Err     error  // the cause, for errors.Is/As
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// MaxErrorBody is how much of an answer's body an Error keeps.
const MaxErrorBody = 512

// ErrTooLarge is wrapped by the error of a call whose answer was larger
// than the client reads.
var ErrTooLarge = errors.New("response body too large")

// StatusError returns the error for an answer a caller does not accept
// (typically not 2xx): its status and the start of its body.
func StatusError(r *Response) *Error {
	return &Error{
		Message: fmt.Sprintf("the service answered %d %s", r.Status, http.StatusText(r.Status)),
		Status:  r.Status,
		Body:    short(r.Body),
	}
}

func short(b []byte) string {
	if len(b) <= MaxErrorBody {
		return string(b)
	}
	return string(b[:MaxErrorBody]) + "…"
}

// DoOK is Do for calls that must be answered with a 2xx status: any other
// status is returned as a StatusError, together with the Response.
func (c *Client) DoOK(ctx context.Context, r Request) (*Response, error) {
	res, err := c.Do(ctx, r)
	if err == nil && !res.OK() {
		err = StatusError(res)
	}
	return res, err
}

// Do makes the call. An answer of any status is returned as a Response;
// an error means no usable answer (refused address, timeout, bad URL, body
// too large), and is an *Error.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, &Error{Message: "invalid URL: " + redactURLError(err), Err: err}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &Error{Message: fmt.Sprintf("invalid URL: scheme %q is not http or https", u.Scheme)}
	}
	if u.Host == "" {
		return nil, &Error{Message: "invalid URL: no host"}
	}
	where := method + " " + u.Scheme + "://" + u.Host
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	body := r.Body
	ctype := ""
	if r.JSON != nil {
		body, err = json.Marshal(r.JSON)
		if err != nil {
			return nil, &Error{Message: "cannot encode the request body as JSON: " + err.Error(), Err: err}
		}
		ctype = "application/json"
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, &Error{Message: where + ": " + err.Error(), Err: err}
	}
	for k, v := range r.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	if ctype != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", ctype)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", UserAgent)
	}
	for k, v := range r.Cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	hc := c.http
	if r.SkipTLSVerify {
		c.mu.Lock()
		if c.insecure == nil {
			tr := c.transport.Clone()
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the node's config
			cp := *c.http
			cp.Transport = tr
			c.insecure = &cp
		}
		hc = c.insecure
		c.mu.Unlock()
	}
	if r.NoRedirect {
		cp := *hc
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &cp
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, callError(where, timeout, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, callError(where, timeout, err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, &Error{Message: fmt.Sprintf("%s: the answer is larger than %d bytes", where, c.maxBody),
			Status: resp.StatusCode, Body: short(data), Err: ErrTooLarge}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Cookies: resp.Cookies(), Body: data}, nil
}

// callError words a transport error without the URL (whose path or query
// may hold a token).
func callError(where string, timeout time.Duration, err error) *Error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrDenied):
		return &Error{Message: where + ": " + deniedText(cause), Err: err}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &Error{Message: fmt.Sprintf("%s: no answer within %s", where, timeout), Err: err}
	}
	return &Error{Message: where + ": " + cause.Error(), Err: err}
}

func deniedText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
