package ux

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// The pop-up widgets: each adds a div whose class and data- attributes
// configure one of Tracardi's micro front ends, and the script tag that
// loads it from <uix_source>/uix/<widget>/index.js; the tracker adds both
// to the page.

// widgetSpec is a widget plugin's spec: Tracardi's module names (with and
// without the leading underscore of its source folder), one payload port.
func widgetSpec(module, class string, config *plugin.ConfigSpec) plugin.Spec {
	return plugin.Spec{
		Module:    "tracflow.ux." + module,
		Aliases:   []string{tracardi + "ux." + module + ".plugin", tracardi + "ux._" + module + ".plugin"},
		ClassName: class, Inputs: []string{"payload"}, Outputs: []string{"payload"}, Config: config,
		License: "MIT", Version: "1.0.0", Author: "Tracflow",
	}
}

func widgetMeta(name, desc, icon, tutorial string, tags ...string) plugin.MetaData {
	return plugin.MetaData{
		Name: name, Desc: desc, Type: "flowNode", Icon: icon, Group: []string{"UIX Widgets"},
		Tags: append(tags, "widget", "ux"), Purpose: []string{"collection"}, Frontend: true,
		Documentation: &plugin.Documentation{
			Tutorial: tutorial,
			Inputs:   map[string]plugin.PortDoc{"payload": {Desc: "Any object; templates may read it as payload@..."}},
			Outputs:  map[string]plugin.PortDoc{"payload": {Desc: "The input payload, unchanged."}},
		},
	}
}

// notBlank is a check for text fields Tracardi requires to be non-empty.
func notBlank(v any) error {
	switch x := v.(type) {
	case string:
		if strings.TrimSpace(x) == "" {
			return errors.New("must not be empty")
		}
	case *dotpath.Template:
		if strings.TrimSpace(x.String()) == "" {
			return errors.New("must not be empty")
		}
	}
	return nil
}

// wholeNumber is a check for Tracardi's numeric text fields.
func wholeNumber(v any) error {
	s, _ := v.(string)
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("type a whole number")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return fmt.Errorf("%q is not a whole number", s)
		}
	}
	return nil
}

// ids returns the event's source, profile and session ids (nil when the
// event has none).
func ids(r *plugin.ActionRunner) (source, profile, session any) {
	if src, ok := r.Event["source"].(map[string]any); ok {
		source = src["id"]
	}
	if r.Profile != nil {
		profile = r.Profile.ID()
	}
	if r.Session != nil {
		session = r.Session.ID()
	}
	return source, profile, session
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func theme(dark bool) string {
	if dark {
		return "dark"
	}
	return ""
}

func source(c *plugin.ParsedConfig, id string) string { return strings.TrimRight(c.String(id), "/") }

var (
	horizontal = []plugin.Option{{Value: "left", Label: "Left"}, {Value: "center", Label: "Center"}, {Value: "right", Label: "Right"}}
	vertical   = []plugin.Option{{Value: "top", Label: "Top"}, {Value: "bottom", Label: "Bottom"}}
)

func uixSourceField(id string) *plugin.FieldSpec {
	return plugin.NewStringField(id).Name("UIX source").Initial("http://localhost:8686").Required().Check(notBlank).Prop("label", "URL").
		Description("The base URL the widget's script is loaded from (this server, or a CDN).")
}

func apiURLField() *plugin.FieldSpec {
	return plugin.NewStringField("api_url").Name("API URL").Initial("http://localhost:8686").Required().Check(notBlank).Prop("label", "API URL").
		Description("The server the widget sends its event to: this server's address.")
}

func eventTypeField(what string) *plugin.FieldSpec {
	return plugin.NewStringField("event_type").Name("Event type").Required().Check(notBlank).
		Description("The type of the event the widget sends back " + what + ".")
}

// ---- Contact popup ----

var contactSpec = plugin.NewConfigSpec().
	Group("Plugin configuration", "").
	Field(uixSourceField("uix_source")).
	Field(apiURLField()).
	Field(plugin.NewTemplateField("content").Name("Popup message").Required().Check(notBlank).Component("textarea", map[string]any{"label": "Message"}).
		Description("The message the popup shows; {{ references }} such as {{ profile@data.pii.firstname }} are filled in.")).
	Field(plugin.NewEnumField("contact_type", plugin.Option{Value: "email", Label: "Email"}, plugin.Option{Value: "phone", Label: "Phone number"}).
		Name("Contact data type").Default("email").Description("What the customer is asked for.")).
	Field(plugin.NewEnumField("horizontal_pos", horizontal...).Name("Horizontal position").Default("center").Description("Where the popup shows, across.")).
	Field(plugin.NewEnumField("vertical_pos", vertical...).Name("Vertical position").Default("bottom").Description("Where the popup shows, up and down.")).
	Field(eventTypeField("with the contact data")).
	Field(plugin.NewBoolField("save_event").Name("Save event").Default(true).Description("Whether the event sent back is stored.")).
	Field(plugin.NewBoolField("dark_theme").Name("Dark theme").Default(false).Description("Dark colours instead of light ones."))

// ContactPopup asks the customer for an e-mail or phone number.
type ContactPopup struct {
	plugin.ActionRunner
	c       *plugin.ParsedConfig
	content *dotpath.Template
}

// SetUp reads the config.
func (a *ContactPopup) SetUp(_ context.Context, config plugin.Config) (err error) {
	a.c, err = contactSpec.Parse(config)
	if err == nil {
		a.content = a.c.Template("content")
	}
	return err
}

// Run queues the popup's elements.
func (a *ContactPopup) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	msg, err := a.content.RenderStrict(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	src, prof, sess := ids(&a.ActionRunner)
	base := source(a.c, "uix_source")
	a.UX = append(a.UX,
		plugin.UX{"tag": "link", "props": map[string]any{"rel": "stylesheet", "href": base + "/uix/contact-popup/index.css"}},
		plugin.UX{"tag": "div", "props": map[string]any{
			"class": "tracardi-uix-contact-widget", "data-message": msg, "data-contact-type": a.c.String("contact_type"),
			"data-api-url": a.c.String("api_url"), "data-source-id": src, "data-profile-id": prof, "data-session-id": sess,
			"data-event-type": a.c.String("event_type"), "data-theme": theme(a.c.Bool("dark_theme")),
			"data-position-horizontal": a.c.String("horizontal_pos"), "data-position-vertical": a.c.String("vertical_pos"),
			"data-save-event": yesNo(a.c.Bool("save_event")),
		}},
		plugin.UX{"tag": "script", "props": map[string]any{"src": base + "/uix/contact-popup/index.js"}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterContactPopup describes the Show contact popup plugin.
func RegisterContactPopup() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &ContactPopup{} },
		Spec: widgetSpec("contact_popup", "ContactPopupPlugin", contactSpec),
		MetaData: widgetMeta("Show contact popup", "Shows a popup that asks the customer for an e-mail address or a phone number.", "react",
			"Adds a stylesheet link, a `div` of class `tracardi-uix-contact-widget` (data- attributes: message, "+
				"contact type, API URL, source, profile and session ids, event type, theme, position, save-event yes/no) "+
				"and a `script` loading `<uix_source>/uix/contact-popup/index.js` to the tracker's answer (`ux`). The "+
				"widget sends the customer's answer as an event of the configured type. A message reference that finds "+
				"nothing stops the node with an error naming it.", "contact", "popup"),
	}
}

// ---- CTA message ----

var ctaSpec = plugin.NewConfigSpec().
	Group("Widget message configuration", "").
	Field(plugin.NewStringField("title").Name("Title").Default("").Description("The title; empty for none.")).
	Field(plugin.NewTemplateField("message").Name("Message before CTA button").Required().Check(notBlank).Component("textarea", map[string]any{"label": "message"}).
		Description("The message shown before the button; {{ references }} are filled in.")).
	Field(plugin.NewStringField("cta_button").Name("CTA button text").Required().Check(notBlank).Description("The call-to-action button's text.")).
	Field(plugin.NewStringField("cta_link").Name("CTA link").Default("").Description("Where the button leads.")).
	Field(plugin.NewStringField("cancel_button").Name("Cancel button text").Default("").Description("The cancel button's text; empty for no cancel button.")).
	Field(plugin.NewIntField("hide_after").Name("Hide message after").Default(6000).Min(0).Description("Milliseconds the message stays visible.")).
	Group("Widget position and width", "").
	Field(plugin.NewEnumField("position_y", vertical...).Name("Vertical position").Default("bottom").Description("Where the message shows, up and down.")).
	Field(plugin.NewEnumField("position_x", horizontal...).Name("Horizontal position").Default("right").Description("Where the message shows, across.")).
	Field(plugin.NewIntField("border_radius").Name("Border radius").Default(2).Min(0).Description("The corners' radius, in pixels.")).
	Field(plugin.NewIntField("border_shadow").Name("Border shadow").Default(1).Min(0).Description("The shadow's depth.")).
	Field(plugin.NewIntField("min_width").Name("Minimal width").Default(300).Min(0).Description("The message's smallest width, in pixels.")).
	Field(plugin.NewIntField("max_width").Name("Maximal width").Default(500).Min(0).Description("The message's largest width, in pixels.")).
	Group("Widget source location", "").
	Field(uixSourceField("uix_mf_source").Default("http://localhost:8686"))

// CTAMessage shows a message with a call-to-action button.
type CTAMessage struct {
	plugin.ActionRunner
	c       *plugin.ParsedConfig
	message *dotpath.Template
}

// SetUp reads the config.
func (a *CTAMessage) SetUp(_ context.Context, config plugin.Config) (err error) {
	a.c, err = ctaSpec.Parse(config)
	if err == nil {
		a.message = a.c.Template("message")
	}
	return err
}

// Run queues the message's elements.
func (a *CTAMessage) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	msg, err := a.message.RenderStrict(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	c := a.c
	a.UX = append(a.UX,
		plugin.UX{"tag": "div", "props": map[string]any{
			"class": "tracardi-uix-cta-message", "data-title": c.String("title"), "data-message": msg,
			"data-vertical": c.String("position_y"), "data-horizontal": c.String("position_x"),
			"data-auto-hide": float64(c.Int("hide_after")), "data-cta-button": c.String("cta_button"), "data-cta-link": c.String("cta_link"),
			"data-cancel-button": c.String("cancel_button"), "data-border-radius": float64(c.Int("border_radius")),
			"data-border-shadow": float64(c.Int("border_shadow")), "data-min-width": float64(c.Int("min_width")),
			"data-max-width": float64(c.Int("max_width")),
		}},
		plugin.UX{"tag": "script", "props": map[string]any{"src": source(c, "uix_mf_source") + "/uix/cta-message/index.js"}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterCTAMessage describes the CTA message plugin.
func RegisterCTAMessage() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &CTAMessage{} },
		Spec: widgetSpec("cta_message", "CtaMessageUx", ctaSpec),
		MetaData: widgetMeta("CTA message", "Shows a message with a call-to-action button on the page.", "react",
			"Adds a `div` of class `tracardi-uix-cta-message` (data- attributes: title, message, position, auto-hide "+
				"milliseconds, button texts and link, border and width) and a `script` loading "+
				"`<uix_mf_source>/uix/cta-message/index.js` to the tracker's answer (`ux`). Differences from Tracardi: "+
				"the message is a template ({{ references }} are filled in).", "cta", "message"),
	}
}

// ---- Generic (custom) widget ----

var genericSpec = plugin.NewConfigSpec().
	Group("Custom widget configuration", "").
	Field(plugin.NewStringField("uix_source").Name("UIX source").Required().Prop("label", "URL").
		Check(func(v any) error {
			if s, _ := v.(string); !strings.HasSuffix(strings.TrimSpace(s), ".js") {
				return errors.New("the widget's file must be a .js file, e.g. https://cdn.example.com/widget/index.js")
			}
			return nil
		}).
		Description("The URL of the widget's JavaScript file (.js).")).
	Field(plugin.NewObjectField("props").Name("Widget props").Default(map[string]any{}).Component("json", map[string]any{"label": "Props"}).
		Description("The attributes of the widget's div, e.g. {\"class\": \"my-widget\", \"data-name\": \"profile@data.pii.firstname\"}; values may be references (one that finds nothing gives null)."))

// Generic adds a widget of your own.
type Generic struct {
	plugin.ActionRunner
	src   string
	props *dotpath.Object
}

// SetUp reads the config and compiles the props.
func (a *Generic) SetUp(_ context.Context, config plugin.Config) error {
	c, err := genericSpec.Parse(config)
	if err != nil {
		return err
	}
	a.src = strings.TrimSpace(c.String("uix_source"))
	if a.props, err = dotpath.CompileObject(c.Object("props"), true); err != nil {
		return plugin.FieldErr("props", "%v", err)
	}
	return nil
}

// Run queues the widget's elements.
func (a *Generic) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	props, err := a.props.Apply(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("props: %w", err)
	}
	a.UX = append(a.UX,
		plugin.UX{"tag": "div", "props": props},
		plugin.UX{"tag": "script", "props": map[string]any{"src": a.src}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterGeneric describes the Custom widget plugin.
func RegisterGeneric() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &Generic{} },
		Spec: widgetSpec("generic", "GenericUixPlugin", genericSpec),
		MetaData: widgetMeta("Custom widget", "Shows a widget of your own: a div with your attributes and your script.", "react",
			"Adds a `div` whose attributes are the props (references filled in) and a `script` loading the .js file "+
				"to the tracker's answer (`ux`); your script finds its div and renders into it.", "custom"),
	}
}

// ---- Question popup ----

var questionSpec = plugin.NewConfigSpec().
	Group("Plugin configuration", "").
	Field(uixSourceField("uix_source")).
	Field(apiURLField()).
	Field(plugin.NewStringField("popup_title").Name("Popup title").Default("").Description("The popup's title; empty for none.")).
	Field(plugin.NewTemplateField("content").Name("Popup content").Required().Check(notBlank).Component("textarea", map[string]any{"label": "Content"}).
		Description("The question; {{ references }} are filled in.")).
	Field(plugin.NewStringField("left_button_text").Name("Left button text").Required().Check(notBlank).
		Description("The left answer; the event sent back carries it when this button is clicked.")).
	Field(plugin.NewStringField("right_button_text").Name("Right button text").Required().Check(notBlank).
		Description("The right answer; the event sent back carries it when this button is clicked.")).
	Field(plugin.NewEnumField("horizontal_pos", horizontal...).Name("Horizontal position").Default("center").Description("Where the popup shows, across.")).
	Field(plugin.NewEnumField("vertical_pos", vertical...).Name("Vertical position").Default("bottom").Description("Where the popup shows, up and down.")).
	Field(eventTypeField("with the answer")).
	Field(plugin.NewBoolField("save_event").Name("Save event").Default(true).Description("Whether the event sent back is stored.")).
	Field(plugin.NewStringField("popup_lifetime").Name("Popup lifetime").Default("6").Check(wholeNumber).Description("Seconds the popup stays.")).
	Field(plugin.NewBoolField("dark_theme").Name("Dark theme").Default(false).Description("Dark colours instead of light ones."))

// QuestionPopup asks the customer a question with two answers.
type QuestionPopup struct {
	plugin.ActionRunner
	c       *plugin.ParsedConfig
	content *dotpath.Template
}

// SetUp reads the config.
func (a *QuestionPopup) SetUp(_ context.Context, config plugin.Config) (err error) {
	a.c, err = questionSpec.Parse(config)
	if err == nil {
		a.content = a.c.Template("content")
	}
	return err
}

// Run queues the popup's elements.
func (a *QuestionPopup) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	content, err := a.content.RenderStrict(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	src, prof, sess := ids(&a.ActionRunner)
	c := a.c
	a.UX = append(a.UX,
		plugin.UX{"tag": "div", "props": map[string]any{
			"class": "tracardi-question-widget", "data-api-url": c.String("api_url"), "data-source-id": src,
			"data-session-id": sess, "data-profile-id": prof, "data-left-button-text": c.String("left_button_text"),
			"data-right-button-text": c.String("right_button_text"), "data-popup-title": c.String("popup_title"),
			"data-content": content, "data-horizontal-position": c.String("horizontal_pos"),
			"data-vertical-position": c.String("vertical_pos"), "data-popup-lifetime": strings.TrimSpace(c.String("popup_lifetime")),
			"data-theme": theme(c.Bool("dark_theme")), "data-event-type": c.String("event_type"),
			"data-save-event": yesNo(c.Bool("save_event")),
		}},
		plugin.UX{"tag": "script", "props": map[string]any{"src": source(c, "uix_source") + "/uix/question-popup/index.js"}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterQuestionPopup describes the Show question popup plugin.
func RegisterQuestionPopup() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &QuestionPopup{} },
		Spec: widgetSpec("question_popup", "QuestionPopupPlugin", questionSpec),
		MetaData: widgetMeta("Show question popup", "Shows a popup with a question and two answer buttons.", "react",
			"Adds a `div` of class `tracardi-question-widget` (data- attributes: API URL, source, profile and session "+
				"ids, button texts, title, content, position, lifetime, theme, event type, save-event yes/no) and a "+
				"`script` loading `<uix_source>/uix/question-popup/index.js` to the tracker's answer (`ux`). The widget "+
				"sends the clicked answer as an event of the configured type. Differences from Tracardi: the title may "+
				"be left empty.", "question", "popup"),
	}
}

// ---- Rating popup ----

var ratingSpec = plugin.NewConfigSpec().
	Group("Plugin configuration", "").
	Field(uixSourceField("uix_source")).
	Field(apiURLField()).
	Field(plugin.NewStringField("title").Name("Title").Default("").Description("The rating popup's title; empty for none.")).
	Field(plugin.NewTemplateField("message").Name("Popup message").Required().Check(notBlank).Component("textarea", map[string]any{"label": "Message"}).
		Description("The message above the stars; {{ references }} are filled in.")).
	Field(plugin.NewEnumField("horizontal_position", horizontal...).Name("Horizontal position").Default("center").Description("Where the popup shows, across.")).
	Field(plugin.NewEnumField("vertical_position", vertical...).Name("Vertical position").Default("bottom").Description("Where the popup shows, up and down.")).
	Field(eventTypeField("with the rating")).
	Field(plugin.NewBoolField("save_event").Name("Save event").Default(true).Description("Whether the event sent back is stored.")).
	Field(plugin.NewStringField("lifetime").Name("Popup lifetime").Default("6").Check(wholeNumber).Description("Seconds the popup stays.")).
	Field(plugin.NewBoolField("dark_theme").Name("Dark theme").Default(false).Description("Dark colours instead of light ones."))

// RatingPopup asks the customer for a rating.
type RatingPopup struct {
	plugin.ActionRunner
	c       *plugin.ParsedConfig
	message *dotpath.Template
}

// SetUp reads the config.
func (a *RatingPopup) SetUp(_ context.Context, config plugin.Config) (err error) {
	a.c, err = ratingSpec.Parse(config)
	if err == nil {
		a.message = a.c.Template("message")
	}
	return err
}

// Run queues the popup's elements.
func (a *RatingPopup) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	msg, err := a.message.RenderStrict(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	src, prof, sess := ids(&a.ActionRunner)
	c := a.c
	a.UX = append(a.UX,
		plugin.UX{"tag": "div", "props": map[string]any{
			"class": "tracardi-uix-rating-widget", "data-position-vertical": c.String("vertical_position"),
			"data-position-horizontal": c.String("horizontal_position"), "data-title": c.String("title"), "data-message": msg,
			"data-event-type": c.String("event_type"), "data-api-url": c.String("api_url"), "data-theme": theme(c.Bool("dark_theme")),
			"data-auto-hide": strings.TrimSpace(c.String("lifetime")), "data-source-id": src, "data-profile-id": prof,
			"data-session-id": sess, "data-save-event": yesNo(c.Bool("save_event")),
		}},
		plugin.UX{"tag": "script", "props": map[string]any{"src": source(c, "uix_source") + "/uix/rating_popup/index.js"}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterRatingPopup describes the Show rating widget plugin.
func RegisterRatingPopup() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &RatingPopup{} },
		Spec: widgetSpec("rating_popup", "RatingPopupPlugin", ratingSpec),
		MetaData: widgetMeta("Show rating widget", "Shows a popup that asks the customer for a rating.", "react",
			"Adds a `div` of class `tracardi-uix-rating-widget` (data- attributes: position, title, message, event "+
				"type, API URL, theme, auto-hide seconds, source, profile and session ids, save-event yes/no) and a "+
				"`script` loading `<uix_source>/uix/rating_popup/index.js` to the tracker's answer (`ux`). The widget "+
				"sends the rating as an event of the configured type. Differences from Tracardi: the title may be "+
				"left empty.", "rating", "popup"),
	}
}

// ---- Snackbar ----

var snackbarSpec = plugin.NewConfigSpec().
	Group("Widget message configuration", "").
	Field(plugin.NewTemplateField("message").Name("Pop-up message").Required().Check(notBlank).Component("textarea", map[string]any{"label": "message"}).
		Description("The message shown on the page; {{ references }} are filled in.")).
	Field(plugin.NewEnumField("type",
		plugin.Option{Value: "error", Label: "Error"}, plugin.Option{Value: "warning", Label: "Warning"},
		plugin.Option{Value: "success", Label: "Success"}, plugin.Option{Value: "info", Label: "Info"}).
		Name("Alert type").Default("success").Description("The kind of message, which sets its colour.")).
	Field(plugin.NewIntField("hide_after").Name("Hide message after").Default(6000).Min(0).Description("Milliseconds the message stays visible.")).
	Field(plugin.NewEnumField("position_y", plugin.Option{Value: "bottom", Label: "Bottom"}, plugin.Option{Value: "top", Label: "Top"}).
		Name("Vertical position").Default("bottom").Description("Where the message shows, up and down.")).
	Field(plugin.NewEnumField("position_x", horizontal...).Name("Horizontal position").Default("center").Description("Where the message shows, across.")).
	Group("Widget source location", "").
	Field(uixSourceField("uix_mf_source").Default("http://localhost:8686"))

// Snackbar shows a short message on the page.
type Snackbar struct {
	plugin.ActionRunner
	c       *plugin.ParsedConfig
	message *dotpath.Template
}

// SetUp reads the config.
func (a *Snackbar) SetUp(_ context.Context, config plugin.Config) (err error) {
	a.c, err = snackbarSpec.Parse(config)
	if err == nil {
		a.message = a.c.Template("message")
	}
	return err
}

// Run queues the snackbar's elements.
func (a *Snackbar) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	msg, err := a.message.RenderStrict(a.Scope(payload))
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	c := a.c
	a.UX = append(a.UX,
		plugin.UX{"tag": "div", "props": map[string]any{
			"class": "tracardi-uix-snackbar", "data-type": c.String("type"), "data-message": msg,
			"data-vertical": c.String("position_y"), "data-horizontal": c.String("position_x"),
			"data-auto-hide": fmt.Sprint(c.Int("hide_after")),
		}},
		plugin.UX{"tag": "script", "props": map[string]any{"src": source(c, "uix_mf_source") + "/uix/snackbar/index.js"}},
	)
	return plugin.Port("payload", payload), nil
}

// RegisterSnackbar describes the Show snack bar plugin.
func RegisterSnackbar() plugin.Plugin {
	return plugin.Plugin{
		New:  func() plugin.Action { return &Snackbar{} },
		Spec: widgetSpec("snackbar", "SnackBarUx", snackbarSpec),
		MetaData: widgetMeta("Show snack bar", "Shows a short message (a snack bar) on the page.", "react",
			"Adds a `div` of class `tracardi-uix-snackbar` (data- attributes: type, message, position, auto-hide "+
				"milliseconds) and a `script` loading `<uix_mf_source>/uix/snackbar/index.js` to the tracker's answer "+
				"(`ux`). Differences from Tracardi: hide_after is a number (Tracardi's default 6000 failed its own "+
				"check, which wanted text).", "snackbar", "message"),
	}
}
