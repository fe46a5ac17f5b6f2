package operations

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// IntegrationIDsKey is where a profile keeps the ids it has in other
// systems: profile aux.integration_ids.<system name> = {"id":
// "<system>:<profile id>", "type": system, "profile": {"id"}, "traits":
// {"id": the external id}, "properties": extra data, "metadata": {"time":
// {"insert", "update"}}}. They are saved with the profile.
const IntegrationIDsKey = "integration_ids"

func systemName(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}

var systemField = plugin.NewStringField("name").Name("External system name").
	Description("The system the id belongs to, e.g. Mailchimp; it is lower-cased and its spaces become -.").
	Initial("").Prop("label", "External System Name")

var addIntegrationSpec = plugin.NewConfigSpec().
	Field(plugin.NewValueField("id").Name("External id").
		Description("A reference to the profile's id in the other system, e.g. event@properties.crm_id.").
		Initial("event@properties").Required().Component("dotPath", map[string]any{"label": "External ID"})).
	Field(systemField).
	Field(plugin.NewJSONField("data").Name("Additional data").
		Description("A JSON object kept with the id; its text values may be references, e.g. "+
			"{\"list\": \"event@properties.list\"} (a missing one gives null).").
		Default("{}").Component("json", map[string]any{"label": "External System Data"}))

// AddIntegrationID keeps the profile's id in another system.
type AddIntegrationID struct {
	plugin.ActionRunner
	id     dotpath.Value
	system string
	data   *dotpath.Object
}

// SetUp reads the config; the data template is compiled here.
func (a *AddIntegrationID) SetUp(_ context.Context, config plugin.Config) error {
	c, err := addIntegrationSpec.Parse(config)
	if err != nil {
		return err
	}
	a.id, a.system = c.Value("id"), systemName(c.String("name"))
	data := c.Any("data")
	if s, ok := data.(string); ok {
		if strings.TrimSpace(s) == "" {
			s = "{}"
		}
		if err := json.Unmarshal([]byte(s), &data); err != nil {
			return plugin.FieldErr("data", "is not valid JSON: %v", err)
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data.(map[string]any); !ok {
		return plugin.FieldErr("data", "must be a JSON object")
	}
	if a.data, err = dotpath.CompileObject(data, true); err != nil {
		return plugin.FieldErr("data", "%v", err)
	}
	return nil
}

// Run stores the id in the profile.
func (a *AddIntegrationID) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.system == "" {
		return a.ErrorResult("Name can not be empty: set the external system name.", "error"), nil
	}
	if a.Profile == nil {
		return a.ErrorResult("Can not save an integration id: this event has no profile.", "error"), nil
	}
	s := a.Scope(payload)
	ext, err := a.id.Resolve(s)
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	data, err := a.data.Apply(s)
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	aux, ok := a.Profile["aux"].(map[string]any)
	if !ok {
		aux = map[string]any{}
		a.Profile["aux"] = aux
	}
	all, ok := aux[IntegrationIDsKey].(map[string]any)
	if !ok {
		all = map[string]any{}
		aux[IntegrationIDsKey] = all
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	insert := now
	if old, ok := all[a.system].(map[string]any); ok {
		if md, ok := old["metadata"].(map[string]any); ok {
			if tm, ok := md["time"].(map[string]any); ok && tm["insert"] != nil {
				insert, _ = tm["insert"].(string)
			}
		}
	}
	pid := a.Profile.ID()
	all[a.system] = map[string]any{
		"id": a.system + ":" + pid, "type": a.system, "profile": map[string]any{"id": pid},
		"traits": map[string]any{"id": dotpath.DeepCopy(ext)}, "properties": data,
		"metadata": map[string]any{"time": map[string]any{"insert": insert, "update": now}},
	}
	return plugin.Port("payload", payload), nil
}

var getIntegrationSpec = plugin.NewConfigSpec().
	Field(systemField).
	Field(plugin.NewBoolField("get_ids_only").Name("Only the ids").
		Description("On: the result lists the external ids. Off: it lists the whole records (id, data, times).").
		Default(true).Prop("label", "Return only IDs"))

// GetIntegrationID reads the profile's id in another system.
type GetIntegrationID struct {
	plugin.ActionRunner
	system  string
	idsOnly bool
}

// SetUp reads the config.
func (a *GetIntegrationID) SetUp(_ context.Context, config plugin.Config) error {
	c, err := getIntegrationSpec.Parse(config)
	if err != nil {
		return err
	}
	a.system, a.idsOnly = systemName(c.String("name")), c.Bool("get_ids_only")
	return nil
}

// Run looks the id up in the profile.
func (a *GetIntegrationID) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.system == "" {
		return a.ErrorResult("Name can not be empty: set the external system name.", "error"), nil
	}
	if a.Profile == nil {
		return a.ErrorResult("Can not load an integration id: this event has no profile.", "error"), nil
	}
	aux, _ := a.Profile["aux"].(map[string]any)
	all, _ := aux[IntegrationIDsKey].(map[string]any)
	rec, ok := all[a.system].(map[string]any)
	if !ok {
		return plugin.Port("missing", payload), nil
	}
	if a.idsOnly {
		traits, _ := rec["traits"].(map[string]any)
		return plugin.Port("payload", plugin.Payload{"result": []any{dotpath.DeepCopy(traits["id"])}}), nil
	}
	return plugin.Port("payload", plugin.Payload{"result": []any{dotpath.DeepCopy(rec)}}), nil
}

// RegisterAddIntegrationID describes the Save integration id plugin.
func RegisterAddIntegrationID() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &AddIntegrationID{} }, module: "add_integration_id", alias: "add_integration_id_action",
		class: "AddIntegrationIdAction", outputs: []string{"payload", "error"}, config: addIntegrationSpec,
		name: "Save integration id", desc: "Keeps the profile's id in an external system, with optional data.",
		icon: "identity", tags: []string{"id", "integration", "profile"},
		manual: "The id is kept in the profile, under aux.integration_ids.<system> (one id per system; saving " +
			"again replaces it), and saved with the profile. Load integration id reads it back. An empty " +
			"system name or an event without a profile sends an error. Differences from Tracardi: the ids " +
			"live in the profile rather than in a separate index, so they follow the profile when it is " +
			"merged or deleted.",
		input: "Any object; the id and data may be in it as payload@...",
		ports: plugin.Ports{
			"payload": "The input payload, once the id is kept.",
			"error":   "{\"message\": ...} when the name is empty, the event has no profile or the id reference is missing.",
		},
	})
}

// RegisterGetIntegrationID describes the Load integration id plugin.
func RegisterGetIntegrationID() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &GetIntegrationID{} }, module: "get_integration_id", alias: "get_integration_id_action",
		class: "GetIntegrationIdAction", outputs: []string{"payload", "missing", "error"}, config: getIntegrationSpec,
		name: "Load integration id", desc: "Reads the profile's id in an external system.",
		icon: "identity", tags: []string{"id", "integration", "profile"},
		manual: "Reads what Save integration id kept for the system. With get_ids_only the result is " +
			"`{\"result\": [\"<external id>\"]}`, otherwise the whole records. Differences from Tracardi: a " +
			"profile without an id for the system goes to the missing port (Tracardi sends an empty list " +
			"to payload and never uses missing).",
		input: "Any object.",
		ports: plugin.Ports{
			"payload": "{\"result\": [...]}: the external ids (or records) of the profile.",
			"missing": "The input payload, when the profile has no id for the system.",
			"error":   "{\"message\": ...} when the name is empty or the event has no profile.",
		},
	})
}
