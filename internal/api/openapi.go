package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Body describes a route's request body for the API document. Without one,
// GET and DELETE routes take no body and the others a JSON object.
type Body struct {
	ContentType string         // default application/json
	Description string         // what the body holds
	Schema      map[string]any // a JSON Schema (the OpenAPI 3.0 dialect)
	Example     any
	Optional    bool // the body may be left out
}

func (s *Server) docRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/openapi.json", Tag: "documentation", Summary: "This API as an OpenAPI 3 document, generated from the route table", Answer: jsonAnswer("OpenAPI"), handle: s.handleOpenAPI},
		{Method: "GET", Path: "/docs", Tag: "documentation", Summary: "This API as a page to read (HTML rendered from /openapi.json)", Answer: &Answer{ContentType: "text/html; charset=utf-8", Schema: sStr, Description: "An HTML page."}, handle: s.handleDocs},
	}
}

// openAPI builds the document once (the route table does not change).
func (s *Server) openAPI() map[string]any {
	s.docOnce.Do(func() { s.doc = buildOpenAPI(s.routes) })
	return s.doc
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.openAPI())
	return nil
}

var (
	pathParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)
)

// openAPIPath turns a net/http pattern path into an OpenAPI path: {name...}
// becomes {name}, and {$} (the exact-match marker) goes.
func openAPIPath(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	return pathParam.ReplaceAllString(p, "{$1}")
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// errorSchema is the JSON of every error answer.
var errorSchema = map[string]any{
	"type":     "object",
	"required": []string{"detail"},
	"properties": map[string]any{
		"detail": map[string]any{"type": "string", "description": "What was wrong, in words."},
		"errors": map[string]any{"type": "array", "description": "One entry per wrong field, when fields were wrong (422): field is a dot path into the input " +
			"(roles[1], where, events[0].type; empty for the input as a whole). The errors of a flow also name the node (nodeId) or edge (edgeId).",
			"items": map[string]any{"type": "object", "required": []string{"message"}, "properties": map[string]any{
				"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
				"nodeId": map[string]any{"type": "string"}, "edgeId": map[string]any{"type": "string"}}}},
	},
}

func errorResponse(desc string) map[string]any {
	return map[string]any{"description": desc,
		"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
}

// buildOpenAPI makes the OpenAPI 3 document of a route table.
func buildOpenAPI(routes []Route) map[string]any {
	paths := map[string]any{}
	var tags []string
	for _, rt := range routes {
		p := openAPIPath(rt.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		if rt.Tag != "" && !slices.Contains(tags, rt.Tag) {
			tags = append(tags, rt.Tag)
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"responses":   responses(rt),
		}
		if rt.Tag != "" {
			op["tags"] = []string{rt.Tag}
		}
		if len(rt.Roles) > 0 {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["description"] = "Roles: " + strings.Join(rt.Roles, ", ") + "."
			op["x-roles"] = rt.Roles
		} else {
			op["security"] = []any{}
			op["description"] = "Public: no token needed."
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			t := q.Type
			if t == "" {
				t = "string"
			}
			param := map[string]any{"name": q.Name, "in": "query", "required": q.Required, "schema": map[string]any{"type": t}}
			if q.Description != "" {
				param["description"] = q.Description
			}
			params = append(params, param)
		}
		if params != nil {
			op["parameters"] = params
		}
		if body := requestBody(rt); body != nil {
			op["requestBody"] = body
		}
		item[strings.ToLower(rt.Method)] = op
	}
	tagList := make([]any, len(tags))
	for i, t := range tags {
		tagList[i] = map[string]any{"name": t}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Tracflow API",
			"version": version(),
			"description": "The collector (/track, /collect) and the management API of Tracflow. Management routes need a bearer token " +
				"from POST /user/token and one of the roles their description names: without a token they answer 401, with a role " +
				"not named 403. Errors are JSON: {\"detail\": \"...\", \"errors\": [{\"field\", \"message\"}]}.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas":         componentSchemas(),
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "A token from POST /user/token."}},
		},
	}
}

func operationID(rt Route) string {
	id := strings.ToLower(rt.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_", "$", "").Replace(rt.Path)
	return strings.TrimSuffix(id, "_")
}

func requestBody(rt Route) map[string]any {
	b := rt.Body
	if b == nil {
		switch rt.Method {
		case "GET", "DELETE", "HEAD", "OPTIONS":
			return nil
		}
		b = &Body{Schema: map[string]any{"type": "object"}}
	}
	ct := b.ContentType
	if ct == "" {
		ct = "application/json"
	}
	media := map[string]any{}
	if b.Schema != nil {
		media["schema"] = b.Schema
	}
	if b.Example != nil {
		media["example"] = b.Example
	}
	out := map[string]any{"required": !b.Optional, "content": map[string]any{ct: media}}
	if b.Description != "" {
		out["description"] = b.Description
	}
	return out
}

func responses(rt Route) map[string]any {
	a := rt.Answer
	if a == nil {
		a = &Answer{Schema: map[string]any{"type": "object"}}
	}
	status, ct, desc := a.Status, a.ContentType, a.Description
	if status == 0 {
		status = http.StatusOK
	}
	if ct == "" {
		ct = "application/json"
	}
	if desc == "" {
		desc = "Done."
	}
	media := map[string]any{}
	if a.Schema != nil {
		media["schema"] = a.Schema
	}
	out := map[string]any{
		strconv.Itoa(status): map[string]any{"description": desc, "content": map[string]any{ct: media}},
	}
	if requestBody(rt) != nil {
		out["400"] = errorResponse("The body is not valid JSON.")
		out["422"] = errorResponse("A field is wrong; errors names it.")
	}
	switch {
	case rt.Tag == "collector" && strings.Contains(rt.Path, "{source_id}") || rt.Path == "/track":
		out["401"] = errorResponse("The event source is unknown or disabled.")
		out["413"] = errorResponse("The body or its number of events is over the limit.")
	case rt.Method == "POST" && rt.Path == "/user/token":
		out["401"] = errorResponse("Wrong e-mail or password, or the account is disabled.")
		out["429"] = errorResponse("Too many failed logins; Retry-After says when to try again.")
	}
	if len(rt.Roles) > 0 {
		out["401"] = errorResponse("No token, or an invalid or expired one.")
		out["403"] = errorResponse("The token's user has none of the route's roles.")
	}
	if strings.Contains(rt.Path, "{") {
		out["404"] = errorResponse("Nothing has that id.")
	}
	return out
}

// docState holds the generated document.
type docState struct {
	docOnce sync.Once
	doc     map[string]any
}

// prettyJSON indents a value for the docs page.
func prettyJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// loginBody is POST /user/token's form (OAuth2's password flow, as Tracardi).
var loginBody = &Body{
	ContentType: "application/x-www-form-urlencoded",
	Description: "The account's e-mail and password. Answers {\"access_token\", \"token_type\": \"bearer\", \"expires_in\", \"roles\"}.",
	Schema: map[string]any{"type": "object", "required": []string{"username", "password"}, "properties": map[string]any{
		"username": map[string]any{"type": "string", "description": "the e-mail"},
		"password": map[string]any{"type": "string", "format": "password"},
	}},
}
