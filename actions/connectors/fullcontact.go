package connectors

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	fullContactFields = plugin.NewConfigSpec().
				Field(plugin.NewStringField("token").Name("API key").Required().Description("The FullContact API key.")).
				Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://api.fullcontact.com").
					Description("FullContact's API address; change it only to reach a stand-in."))
	// FullContactType is a FullContact API key.
	FullContactType = plugin.ResourceType{Type: "full-contact", Name: "FullContact", Tags: []string{"token", "full-contact"},
		Description: "A FullContact account's API key.", Fields: fullContactFields}
)

func init() { plugin.RegisterResourceType(FullContactType) }

// FullContactEnrich asks FullContact about a person.
type FullContactEnrich struct {
	plugin.ActionRunner
	resource string
	pii      *dotpath.Object
	timeout  time.Duration
}

var fullContactSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "full-contact").Description("The full-contact resource: the API key.")).
	Field(plugin.NewObjectField("pii").Name("Person").Default(map[string]any{"email": "profile@data.contact.email.main"}).
		Description("What identifies the person: {\"email\", \"emails\", \"phone\", \"phones\", \"location\", \"name\"}, " +
			"each a value or a reference, e.g. {\"email\": \"profile@data.contact.email.main\"}. Empty ones are not sent.").
		Check(func(v any) error {
			for k := range v.(map[string]any) {
				switch k {
				case "email", "emails", "phone", "phones", "location", "name":
				default:
					return fmt.Errorf("%q is not a FullContact query field; use email, emails, phone, phones, location or name", k)
				}
			}
			return nil
		})).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(30).Min(0.001).Max(600).Description("Seconds to wait for FullContact."))

// SetUp compiles the query.
func (a *FullContactEnrich) SetUp(_ context.Context, config plugin.Config) error {
	c, err := fullContactSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.timeout = plugin.ResourceID(c.Object("source")), c.Duration("timeout")
	if a.pii, err = dotpath.CompileObject(c.Object("pii"), true); err != nil {
		return plugin.FieldErrors{{Field: "pii", Message: err.Error()}}
	}
	return nil
}

// Run asks FullContact (POST /v3/person.enrich).
func (a *FullContactEnrich) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, FullContactType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	v, err := a.pii.Apply(a.Scope(payload))
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("pii: %w", err))
	}
	query := map[string]any{}
	for k, x := range v.(map[string]any) {
		if !dotpath.IsEmpty(x) {
			query[k] = x
		}
	}
	if len(query) == 0 {
		return errorPort(&a.ActionRunner, fmt.Errorf("pii: nothing identifies the person (all fields are empty)"))
	}
	key := creds.String("token")
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: strings.TrimRight(creds.String("base_url"), "/") + "/v3/person.enrich",
		Header: http.Header{"Authorization": {"Bearer " + key}}, JSON: query, Timeout: a.timeout})
	if err != nil {
		return errorPort(&a.ActionRunner, err, key)
	}
	out := plugin.Payload{"status": res.Status, "body": res.Content()}
	if res.Status >= 200 && res.Status <= 204 {
		return plugin.Port("payload", out), nil
	}
	out["message"] = outbound.StatusError(res).Message
	a.Console.Error("FullContact: %s", out["message"])
	return plugin.Port("error", out), nil
}

// RegisterFullContactEnrich describes FullContact's Enrich profile.
func RegisterFullContactEnrich() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &FullContactEnrich{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.full_contact.person_enrich", Aliases: []string{tracardi + "connectors.full_contact.person_enrich.plugin"},
			ClassName: "FullContactAction", Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: fullContactSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Enrich profile", Desc: "Gets what FullContact knows about a person, by e-mail, phone or name.", Brand: "Full contact",
			Type: "flowNode", Icon: "fullcontact", Group: []string{"Connectors"},
			Tags: []string{"enhance", "profile", "contact", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type full-contact (an API key). FullContact answers 404 when it knows nothing " +
					"about the person: that goes to the error port with status 404.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the query can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"status\", \"body\": FullContact's person record}."},
					"error":   {Desc: "{\"message\", \"status\", \"body\"} when the call failed or FullContact found no one."},
				},
			},
		},
	}
}
