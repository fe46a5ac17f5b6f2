package api_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

var restWildcard = regexp.MustCompile(`\{([^}.]+)\.\.\.\}`)

func openAPIPath(p string) string {
	return restWildcard.ReplaceAllString(strings.ReplaceAll(p, "{$}", ""), "{$1}")
}

// TestOpenAPIHasEveryRoute fails when a route of the table is missing from
// /openapi.json, or is described with the wrong access, parameters or body.
func TestOpenAPIHasEveryRoute(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	r := e.Do("GET", "/openapi.json", "", nil).MustOK(t)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Title, Version string }
		Paths   map[string]map[string]struct {
			Summary     string
			OperationID string `json:"operationId"`
			Tags        []string
			Description string
			Security    []map[string][]string
			Roles       []string `json:"x-roles"`
			Parameters  []struct{ Name, In string }
			RequestBody *struct {
				Required bool
				Content  map[string]json.RawMessage
			} `json:"requestBody"`
			Responses map[string]json.RawMessage
		}
		Components struct {
			SecuritySchemes map[string]map[string]string `json:"securitySchemes"`
		}
	}
	if err := json.Unmarshal(r.Raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Errorf("header: %q %+v", doc.OpenAPI, doc.Info)
	}
	if doc.Components.SecuritySchemes["bearer"]["scheme"] != "bearer" {
		t.Errorf("no bearer security scheme: %v", doc.Components.SecuritySchemes)
	}
	ids := map[string]bool{}
	count := 0
	for _, rt := range e.Server.Routes() {
		name := rt.Method + " " + rt.Path
		op, ok := doc.Paths[openAPIPath(rt.Path)][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s is missing from /openapi.json", name)
			continue
		}
		count++
		if op.Summary != rt.Summary || len(op.Tags) != 1 || op.Tags[0] != rt.Tag {
			t.Errorf("%s: summary %q tags %v", name, op.Summary, op.Tags)
		}
		if ids[op.OperationID] || op.OperationID == "" {
			t.Errorf("%s: operationId %q is empty or not unique", name, op.OperationID)
		}
		ids[op.OperationID] = true
		if len(rt.Roles) > 0 {
			if len(op.Security) != 1 || op.Security[0]["bearer"] == nil || !slices.Equal(op.Roles, rt.Roles) {
				t.Errorf("%s: security %v, x-roles %v; want bearer and %v", name, op.Security, op.Roles, rt.Roles)
			}
			for _, role := range rt.Roles {
				if !strings.Contains(op.Description, role) {
					t.Errorf("%s: description %q does not name role %s", name, op.Description, role)
				}
			}
			for _, code := range []string{"401", "403"} {
				if op.Responses[code] == nil {
					t.Errorf("%s: no %s answer described", name, code)
				}
			}
		} else if len(op.Security) != 0 {
			t.Errorf("%s is public but its security is %v", name, op.Security)
		}
		for _, m := range regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`).FindAllStringSubmatch(rt.Path, -1) {
			if !slices.ContainsFunc(op.Parameters, func(p struct{ Name, In string }) bool { return p.Name == m[1] && p.In == "path" }) {
				t.Errorf("%s: path parameter %s not declared", name, m[1])
			}
		}
		switch rt.Method {
		case "POST", "PUT", "PATCH":
			if op.RequestBody == nil || len(op.RequestBody.Content) == 0 {
				t.Errorf("%s: no request body described", name)
			}
		default:
			if op.RequestBody != nil && rt.Body == nil {
				t.Errorf("%s: a body for a %s", name, rt.Method)
			}
		}
	}
	if count < 20 {
		t.Errorf("only %d routes checked", count)
	}
	// The details the data routes and the login give.
	sel := doc.Paths["/profile/select"]["post"]
	if sel.RequestBody == nil || !strings.Contains(string(sel.RequestBody.Content["application/json"]), `"where"`) {
		t.Errorf("/profile/select body: %+v", sel.RequestBody)
	}
	if login := doc.Paths["/user/token"]["post"]; login.RequestBody == nil || login.RequestBody.Content["application/x-www-form-urlencoded"] == nil {
		t.Errorf("/user/token is described without its form body")
	}
	if ps := doc.Paths["/profile/{id}/sessions"]["get"].Parameters; !slices.ContainsFunc(ps, func(p struct{ Name, In string }) bool { return p.Name == "limit" && p.In == "query" }) {
		t.Errorf("/profile/{id}/sessions: ?limit= not declared: %v", ps)
	}
}

// TestDocsPage: /docs is a self-contained HTML page listing every route,
// grouped by tag.
func TestDocsPage(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	resp, err := http.Get(e.URL + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	page := string(raw)
	if !strings.HasPrefix(page, "<!doctype html>") || !strings.Contains(page, "</html>") {
		t.Fatalf("/docs is not an HTML page")
	}
	for _, rt := range e.Server.Routes() {
		if !strings.Contains(page, `<span class="path">`+html.EscapeString(openAPIPath(rt.Path))+`</span>`) {
			t.Errorf("/docs lacks %s %s", rt.Method, rt.Path)
		}
		if !strings.Contains(page, `<h2 id="tag-`) || !strings.Contains(page, ">"+html.EscapeString(rt.Tag)+"</h2>") {
			t.Errorf("/docs has no section for tag %q", rt.Tag)
		}
	}
	for _, bad := range []string{"<script", `src="http`, `href="http`, "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("/docs contains %q: it must work offline, on its own", bad)
		}
	}
}
