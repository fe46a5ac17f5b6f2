package ux

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

func spec(module, alias, class string, outputs []string, config *plugin.ConfigSpec) plugin.Spec {
	return plugin.Spec{
		Module: "tracflow.ux." + module, Aliases: []string{tracardi + alias}, ClassName: class,
		Inputs: []string{"payload"}, Outputs: outputs, Config: config,
		License: "MIT", Version: "1.0.0", Author: "Tracflow",
	}
}

var consentSpec = plugin.NewConfigSpec().
	Group("Widget configuration", "").
	Field(plugin.NewEnumField("position",
		plugin.Option{Value: "top", Label: "Top"},
		plugin.Option{Value: "bottom", Label: "Bottom"}).Name("Widget position").
		Description("Where the bar shows on the page.").Default("bottom")).
	Field(plugin.NewIntField("expand_height").Name("Widget height").
		Description("The height of the expanded widget, in pixels.").Default(400).Min(0).Max(10000).Prop("label", "Height")).
	Field(plugin.NewBoolField("enabled").Name("Enable widget").
		Description("Only an enabled widget is shown.").Default(true).Prop("label", "Enable")).
	Field(plugin.NewBoolField("always_display").Name("Display even if the customer already set consents").
		Description("Off: the widget is not shown to a profile that already has consents.").Default(true).Prop("label", "Display always")).
	Field(plugin.NewStringField("event_type").Name("Consent event type").
		Description("The event type the widget sends with the customer's choices.").Default("user-consent-pref").Hidden()).
	Field(plugin.NewStringField("agree_all_event_type").Name("Agree-all event type").
		Description("The event type the widget sends when the customer agrees to all.").Default("agree-all-event-type").Hidden()).
	Group("Widget source location", "").
	Field(plugin.NewStringField("uix_source").Name("Widget script location").
		Description("The base URL the widget's script is loaded from: <uix_source>/uix/consent/index.js.").
		Initial("http://localhost:8686").Required().Prop("label", "URL")).
	Field(plugin.NewStringField("endpoint").Name("API endpoint URL").
		Description("The URL the widget sends its events to: this server's /track address.").
		Initial("http://localhost:8686").Required().Prop("label", "URL"))

// Consent shows the consent bar on the page.
type Consent struct {
	plugin.ActionRunner
	position, endpoint, source string
	height                     int
	enabled, always            bool
}

// SetUp reads the config.
func (a *Consent) SetUp(_ context.Context, config plugin.Config) error {
	c, err := consentSpec.Parse(config)
	if err != nil {
		return err
	}
	a.position, a.height = c.String("position"), c.Int("expand_height")
	a.enabled, a.always = c.Bool("enabled"), c.Bool("always_display")
	a.endpoint, a.source = c.String("endpoint"), strings.TrimRight(c.String("uix_source"), "/")
	return nil
}

// Run queues the widget's elements.
func (a *Consent) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if !a.always && a.Profile != nil {
		if c, _ := a.Profile["consents"].(map[string]any); len(c) > 0 {
			return plugin.Port("payload", payload), nil
		}
	}
	if !a.enabled {
		return plugin.Port("payload", payload), nil
	}
	var profileID, sessionID, sourceID any
	if a.Profile != nil {
		profileID = a.Profile.ID()
	}
	if a.Session != nil {
		sessionID = a.Session.ID()
	}
	if src, ok := a.Event["source"].(map[string]any); ok {
		sourceID = src["id"]
	}
	a.UX = append(a.UX,
		plugin.UX{"tag": "div", "props": map[string]any{
			"class": "tracardi-uix-consent", "data-endpoint": a.endpoint, "data-position": a.position,
			"data-expand-height": float64(a.height), "data-profile": profileID, "data-session": sessionID,
			"data-source": sourceID,
		}},
		plugin.UX{"tag": "script", "props": map[string]any{"src": a.source + "/uix/consent/index.js"}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterConsent describes the Show consent bar plugin.
func RegisterConsent() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &Consent{} },
		Spec: spec("consent", "ux.consent.plugin", "ConsentUx", []string{"payload"}, consentSpec),
		MetaData: plugin.MetaData{
			Name: "Show consent bar", Desc: "Shows a consent pop-up on the page.", Type: "flowNode", Icon: "react",
			Group: []string{"UIX Widgets"}, Tags: []string{"consent", "widget", "ux"}, Purpose: []string{"collection"},
			Frontend: true,
			Documentation: &plugin.Documentation{
				Tutorial: "Adds two elements to the tracker's answer (`ux`): a `div` of class " +
					"`tracardi-uix-consent` whose data- attributes carry the endpoint, position, height and the " +
					"profile, session and source ids, and a `script` loading `<uix_source>/uix/consent/index.js`, " +
					"Tracardi's consent micro front end (serve it yourself or from a CDN). The tracker adds both " +
					"to the page. A disabled widget adds nothing; with always_display off, neither does a " +
					"profile that already has consents.",
				Inputs:  map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{"payload": {Desc: "The input payload, unchanged."}},
			},
		},
	}
}

var customJSSpec = plugin.NewConfigSpec().
	Group("Script tag", "").
	Field(plugin.NewJSONField("attributes").Name("Script attributes").
		Description("The script tag's attributes as a JSON object, e.g. {\"src\": \"https://example.com/a.js\", \"async\": \"true\"}.").
		Default("{}").Component("json", map[string]any{"label": "Attributes"})).
	Field(plugin.NewStringField("content").Name("Script content").
		Description("The JavaScript the tag holds; empty for a tag that loads its src.").
		Default("").Component("textarea", map[string]any{"label": "Javascript"}))

// CustomJS adds a script tag to the page.
type CustomJS struct {
	plugin.ActionRunner
	attrs   map[string]any
	content string
}

// SetUp reads the attributes (JSON text or an object) and the content.
func (a *CustomJS) SetUp(_ context.Context, config plugin.Config) error {
	c, err := customJSSpec.Parse(config)
	if err != nil {
		return err
	}
	v := c.Any("attributes")
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			s = "{}"
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return plugin.FieldErr("attributes", "Could not parse invalid JSON object: %v", err)
		}
	}
	m, ok := v.(map[string]any)
	if v != nil && !ok {
		return plugin.FieldErr("attributes", "must be a JSON object of attribute names and values")
	}
	if m == nil {
		m = map[string]any{}
	}
	a.attrs, a.content = m, c.String("content")
	return nil
}

// Run queues the script tag.
func (a *CustomJS) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	props := make(map[string]any, len(a.attrs))
	for k, v := range a.attrs {
		props[k] = v
	}
	a.UX = append(a.UX, plugin.UX{"tag": "script", "props": props, "content": a.content})
	return plugin.Port("response", payload), nil
}

// RegisterCustomJS describes the Javascript tag plugin.
func RegisterCustomJS() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &CustomJS{} },
		Spec: spec("custom_js", "ux.custom_js.plugin", "GenericJsScriptPlugin", []string{"response", "error"}, customJSSpec),
		MetaData: plugin.MetaData{
			Name: "Javascript tag", Desc: "Adds a script tag of your own to the page.", Type: "flowNode", Icon: "javascript",
			Group: []string{"UIX Widgets"}, Tags: []string{"javascript", "script", "ux"}, Purpose: []string{"collection"},
			Frontend: true,
			Documentation: &plugin.Documentation{
				Tutorial: "Adds `{\"tag\": \"script\", \"props\": <attributes>, \"content\": <content>}` to the " +
					"tracker's answer (`ux`); the tracker appends the script to the page, where it runs. The " +
					"attributes are checked when the flow loads: text that is not a JSON object is a config error.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "The input payload, unchanged."},
					"error":    {Desc: "Never fires: bad attributes are refused when the flow loads (kept for Tracardi's flows)."},
				},
			},
		},
	}
}
