// Package destinations sends profile and event data to other systems
// (Tracardi's destinations). A destination is a configuration document:
//
//	{id, name, description, destination: {package: "webhook", init: {url, method, headers, timeout}},
//	 resource: {id}, condition (TQL), mapping, on_profile_change_only, event_type, source,
//	 enabled, tags, max_attempts}
//
// After the collector commits a request, each event is matched against the
// enabled destinations (source, event type, profile change, condition); the
// mapping of each match is rendered and encoded at once, and handed to a
// background batcher, so that /track never waits for it. The batcher
// stores the deliveries in the delivery log with a job per batch (package
// jobs), in one transaction. A job sends its deliveries at least once, with
// an Idempotency-Key header that stays the same on every try, retrying the
// failed ones with exponential backoff; after max_attempts tries they are
// dead (the job is discarded). Every delivery has a row in the delivery log.
package destinations

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/confdoc"
	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/tql"
)

// Kind is the configuration kind of destination documents.
const Kind = "destination"

// PackageWebhook is the webhook destination kind.
const PackageWebhook = "webhook"

// Defaults and bounds.
const (
	DefaultMaxAttempts = 10
	MaxMaxAttempts     = 100
	DefaultTimeout     = 10 * time.Second
	MaxTimeout         = 60 * time.Second
)

// defaultMapping is what a destination without a mapping sends.
var defaultMapping = map[string]any{"profile": "profile@", "event": "event@"}

// compiled is a destination ready to match events.
type compiled struct {
	id, name       string
	sourceID       string // "" any
	eventTypes     map[string]bool
	profileChange  bool
	cond           *tql.Condition // nil: always
	mapping        *notation.Reshape
	mappingKey     string // the mapping, encoded: equal for equal mappings
	maxAttempts    int
	enabled        bool
	webhookMethod  string
	webhookURL     string
	webhookTimeout time.Duration
	doc            store.Doc // as stored
}

// invalid is the error for one bad field.
var invalid = confdoc.Invalid

// Normalize checks a destination document and answers it as stored: with
// an id, defaults filled in. Every error names the field.
func Normalize(d store.Doc) (store.Doc, error) {
	out, err := confdoc.Copy(d, "a destination")
	if err != nil {
		return nil, err
	}
	id, _ := d["id"].(string)
	if v, ok := d["id"]; ok && v != nil {
		if _, isStr := v.(string); !isStr {
			return nil, invalid("id", "expected a string")
		}
	}
	if strings.TrimSpace(id) == "" {
		id = domain.NewID()
	}
	out["id"] = id
	if name, _ := d["name"].(string); strings.TrimSpace(name) == "" {
		return nil, invalid("name", "is required")
	}
	if v, ok := d["description"]; ok && v != nil {
		if _, isStr := v.(string); !isStr {
			return nil, invalid("description", "expected a string")
		}
	}
	if err := confdoc.Bool(d, out, "enabled", true); err != nil {
		return nil, err
	}
	if err := confdoc.Bool(d, out, "on_profile_change_only", false); err != nil {
		return nil, err
	}
	if err := confdoc.Tags(d, out); err != nil {
		return nil, err
	}
	if _, err := compile(out); err != nil {
		return nil, err
	}
	return out, nil
}

// refID reads {id} or a plain string.
func refID(d store.Doc, key string) (string, error) {
	switch v := d[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case map[string]any:
		id, ok := v["id"].(string)
		if v["id"] != nil && !ok {
			return "", invalid(key+".id", "expected a string")
		}
		return id, nil
	}
	return "", invalid(key, `expected {"id": "..."}`)
}

func compile(d store.Doc) (*compiled, error) {
	c := &compiled{id: domain.Str(d, "id"), name: domain.Str(d, "name"), eventTypes: map[string]bool{}, doc: d}
	c.enabled, _ = d["enabled"].(bool)
	c.profileChange, _ = d["on_profile_change_only"].(bool)
	var err error
	if c.sourceID, err = refID(d, "source"); err != nil {
		return nil, err
	}
	// event_type: {id}, a string, or a list of either; empty: every type.
	switch v := d["event_type"].(type) {
	case []any:
		for i, x := range v {
			id, err := refID(map[string]any{"x": x}, "x")
			if err != nil {
				return nil, invalid(fmt.Sprintf("event_type[%d]", i), `expected a string or {"id": "..."}`)
			}
			if id != "" {
				c.eventTypes[id] = true
			}
		}
	default:
		id, err := refID(d, "event_type")
		if err != nil {
			return nil, err
		}
		if id != "" {
			c.eventTypes[id] = true
		}
	}
	if s, ok := d["condition"].(string); ok && strings.TrimSpace(s) != "" {
		if c.cond, err = tql.Parse(s); err != nil {
			return nil, invalid("condition", err.Error())
		}
		// A condition that reads now() is fine: it is evaluated at the time of the event.
	} else if v, ok := d["condition"]; ok && v != nil && !isEmptyString(v) {
		return nil, invalid("condition", "expected a TQL condition (a string)")
	}
	m := d["mapping"]
	if m == nil || notation.IsEmpty(m) {
		m = defaultMapping
	}
	switch m.(type) {
	case map[string]any, string, []any:
	default:
		return nil, invalid("mapping", "expected an object (keys to values or references such as profile@traits.email) or a reference")
	}
	if c.mapping, err = notation.CompileReshape(m); err != nil {
		return nil, invalid("mapping", err.Error())
	}
	if b, err := json.Marshal(m); err == nil {
		c.mappingKey = string(b)
	} else {
		c.mappingKey = c.id // not shared
	}
	c.maxAttempts = DefaultMaxAttempts
	if v, ok := d["max_attempts"]; ok && v != nil {
		f, isNum := v.(float64)
		if !isNum || f != float64(int(f)) || f < 1 || f > MaxMaxAttempts {
			return nil, invalid("max_attempts", fmt.Sprintf("expected a whole number from 1 to %d", MaxMaxAttempts))
		}
		c.maxAttempts = int(f)
	}
	if _, err := refID(d, "resource"); err != nil {
		return nil, err
	}
	dest, ok := d["destination"].(map[string]any)
	if !ok {
		return nil, invalid("destination", `is required: {"package": "webhook", "init": {"url": "https://..."}}`)
	}
	pkg, _ := dest["package"].(string)
	if pkg != PackageWebhook {
		return nil, invalid("destination.package", fmt.Sprintf("unknown destination kind %q: this server knows %q", pkg, PackageWebhook))
	}
	init, _ := dest["init"].(map[string]any)
	if init == nil {
		return nil, invalid("destination.init", "is required: {\"url\": \"https://...\"}")
	}
	raw, _ := init["url"].(string)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalid("destination.init.url", "expected an http:// or https:// address")
	}
	c.webhookURL = raw
	c.webhookMethod = "POST"
	if m, ok := init["method"].(string); ok && m != "" {
		m = strings.ToUpper(m)
		switch m {
		case "POST", "PUT", "PATCH":
		default:
			return nil, invalid("destination.init.method", "expected POST, PUT or PATCH")
		}
		c.webhookMethod = m
	}
	if h, ok := init["headers"]; ok && h != nil {
		hm, isMap := h.(map[string]any)
		if !isMap {
			return nil, invalid("destination.init.headers", "expected an object of header names to strings")
		}
		for k, v := range hm {
			if _, isStr := v.(string); !isStr || k == "" || strings.ContainsAny(k, " :\r\n") {
				return nil, invalid("destination.init.headers."+k, "expected a header name and a string value")
			}
		}
	}
	c.webhookTimeout = DefaultTimeout
	if v, ok := init["timeout"]; ok && v != nil {
		f, isNum := v.(float64)
		if !isNum || f <= 0 || time.Duration(f*float64(time.Second)) > MaxTimeout {
			return nil, invalid("destination.init.timeout", fmt.Sprintf("expected seconds, above 0 and at most %d", int(MaxTimeout.Seconds())))
		}
		c.webhookTimeout = time.Duration(f * float64(time.Second))
	}
	return c, nil
}

func isEmptyString(v any) bool { s, ok := v.(string); return ok && strings.TrimSpace(s) == "" }

// matches says whether an event goes to the destination.
func (c *compiled) matches(ev, profile, session map[string]any, profileChanged bool, now time.Time) bool {
	if !c.enabled {
		return false
	}
	if c.sourceID != "" && domain.Str(ev, "source", "id") != c.sourceID {
		return false
	}
	if len(c.eventTypes) > 0 && !c.eventTypes[domain.Str(ev, "type")] {
		return false
	}
	if c.profileChange && !profileChanged {
		return false
	}
	if c.cond != nil {
		ok, err := c.cond.EvalAt(&notation.Scope{Event: ev, Profile: profile, Session: session}, now)
		if err != nil || !ok {
			return false
		}
	}
	return true
}
