// Package consents keeps consent types (the consents a profile may grant:
// name, description, whether they can be revoked and after how long) and
// edits the consents a profile holds.
//
// A profile's consents are Tracardi's shape: profile["consents"] is an
// object by consent type id, each {"revoke": time or null}. A consent whose
// revoke time has passed is not in force. Tracflow dates both ends:
// "granted" is when the consent was given, and a consent revoked through the
// API keeps its entry with "revoke" (and "revoked") set to the time of the
// revocation, so the history stays readable.
package consents

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// Kind is the configuration kind of consent types.
const Kind = "consent-type"

func invalid(field, msg string) error {
	return plugin.FieldErrors{{Field: field, Message: msg}}
}

// MachineName turns a name into an id as Tracardi does: lower case, spaces
// as dashes.
func MachineName(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), " ", "-"))
}

// Normalize checks a consent type document and answers it as stored:
// {id, name, description, revokable, default_value: grant|deny, enabled,
// required, auto_revoke, tags}. The id defaults to the name's machine name.
// A revokable consent needs auto_revoke (how long a grant lasts, e.g. "30d",
// "12h", "2w" or a number of seconds).
func Normalize(d store.Doc) (store.Doc, error) {
	if d == nil {
		return nil, invalid("(body)", "expected a consent type object")
	}
	out := make(store.Doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	for _, k := range []string{"id", "name", "description", "default_value", "auto_revoke"} {
		if v, ok := d[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return nil, invalid(k, fmt.Sprintf("expected a string, got %T", v))
			}
		}
	}
	name, _ := d["name"].(string)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("name", "is required")
	}
	id, _ := d["id"].(string)
	if strings.TrimSpace(id) == "" {
		id = MachineName(name)
	}
	out["id"], out["name"] = id, name
	if _, ok := out["description"].(string); !ok {
		out["description"] = ""
	}
	for _, k := range []string{"revokable", "enabled", "required"} {
		if v, ok := d[k]; ok && v != nil {
			if _, isBool := v.(bool); !isBool {
				return nil, invalid(k, "expected true or false")
			}
		}
	}
	if _, ok := d["enabled"].(bool); !ok {
		out["enabled"] = true
	}
	for _, k := range []string{"revokable", "required"} {
		if _, ok := d[k].(bool); !ok {
			out[k] = false
		}
	}
	def, _ := d["default_value"].(string)
	switch def {
	case "":
		def = "deny"
	case "grant", "deny":
	default:
		return nil, invalid("default_value", fmt.Sprintf("must be \"grant\" or \"deny\", got %q", def))
	}
	out["default_value"] = def
	ar, _ := d["auto_revoke"].(string)
	if ar != "" {
		if _, err := ParseDuration(ar); err != nil {
			return nil, invalid("auto_revoke", err.Error())
		}
	}
	if out["revokable"] == true && ar == "" {
		return nil, invalid("auto_revoke", "is required for a revokable consent: how long a grant lasts, e.g. 365d")
	}
	out["auto_revoke"] = ar
	if tags, ok := d["tags"]; ok && tags != nil {
		l, isList := tags.([]any)
		if !isList {
			return nil, invalid("tags", "expected a list of strings")
		}
		for i, t := range l {
			if _, ok := t.(string); !ok {
				return nil, invalid(fmt.Sprintf("tags[%d]", i), "expected a string")
			}
		}
	} else {
		out["tags"] = []any{}
	}
	return out, nil
}

// ParseDuration reads how long a grant lasts: a number of seconds ("3600"),
// a Go duration ("36h", "90m"), days ("30d") or weeks ("2w"). It must be
// positive.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("expected a positive duration such as 30d, 2w, 12h or a number of seconds, got %q", s)
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n <= 0 || n > 1e11 {
			return 0, bad
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(s, suffix); ok {
			n, err := strconv.Atoi(strings.TrimSpace(num))
			if err != nil || n <= 0 || n > 100000 {
				return 0, bad
			}
			return time.Duration(n) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// Type reads a stored consent type as the plugins see it.
func Type(d store.Doc) plugin.ConsentType {
	ct := plugin.ConsentType{ID: domain.Str(d, "id"), Name: domain.Str(d, "name"), Description: domain.Str(d, "description"),
		Default: domain.Str(d, "default_value")}
	ct.Revokable, _ = d["revokable"].(bool)
	ct.Required, _ = d["required"].(bool)
	ct.Enabled = d["enabled"] != false
	if ar := domain.Str(d, "auto_revoke"); ar != "" {
		ct.RevokeAfter, _ = ParseDuration(ar)
	}
	return ct
}

// Load reads a consent type (an error wrapping store.ErrNotFound when there
// is none).
func Load(ctx context.Context, st store.Store, id string) (plugin.ConsentType, error) {
	d, err := st.GetConfig(ctx, Kind, id)
	if err != nil {
		return plugin.ConsentType{}, fmt.Errorf("consent type %q: %w", id, err)
	}
	return Type(d), nil
}

// Grant records in profile that consent ct is granted at now: revoke is
// now plus the type's duration when it is revokable, else null.
func Grant(profile map[string]any, ct plugin.ConsentType, now time.Time) {
	all, ok := profile["consents"].(map[string]any)
	if !ok {
		all = map[string]any{}
		profile["consents"] = all
	}
	var revoke any
	if ct.Revokable && ct.RevokeAfter > 0 {
		revoke = domain.Timestamp(now.Add(ct.RevokeAfter))
	}
	all[ct.ID] = map[string]any{"revoke": revoke, "granted": domain.Timestamp(now)}
}

// Revoke records in profile that consent id is revoked at now. It answers
// false when the profile does not hold the consent.
func Revoke(profile map[string]any, id string, now time.Time) bool {
	all, _ := profile["consents"].(map[string]any)
	c, ok := all[id]
	if !ok {
		return false
	}
	entry, _ := c.(map[string]any)
	if entry == nil {
		entry = map[string]any{}
	}
	ts := domain.Timestamp(now)
	entry["revoke"], entry["revoked"] = ts, ts
	all[id] = entry
	return true
}

// InForce reports whether the profile's consent id is granted and not
// revoked at now.
func InForce(profile map[string]any, id string, now time.Time) bool {
	return plugin.ConsentInForce(profile, id, now)
}
