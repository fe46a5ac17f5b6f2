package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tracflow/tracflow/internal/testenv"
)

func init() {
	// The non-JSON answers of the API are text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/javascript", openapi3filter.PlainBodyDecoder)
}

// loadOpenAPI loads /openapi.json with kin-openapi and validates it as an
// OpenAPI 3 document.
func loadOpenAPI(t *testing.T, e *testenv.Env) *openapi3.T {
	t.Helper()
	raw := e.Do("GET", "/openapi.json", "", nil).MustOK(t).Raw
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("loading /openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// TestOpenAPIValidates: the document is valid OpenAPI 3; every operation
// declares its successful answer with a schema (a component of the domain,
// or the text type of /metrics, /docs and the tracker script); the query
// parameters a summary names (?name=) are declared.
func TestOpenAPIValidates(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	doc := loadOpenAPI(t, e)
	mentioned := regexp.MustCompile(`[?&]([a-z_][a-z0-9_]*)=`)
	count := 0
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			count++
			name := method + " " + p
			var ok *openapi3.ResponseRef
			for code, r := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					ok = r
				}
			}
			if ok == nil || ok.Value == nil || len(ok.Value.Content) != 1 {
				t.Errorf("%s: no single 2xx answer", name)
				continue
			}
			for ct, media := range ok.Value.Content {
				s := media.Schema
				switch {
				case s == nil:
					t.Errorf("%s: %s answer without a schema", name, ct)
				case ct == "application/json" && s.Ref == "":
					t.Errorf("%s: its JSON answer is not one of the domain schemas: %+v", name, s.Value)
				case ct != "application/json" && (s.Value == nil || !s.Value.Type.Is("string")):
					t.Errorf("%s: its %s answer should be a string", name, ct)
				}
			}
			for _, m := range mentioned.FindAllStringSubmatch(op.Summary, -1) {
				if !slices.ContainsFunc(op.Parameters, func(pr *openapi3.ParameterRef) bool {
					return pr.Value.In == "query" && pr.Value.Name == m[1]
				}) {
					t.Errorf("%s: its summary names ?%s= but the parameter is not declared", name, m[1])
				}
			}
		}
	}
	if count < 40 {
		t.Errorf("only %d operations", count)
	}
	ct := func(p string) string {
		for c := range doc.Paths.Find(p).Get.Responses.Status(200).Value.Content {
			return c
		}
		return ""
	}
	for p, want := range map[string]string{"/metrics": "text/plain; version=0.0.4; charset=utf-8; escaping=underscores", "/docs": "text/html; charset=utf-8", "/tracker/tracflow.js": "text/javascript; charset=utf-8"} {
		if got := ct(p); got != want {
			t.Errorf("%s answers %q, want %q", p, got, want)
		}
	}
}

// TestAnswersMatchTheirSchemas sends real requests to a test server and
// checks each request and each answer against /openapi.json with
// kin-openapi's validator: the answers have the shapes the document
// declares, and the requests use only declared parameters.
func TestAnswersMatchTheirSchemas(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	doc := loadOpenAPI(t, e)
	doc.Servers = openapi3.Servers{{URL: e.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	src := e.Setup("web", testenv.CounterFlow("count-views", "profile@stats.views", "views"), "page-view")
	tr := e.Do("POST", "/track", "", map[string]any{"source": map[string]any{"id": src},
		"events": []any{map[string]any{"type": "page-view", "properties": map[string]any{"url": "https://example.com/"}}}}).MustOK(t).Obj()
	pid := testenv.At(tr, "profile.id").(string)
	sid := testenv.At(tr, "session.id").(string)
	evs := e.Admin("GET", "/profile/"+pid+"/events", nil).MustOK(t).Obj()["result"].([]any)
	eid := testenv.At(evs, "0.id").(string)
	plugin := "tracflow.flow.start"

	type call struct {
		method, path, body, ctype string
		public                    bool
	}
	calls := []call{
		{method: "POST", path: "/track?profile_less=false", body: `{"source":{"id":"web"},"profile":{"id":"` + pid + `"},"events":[{"type":"page-view"}]}`, public: true},
		{method: "GET", path: "/collect/page-view/web?profile_id=" + pid, public: true},
		{method: "POST", path: "/user/token", body: "username=admin%40example.com&password=x", ctype: "application/x-www-form-urlencoded", public: true},
		{method: "GET", path: "/user/me"},
		{method: "GET", path: "/users?query=admin&limit=5&offset=0"},
		{method: "GET", path: "/event-sources?limit=10"},
		{method: "GET", path: "/event-source/web"},
		{method: "GET", path: "/event-source/web/enable/yes"},
		{method: "GET", path: "/rules?query=count"},
		{method: "GET", path: "/flows?tag=none"},
		{method: "GET", path: "/flow/metadata/count-views"},
		{method: "GET", path: "/flow/draft/count-views"},
		{method: "GET", path: "/flow/production/count-views"},
		{method: "GET", path: "/rules/by_flow/count-views"},
		{method: "POST", path: "/flow/metadata", body: `{"id":"new-flow","name":"New flow"}`},
		{method: "GET", path: "/flow/new-flow/lock/no"},
		{method: "POST", path: "/flow/debug", body: `{"flow":` + testenv.CounterFlow("count-views", "profile@stats.views", "views") + `,"event":{"type":"page-view"}}`},
		{method: "GET", path: "/profile/" + pid},
		{method: "GET", path: "/profile/" + pid + "/events?limit=5&offset=0"},
		{method: "GET", path: "/profile/" + pid + "/sessions"},
		{method: "GET", path: "/session/" + sid},
		{method: "GET", path: "/event/" + eid},
		{method: "POST", path: "/profile/select", body: `{"where":"stats.views > 0","limit":5}`},
		{method: "POST", path: "/event/select", body: `{"where":"type = \"page-view\""}`},
		{method: "POST", path: "/session/select/histogram", body: `{"interval":"hour"}`},
		{method: "GET", path: "/flow/action/plugins?query=start&all=true"},
		{method: "GET", path: "/flow/action/plugin/" + plugin},
		{method: "POST", path: "/plugin/" + plugin + "/config/validate", body: `{}`},
		{method: "GET", path: "/resources"},
		{method: "GET", path: "/healthz", public: true},
		{method: "GET", path: "/readyz", public: true},
		{method: "GET", path: "/metrics"},
		{method: "GET", path: "/docs", public: true},
		{method: "GET", path: "/openapi.json", public: true},
		{method: "GET", path: "/tracker/tracflow.js", public: true},
	}
	for _, c := range calls {
		name := c.method + " " + c.path
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, e.URL+c.path, body)
		if c.body != "" {
			ct := c.ctype
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
		}
		if !c.public {
			req.Header.Set("Authorization", "Bearer "+e.Token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if c.path == "/user/token" {
			// A wrong password: the error answer is checked against its schema.
			if resp.StatusCode != 401 {
				t.Errorf("%s: %d", name, resp.StatusCode)
			}
		} else if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, raw)
			continue
		}
		// Match the request on a fresh copy (its body was sent).
		vreq, _ := http.NewRequest(c.method, e.URL+c.path, strings.NewReader(c.body))
		vreq.Header = req.Header.Clone()
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Errorf("%s: not in /openapi.json: %v", name, err)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s: the request does not match the document: %v", name, err)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes(raw)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s: the answer does not match its schema: %v\n%s", name, err, clip(raw))
		}
	}
	// An answer that breaks its schema is caught: the check can fail.
	route, params, err := router.FindRoute(mustRequest(t, "GET", e.URL+"/user/me"))
	if err != nil {
		t.Fatal(err)
	}
	bad := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: mustRequest(t, "GET", e.URL+"/user/me"), PathParams: params, Route: route},
		Status:                 200, Header: http.Header{"Content-Type": {"application/json"}}}
	bad.SetBodyBytes([]byte(`{"email":"a@example.com","roles":"admin"}`))
	if err := openapi3filter.ValidateResponse(context.Background(), bad); err == nil {
		t.Error("a user without an id and with roles as a string passed the User schema")
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	if _, err := url.Parse(u); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(bytes.ToValidUTF8(b[:600], nil)) + "…"
	}
	return string(b)
}
