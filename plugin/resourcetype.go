package plugin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// ResourceType declares a kind of resource (stored credentials) connector
// plugins use: its id (the resource's "type", e.g. "smtp-server"), its
// credential fields, declared with the same field builders as a plugin's
// config, and a check that tells whether a set of credentials works. The
// editor's resource form shows Fields; POST /resource/{id}/test runs Check.
//
//	plugin.RegisterResourceType(plugin.ResourceType{
//		Type: "slack", Name: "Slack", Tags: []string{"token", "slack"},
//		Fields: plugin.NewConfigSpec().
//			Field(plugin.NewStringField("token").Description("Bot token (xoxb-...).").Required()),
//		Check: checkSlack,
//	})
type ResourceType struct {
	// Type is the resource's "type" value.
	Type string `json:"type"`
	// Name is shown to people.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Tags are the tags a plugin's resource field filters on (Tracardi's
	// "tag" prop of the resource component); a resource of this type is
	// saved with them.
	Tags []string `json:"tags"`
	// Fields declares the credential fields. Every credential is secret:
	// stored encrypted, masked for callers who are not admins.
	Fields *ConfigSpec `json:"-"`
	// Check tries the credentials (an HTTP call, a handshake, a ping) and
	// returns nil when they work, or an error saying why not. Nil when the
	// type has no check.
	Check func(ctx context.Context, credentials map[string]any) error `json:"-"`
}

var resourceTypes = struct {
	sync.RWMutex
	m map[string]ResourceType
}{m: map[string]ResourceType{}}

// RegisterResourceType adds a resource type. Registering a type twice with
// the same id keeps the last, so packages may declare a type they share.
// It panics on a type without id or with a faulty field declaration, a
// programming error found at start.
func RegisterResourceType(t ResourceType) {
	if t.Type == "" {
		panic("plugin.RegisterResourceType: empty Type")
	}
	if t.Fields != nil && t.Fields.Err() != nil {
		panic(fmt.Sprintf("plugin.RegisterResourceType %s: %v", t.Type, t.Fields.Err()))
	}
	resourceTypes.Lock()
	resourceTypes.m[t.Type] = t
	resourceTypes.Unlock()
}

// LookupResourceType returns the registered type with that id.
func LookupResourceType(typ string) (ResourceType, bool) {
	resourceTypes.RLock()
	defer resourceTypes.RUnlock()
	t, ok := resourceTypes.m[typ]
	return t, ok
}

// ResourceTypes returns the registered types, by name.
func ResourceTypes() []ResourceType {
	resourceTypes.RLock()
	out := make([]ResourceType, 0, len(resourceTypes.m))
	for _, t := range resourceTypes.m {
		out = append(out, t)
	}
	resourceTypes.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].Type < out[j].Type)
	})
	return out
}

// ParseCredentials reads a credential set against the type's fields, as
// a plugin config is read: defaults filled in, every field's error at once.
func (t ResourceType) ParseCredentials(c map[string]any) (*ParsedConfig, error) {
	if t.Fields == nil {
		return NewConfigSpec().Parse(Config{})
	}
	if c == nil {
		c = map[string]any{}
	}
	return t.Fields.Parse(c)
}

// NewResourceField declares the field a connector picks its resource with:
// Tracardi's {"id", "name"} object, edited by the editor's resource picker,
// which offers the resources tagged tag. Read the id with ResourceID.
func NewResourceField(id, tag string) *FieldSpec {
	return NewObjectField(id).Name("Resource").Default(map[string]any{"id": "", "name": ""}).
		Component("resource", map[string]any{"label": "Resource", "tag": tag})
}

// ResourceID returns the id of a resource field's value ({"id", "name"});
// a bare string is taken as the id.
func ResourceID(v any) string {
	switch x := v.(type) {
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	case string:
		return x
	}
	return ""
}

// ErrNoResources is returned by Credentials when the run has no access to
// stored resources (a server without a secret key, or a test without
// plugintest.Case.Resources).
var ErrNoResources = errors.New("resources are not available to this run")

// Credentials returns the credentials of the resource resourceID, read with
// the fields of type t (the run's credential set: test in debug runs,
// production otherwise). The error says which resource and which field is
// wrong, and never holds a credential.
func (r *ActionRunner) Credentials(ctx context.Context, resourceID string, t ResourceType) (*ParsedConfig, error) {
	if resourceID == "" {
		return nil, fmt.Errorf("no resource selected: choose a %s resource in the node's configuration", t.Name)
	}
	if r.State == nil || r.Resources == nil {
		return nil, ErrNoResources
	}
	c, err := r.Resources.Credentials(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	pc, err := t.ParseCredentials(c)
	if err != nil {
		return nil, fmt.Errorf("resource %q is not a usable %s resource: %w", resourceID, t.Name, err)
	}
	return pc, nil
}
