package ux_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/ux"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestWidgets(t *testing.T) {
	ev := plugin.Event{"id": "e", "type": "page-view", "source": map[string]any{"id": "web"}}
	profile := plugin.Profile{"id": "p-1", "data": map[string]any{"pii": map[string]any{"firstname": "Ann"}}}
	session := plugin.Session{"id": "s-1"}
	cases := []struct {
		name   string
		p      plugin.Plugin
		config plugin.Config
		want   []plugin.UX
	}{
		{"contact popup", ux.RegisterContactPopup(), plugin.Config{"uix_source": "https://cdn.example.com/", "api_url": "https://cdp.example.com",
			"content": "{{ profile@data.pii.firstname }}, leave us your number", "contact_type": "phone", "horizontal_pos": "left",
			"vertical_pos": "top", "event_type": "contact-data", "save_event": false, "dark_theme": true},
			[]plugin.UX{
				{"tag": "link", "props": map[string]any{"rel": "stylesheet", "href": "https://cdn.example.com/uix/contact-popup/index.css"}},
				{"tag": "div", "props": map[string]any{"class": "tracardi-uix-contact-widget", "data-message": "Ann, leave us your number",
					"data-contact-type": "phone", "data-api-url": "https://cdp.example.com", "data-source-id": "web", "data-profile-id": "p-1",
					"data-session-id": "s-1", "data-event-type": "contact-data", "data-theme": "dark", "data-position-horizontal": "left",
					"data-position-vertical": "top", "data-save-event": "no"}},
				{"tag": "script", "props": map[string]any{"src": "https://cdn.example.com/uix/contact-popup/index.js"}},
			}},
		{"cta message", ux.RegisterCTAMessage(), plugin.Config{"message": "Hi {{ profile@data.pii.firstname }}", "cta_button": "Buy", "cta_link": "/sale"},
			[]plugin.UX{
				{"tag": "div", "props": map[string]any{"class": "tracardi-uix-cta-message", "data-title": "", "data-message": "Hi Ann",
					"data-vertical": "bottom", "data-horizontal": "right", "data-auto-hide": 6000.0, "data-cta-button": "Buy",
					"data-cta-link": "/sale", "data-cancel-button": "", "data-border-radius": 2.0, "data-border-shadow": 1.0,
					"data-min-width": 300.0, "data-max-width": 500.0}},
				{"tag": "script", "props": map[string]any{"src": "http://localhost:8686/uix/cta-message/index.js"}},
			}},
		{"generic", ux.RegisterGeneric(), plugin.Config{"uix_source": "https://cdn.example.com/w.js",
			"props": map[string]any{"class": "my-widget", "data-name": "profile@data.pii.firstname", "data-missing": "payload@nothing"}},
			[]plugin.UX{
				{"tag": "div", "props": map[string]any{"class": "my-widget", "data-name": "Ann", "data-missing": nil}},
				{"tag": "script", "props": map[string]any{"src": "https://cdn.example.com/w.js"}},
			}},
		{"question popup", ux.RegisterQuestionPopup(), plugin.Config{"uix_source": "http://localhost:8686", "api_url": "http://localhost:8686",
			"popup_title": "Quick question", "content": "Like it, {{ profile@data.pii.firstname }}?", "left_button_text": "No",
			"right_button_text": "Yes", "event_type": "answer", "popup_lifetime": " 12"},
			[]plugin.UX{
				{"tag": "div", "props": map[string]any{"class": "tracardi-question-widget", "data-api-url": "http://localhost:8686",
					"data-source-id": "web", "data-session-id": "s-1", "data-profile-id": "p-1", "data-left-button-text": "No",
					"data-right-button-text": "Yes", "data-popup-title": "Quick question", "data-content": "Like it, Ann?",
					"data-horizontal-position": "center", "data-vertical-position": "bottom", "data-popup-lifetime": "12",
					"data-theme": "", "data-event-type": "answer", "data-save-event": "yes"}},
				{"tag": "script", "props": map[string]any{"src": "http://localhost:8686/uix/question-popup/index.js"}},
			}},
		{"rating popup", ux.RegisterRatingPopup(), plugin.Config{"uix_source": "http://localhost:8686", "api_url": "http://localhost:8686",
			"title": nil, "message": "Rate us", "event_type": "rating", "lifetime": "6", "horizontal_position": "right"},
			[]plugin.UX{
				{"tag": "div", "props": map[string]any{"class": "tracardi-uix-rating-widget", "data-position-vertical": "bottom",
					"data-position-horizontal": "right", "data-title": "", "data-message": "Rate us", "data-event-type": "rating",
					"data-api-url": "http://localhost:8686", "data-theme": "", "data-auto-hide": "6", "data-source-id": "web",
					"data-profile-id": "p-1", "data-session-id": "s-1", "data-save-event": "yes"}},
				{"tag": "script", "props": map[string]any{"src": "http://localhost:8686/uix/rating_popup/index.js"}},
			}},
		{"snackbar", ux.RegisterSnackbar(), plugin.Config{"message": "Thanks {{ profile@data.pii.firstname }}", "type": "info", "hide_after": "3000"},
			[]plugin.UX{
				{"tag": "div", "props": map[string]any{"class": "tracardi-uix-snackbar", "data-type": "info", "data-message": "Thanks Ann",
					"data-vertical": "bottom", "data-horizontal": "center", "data-auto-hide": "3000"}},
				{"tag": "script", "props": map[string]any{"src": "http://localhost:8686/uix/snackbar/index.js"}},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := plugintest.Run(t, c.p, plugintest.Case{Config: c.config, Event: ev, Profile: profile, Session: session, Payload: plugin.Payload{"a": 1.0}})
			if got := out.MustPort(t, "payload"); got["a"] != 1.0 {
				t.Errorf("payload = %v", got)
			}
			if !reflect.DeepEqual(out.State.UX, c.want) {
				t.Errorf("ux = %v\nwant %v", out.State.UX, c.want)
			}
		})
	}
	// A profile-less event: the ids are null.
	out := plugintest.Run(t, ux.RegisterRatingPopup(), plugintest.Case{Config: plugin.Config{"uix_source": "u", "api_url": "a", "message": "m", "event_type": "e"}, Event: ev})
	if props := out.State.UX[0]["props"].(map[string]any); props["data-profile-id"] != nil || props["data-session-id"] != nil {
		t.Errorf("profile-less: %v", props)
	}
}

func TestWidgetErrors(t *testing.T) {
	contact := plugin.Config{"uix_source": "u", "api_url": "a", "content": "c", "event_type": "e"}
	with := func(c plugin.Config, k string, v any) plugin.Config {
		out := plugin.Config{}
		for kk, vv := range c {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	plugintest.SetUpFails(t, ux.RegisterContactPopup(), with(contact, "content", nil), "content")
	plugintest.SetUpFails(t, ux.RegisterContactPopup(), with(contact, "event_type", " "), "event_type")
	plugintest.SetUpFails(t, ux.RegisterContactPopup(), with(contact, "uix_source", ""), "uix_source")
	plugintest.SetUpFails(t, ux.RegisterContactPopup(), with(contact, "contact_type", "fax"), "contact_type")
	plugintest.SetUpFails(t, ux.RegisterCTAMessage(), plugin.Config{"message": "m", "cta_button": ""}, "cta_button")
	plugintest.SetUpFails(t, ux.RegisterCTAMessage(), plugin.Config{"message": "", "cta_button": "b"}, "message")
	plugintest.SetUpFails(t, ux.RegisterGeneric(), plugin.Config{"uix_source": "https://cdn.example.com/w.css"}, "uix_source")
	plugintest.SetUpFails(t, ux.RegisterGeneric(), plugin.Config{"uix_source": nil, "props": map[string]any{}}, "uix_source")
	question := plugin.Config{"uix_source": "u", "api_url": "a", "content": "c", "event_type": "e", "left_button_text": "l", "right_button_text": "r"}
	plugintest.SetUpFails(t, ux.RegisterQuestionPopup(), with(question, "popup_lifetime", "six"), "popup_lifetime")
	plugintest.SetUpFails(t, ux.RegisterQuestionPopup(), with(question, "right_button_text", nil), "right_button_text")
	plugintest.SetUpFails(t, ux.RegisterRatingPopup(), plugin.Config{"uix_source": "u", "api_url": "a", "message": "m", "event_type": "e", "lifetime": "-1"}, "lifetime")
	plugintest.SetUpFails(t, ux.RegisterSnackbar(), plugin.Config{"message": "m", "type": "fatal"}, "type")
	plugintest.SetUpFails(t, ux.RegisterSnackbar(), plugin.Config{"message": "m", "hide_after": "soon"}, "hide_after")

	// A message reference that finds nothing stops the node and says which.
	out := plugintest.Run(t, ux.RegisterSnackbar(), plugintest.Case{Config: plugin.Config{"message": "Hi {{ profile@data.pii.firstname }}"}, Profile: plugin.Profile{"id": "p"}})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "profile@data.pii.firstname") || len(out.State.UX) != 0 {
		t.Fatalf("missing reference: %v, ux %v", out.Err, out.State.UX)
	}
}
