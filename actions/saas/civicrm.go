package saas

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	civiFields = urlFields(plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_key").Name("API key").Required().Description("The API key of the CiviCRM user the calls act as.")).
			Field(plugin.NewStringField("site_key").Name("Site key").Required().Description("The site's key (CIVICRM_SITE_KEY in civicrm.settings.php).")),
		"api_url", "CiviCRM REST endpoint", "")
	// CiviCRMType is a CiviCRM site's REST API.
	CiviCRMType = plugin.ResourceType{Type: "civi_crm", Name: "CiviCRM", Tags: []string{"civi_crm"},
		Description: "A CiviCRM site's REST endpoint (e.g. https://example.org/civicrm/ajax/rest), a user's API key and the site key.", Fields: civiFields}

	civiCRM = &service{name: "CiviCRM", baseURL: "api_url", secrets: []string{"api_key", "site_key"},
		auth: func(ctx context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
			if err := formKey("api_key", "api_key")(ctx, c, r); err != nil {
				return err
			}
			return formKey("key", "site_key")(ctx, c, r)
		},
		refused: func(res *outbound.Response) error {
			// API v3 answers 200 with {"is_error": 1, "error_message": ...}.
			if m, _ := res.Content().(map[string]any); dotpath.Stringify(m["is_error"]) == "1" {
				return &outbound.Error{Message: fmt.Sprintf("refused: %v", m["error_message"]), Status: res.Status, Body: string(res.Body)}
			}
			return nil
		}}
)

func init() {
	civiCRM.typ = CiviCRMType
	CiviCRMType.Check = civiCRM.check(call{method: "POST", form: url.Values{"entity": {"Contact"}, "action": {"getcount"}, "json": {"{}"}}})
	plugin.RegisterResourceType(CiviCRMType)
}

// CiviAddContact creates a contact.
type CiviAddContact struct {
	base
	kind    string
	mapping *dotpath.Object
}

var civiAddSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "civi_crm").Name("CiviCRM resource").Description("The civi_crm resource: the REST endpoint and keys.")).
	Field(plugin.NewEnumField("contact_type", plugin.Option{Value: "Individual", Label: "Individual"},
		plugin.Option{Value: "Household", Label: "Household"}, plugin.Option{Value: "Organization", Label: "Organization"}).
		Name("Contact type").Default("Individual").Description("The kind of contact created.")).
	Field(plugin.NewAnyField("fields").Name("Fields").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Field"}).
		Description("The contact's fields: CiviCRM's field name (first_name, email, custom_4, ...) as the key, a value or reference as the value. Empty ones are not sent."))

// SetUp reads the config.
func (a *CiviAddContact) SetUp(_ context.Context, config plugin.Config) error {
	c, err := civiAddSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.kind = plugin.ResourceID(c.Object("source")), c.String("contact_type")
	a.mapping, err = compileMapping("fields", c.Any("fields"))
	return err
}

// Run creates the contact (API v3: entity Contact, action create).
func (a *CiviAddContact) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.mapping.Apply(a.Scope(payload))
	if err != nil {
		return a.fail(fmt.Errorf("fields: %w", err))
	}
	data := map[string]any{}
	for k, x := range v.(map[string]any) {
		if x != nil {
			data[k] = x
		}
	}
	data["contact_type"] = a.kind
	js, err := json.Marshal(data)
	if err != nil {
		return a.fail(fmt.Errorf("fields: %w", err))
	}
	res, fail := a.send(ctx, civiCRM, call{method: "POST", form: url.Values{"entity": {"Contact"}, "action": {"create"}, "json": {string(js)}}})
	if fail != nil {
		return fail, nil
	}
	return plugin.Port("success", content(res)), nil
}

// RegisterCiviAddContact describes CiviCRM's Add contact.
func RegisterCiviAddContact() plugin.Plugin {
	return register(meta{module: "civi_crm.add_contact", class: "AddCiviContactAction", name: "Add contact",
		desc: "Creates a contact in CiviCRM.", brand: "CiviCRM", group: "Civi CRM", icon: "civicrm", resource: "civi_crm",
		tags: []string{"crm", "civicrm"}, spec: civiAddSpec, outputs: []string{"success", "error"},
		new: func() plugin.Action { return &CiviAddContact{} },
		tutorial: "Calls API v3 over REST with the keys in the form body. An answer with is_error 1 counts as a failure. " +
			"Differences from Tracardi: the keys are posted in the body, not the URL, so they stay out of server logs.",
		ports: map[string]string{"success": "CiviCRM's answer, {\"is_error\": 0, \"id\", \"values\": {...}}."}})
}
