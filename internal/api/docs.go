package api

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"strings"
)

// The /docs page: the OpenAPI document rendered on the server as plain
// HTML and CSS (no script, nothing fetched from elsewhere), one section per
// tag in the order of the route table.

type docsPage struct {
	Title       string
	Version     string
	Description string
	Tags        []docsTag
}

type docsTag struct {
	Name   string
	Anchor string
	Ops    []docsOp
}

type docsOp struct {
	Method    string
	Path      string
	Anchor    string
	Summary   string
	Access    string
	Public    bool
	Params    []docsParam
	BodyType  string
	BodyDesc  string
	Schema    string
	Example   string
	Responses []docsResponse
}

type docsParam struct{ Name, In string }

type docsResponse struct{ Code, Description string }

func (s *Server) docsPage() docsPage {
	doc := s.openAPI()
	info := doc["info"].(map[string]any)
	page := docsPage{Title: info["title"].(string), Version: info["version"].(string), Description: info["description"].(string)}
	paths := doc["paths"].(map[string]any)
	index := map[string]int{}
	for _, rt := range s.routes {
		p := openAPIPath(rt.Path)
		op, _ := paths[p].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		if op == nil {
			continue
		}
		tag := "other"
		if tags, _ := op["tags"].([]string); len(tags) > 0 {
			tag = tags[0]
		}
		i, ok := index[tag]
		if !ok {
			i = len(page.Tags)
			index[tag] = i
			page.Tags = append(page.Tags, docsTag{Name: tag, Anchor: "tag-" + anchor(tag)})
		}
		d := docsOp{Method: rt.Method, Path: p, Anchor: operationID(rt), Summary: str(op["summary"]), Access: str(op["description"])}
		d.Public = len(rt.Roles) == 0
		if params, _ := op["parameters"].([]any); params != nil {
			for _, x := range params {
				m := x.(map[string]any)
				d.Params = append(d.Params, docsParam{Name: str(m["name"]), In: str(m["in"])})
			}
		}
		if body, _ := op["requestBody"].(map[string]any); body != nil {
			d.BodyDesc = str(body["description"])
			for ct, media := range body["content"].(map[string]any) {
				d.BodyType = ct
				m := media.(map[string]any)
				if sc, ok := m["schema"]; ok {
					d.Schema = prettyJSON(sc)
				}
				if ex, ok := m["example"]; ok {
					d.Example = prettyJSON(ex)
				}
			}
		}
		resp := op["responses"].(map[string]any)
		codes := make([]string, 0, len(resp))
		for c := range resp {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for _, c := range codes {
			r := resp[c].(map[string]any)
			desc := str(r["description"])
			if content, _ := r["content"].(map[string]any); strings.HasPrefix(c, "2") {
				// Name what the answer is: its schema and content type.
				for ct, media := range content {
					name := ct
					if sc, _ := media.(map[string]any)["schema"].(map[string]any); sc != nil && str(sc["$ref"]) != "" {
						name = strings.TrimPrefix(str(sc["$ref"]), "#/components/schemas/") + ", " + ct
					}
					desc += " (" + name + ")"
				}
			}
			d.Responses = append(d.Responses, docsResponse{Code: c, Description: desc})
		}
		page.Tags[i].Ops = append(page.Tags[i].Ops, d)
	}
	return page
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func anchor(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}

func (s *Server) handleDocs(w http.ResponseWriter, r *http.Request) error {
	var b bytes.Buffer
	if err := docsTemplate.Execute(&b, s.docsPage()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b.Bytes())
	return err
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}}</title>
<style>
:root { --bg: #fff; --fg: #1d2330; --muted: #5b6475; --line: #dde1e8; --card: #f7f8fa; --code: #eef1f5;
  --get: #1f7a4d; --post: #1f5fa8; --delete: #b3261e; --put: #8a5a00; --patch: #6b3fa0; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e4e7ec; --muted: #9aa3b2; --line: #2c323c; --card: #1b1f26; --code: #232933;
    --get: #4cc38a; --post: #6ea8ff; --delete: #ff7b72; --put: #e3b341; --patch: #c297ff; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: inherit; }
header { padding: 1.5rem 2rem; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
header p { margin: .25rem 0; color: var(--muted); max-width: 60rem; }
.layout { display: grid; grid-template-columns: 15rem 1fr; }
nav { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; padding: 1rem 1.5rem; border-right: 1px solid var(--line); }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li { margin: .2rem 0; }
nav a { text-decoration: none; color: var(--muted); }
nav a:hover, nav a:focus { color: var(--fg); text-decoration: underline; }
main { padding: 1rem 2rem 4rem; min-width: 0; }
h2 { margin: 2rem 0 .75rem; font-size: 1.25rem; text-transform: capitalize; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
.op { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: .75rem 0; padding: .75rem 1rem; }
.op h3 { margin: 0; font-size: 1rem; display: flex; gap: .75rem; align-items: baseline; flex-wrap: wrap; }
.method { font: 700 .75rem/1 ui-monospace, SFMono-Regular, Menlo, monospace; padding: .3rem .5rem; border-radius: 4px; color: #fff; min-width: 4.2rem; text-align: center; }
.GET { background: var(--get); } .POST { background: var(--post); } .DELETE { background: var(--delete); } .PUT { background: var(--put); } .PATCH { background: var(--patch); }
.path { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.summary { margin: .5rem 0 .25rem; }
.access { font-size: .85rem; color: var(--muted); }
.pill { display: inline-block; font-size: .72rem; font-weight: 600; padding: .05rem .45rem; border-radius: 999px; border: 1px solid var(--line); margin-right: .35rem; }
.pill.open { color: var(--get); border-color: var(--get); } .pill.locked { color: var(--post); border-color: var(--post); }
details { margin-top: .5rem; }
summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; font-size: .9rem; }
dt { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
dd { margin: 0; color: var(--muted); }
pre { background: var(--code); padding: .6rem .8rem; border-radius: 6px; overflow: auto; font-size: .82rem; }
h4 { margin: .75rem 0 .25rem; font-size: .9rem; }
footer { color: var(--muted); font-size: .85rem; margin-top: 3rem; }
@media (max-width: 760px) { .layout { grid-template-columns: 1fr; } nav { position: static; max-height: none; border-right: 0; border-bottom: 1px solid var(--line); } main { padding: 1rem; } header { padding: 1rem; } }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p>Version {{.Version}} · <a href="/openapi.json">OpenAPI document</a></p>
<p>{{.Description}}</p>
</header>
<div class="layout">
<nav aria-label="Sections"><ul>{{range .Tags}}<li><a href="#{{.Anchor}}">{{.Name}}</a> ({{len .Ops}})</li>{{end}}</ul></nav>
<main>
{{range .Tags}}<section id="{{.Anchor}}" aria-labelledby="{{.Anchor}}-h">
<h2 id="{{.Anchor}}-h">{{.Name}}</h2>
{{range .Ops}}<article class="op" id="{{.Anchor}}">
<h3><span class="method {{.Method}}">{{.Method}}</span><span class="path">{{.Path}}</span></h3>
<p class="summary">{{.Summary}}</p>
<p class="access">{{if .Public}}<span class="pill open">public</span>{{else}}<span class="pill locked">bearer token</span>{{end}}{{.Access}}</p>
{{if or .Params .BodyType}}<details><summary>Parameters{{if .BodyType}} and body{{end}}</summary>
{{if .Params}}<dl>{{range .Params}}<dt>{{.Name}}</dt><dd>in {{.In}}</dd>{{end}}</dl>{{end}}
{{if .BodyType}}<h4>Body: {{.BodyType}}</h4>{{if .BodyDesc}}<p>{{.BodyDesc}}</p>{{end}}
{{if .Example}}<p>Example:</p><pre>{{.Example}}</pre>{{end}}{{if .Schema}}<p>Schema:</p><pre>{{.Schema}}</pre>{{end}}{{end}}
</details>{{end}}
<details><summary>Answers</summary><dl>{{range .Responses}}<dt>{{.Code}}</dt><dd>{{.Description}}</dd>{{end}}</dl></details>
</article>
{{end}}</section>
{{end}}
<footer>Generated by the server from its route table; the same data as <a href="/openapi.json">/openapi.json</a>.</footer>
</main>
</div>
</body>
</html>
`))
