// Package scrapper holds the XPath HTML scrapper, in the palette group
// "Data processing" as in Tracardi.
package scrapper

import (
	"context"
	"fmt"
	"strings"

	"github.com/antchfx/htmlquery"
	"github.com/antchfx/xpath"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

const tracardi = "tracardi.process_engine.action.v1."

// maxContent bounds the HTML one run parses.
const maxContent = 16 << 20

// XPath reads data out of HTML with an XPath expression.
type XPath struct {
	plugin.ActionRunner
	src     string
	expr    *xpath.Expr
	content dotpath.Value
}

var xpathSpec = plugin.NewConfigSpec().
	Group("Scrapper configuration", "").
	Field(plugin.NewStringField("xpath").Name("XPATH to data").
		Description("The XPath 1.0 expression of the data to read, e.g. //title/text(), //a/@href or count(//img).").
		Prop("label", "XPATH").
		Check(func(v any) error {
			if s := v.(string); strings.TrimSpace(s) != "" {
				if _, err := xpath.Compile(s); err != nil {
					return fmt.Errorf("not a valid XPath expression: %w", err)
				}
			}
			return nil
		})).
	Field(plugin.NewValueField("content").Name("Content").
		Description("The HTML: a reference such as payload@body, or the HTML itself.").
		Component("dotPath", map[string]any{"label": "Content"}))

// SetUp compiles the expression. An empty expression (Tracardi's test
// config has one) is reported when the node runs.
func (a *XPath) SetUp(_ context.Context, config plugin.Config) error {
	c, err := xpathSpec.Parse(config)
	if err != nil {
		return err
	}
	a.src, a.content = c.String("xpath"), c.Value("content")
	if strings.TrimSpace(a.src) != "" {
		a.expr, _ = xpath.Compile(a.src)
	}
	return nil
}

// Run sends {"result": data} on result, or the config on error (with a
// warning) when the expression finds nothing.
func (a *XPath) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.expr == nil {
		return nil, fmt.Errorf("xpath: the expression is empty; type one such as //title/text()")
	}
	v, err := a.content.Resolve(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	html, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("content: %s is %s, not HTML text", a.content, dotpath.TypeName(v))
	}
	if len(html) > maxContent {
		return nil, fmt.Errorf("content: the HTML is longer than %d bytes", maxContent)
	}
	var result any
	if strings.TrimSpace(html) != "" {
		doc, err := htmlquery.Parse(strings.NewReader(html))
		if err != nil {
			return nil, fmt.Errorf("content: %w", err)
		}
		result = evaluate(a.expr, htmlquery.CreateXPathNavigator(doc))
	}
	if empty(result) {
		a.Console.Warning("Could not find any data at path '%s'", a.src)
		return plugin.Port("error", plugin.Payload{"xpath": a.src, "content": a.content.String()}), nil
	}
	return plugin.Port("result", plugin.Payload{"result": result}), nil
}

// evaluate runs the expression: a node set gives a list of the nodes'
// values (an attribute's value, a text node's text, an element's text
// content); a number, text or boolean is returned as it is.
func evaluate(expr *xpath.Expr, nav xpath.NodeNavigator) any {
	switch x := expr.Evaluate(nav).(type) {
	case *xpath.NodeIterator:
		list := []any{}
		for x.MoveNext() {
			list = append(list, x.Current().Value())
		}
		return list
	default:
		return x
	}
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	}
	return false
}

// RegisterXPath describes the XPATH HTML Scrapper plugin.
func RegisterXPath() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &XPath{} },
		Spec: plugin.Spec{
			Module: "tracflow.scrapper.xpath", Aliases: []string{tracardi + "scrapper.xpath.plugin"},
			ClassName: "HtmlXpathScrapperAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: xpathSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "XPATH HTML Scrapper", Desc: "Reads data out of HTML with an XPath expression.",
			Type: "flowNode", Icon: "html5", Group: []string{"Data processing"},
			Tags: []string{"html", "xpath", "scrapper"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Config: {\"xpath\": \"//h1/text()\", \"content\": \"payload@body\"}. A node set " +
					"gives a list: //h1/text() the texts, //a/@href the attribute values, //li the text " +
					"content of each element; count(), string() and boolean expressions give their number, " +
					"text or boolean: {\"result\": [\"Title\"]}. When nothing is found (an empty list or text, " +
					"0 or false, or empty HTML) a warning is logged and the error port carries the config: " +
					"{\"xpath\": ..., \"content\": ...}. HTML is parsed as browsers do, so broken markup " +
					"still reads, and a fragment is put in a document (html, head, body): expressions run " +
					"from the document root, so start them with // or /html/body. An empty or invalid expression, or content that is missing or not text, " +
					"stops the flow with an error (an invalid one is refused when the flow is saved).\n\n" +
					"Differences from Tracardi: an element node gives its text content (Tracardi returned " +
					"an object that is not JSON).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the HTML may be read from it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"result\": the data found}."},
					"error":  {Desc: "The config, {\"xpath\": ..., \"content\": ...}, when nothing was found."},
				},
			},
		},
	}
}
