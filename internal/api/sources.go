package api

import "github.com/tracflow/tracflow/internal/catalog"

// sourceBody is POST /event-source's body: an event source.
var sourceBody = &Body{
	Description: "The event source. Answers the stored source, with its id and its allowed_origins in canonical form.",
	Schema: map[string]any{"type": "object", "required": []string{"name"}, "properties": map[string]any{
		"id":          map[string]any{"type": "string", "description": "the public key sites send with their events; generated when empty"},
		"name":        map[string]any{"type": "string"},
		"description": map[string]any{"type": "string"},
		"type":        map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "default": []string{"rest"}},
		"enabled":     map[string]any{"type": "boolean", "default": true, "description": "a disabled source's events are refused (401)"},
		"tags":        map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		"unknown_profile": map[string]any{"type": "string", "enum": []string{catalog.UnknownProfileAdopt, catalog.UnknownProfileReplace}, "default": catalog.UnknownProfileAdopt,
			"description": "What a profile id the server does not know becomes: adopt creates the profile with that id; replace creates one with a new id."},
		"allowed_origins": map[string]any{"type": "array", "maxItems": catalog.MaxAllowedOrigins, "default": []string{},
			"items": map[string]any{"type": "string", "example": "https://shop.example.com"},
			"description": "Origins of the web pages that may send this source's events from a browser: scheme://host[:port], " +
				"\"https://*.example.com\" for every sub-domain, or \"*\" for any origin. Empty (the default) admits any origin. " +
				"A page of another origin gets 403; requests without an Origin header (servers) are not checked."},
	}},
	Example: map[string]any{"id": "shop-web", "name": "Shop web site", "type": []string{"rest"}, "enabled": true,
		"allowed_origins": []string{"https://shop.example.com", "https://*.shop.example.com"}},
}
