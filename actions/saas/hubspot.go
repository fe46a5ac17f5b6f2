package saas

import (
	"context"
	"fmt"
	"net/url"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var (
	hubspotFields = urlFields(plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("Access token").Required().
				Description("The access token of a HubSpot private app with the CRM scopes the plugins need (crm.objects.contacts.*, crm.objects.companies.*).")),
		"base_url", "HubSpot API", "https://api.hubapi.com")
	// HubSpotType is a HubSpot private app's access token.
	HubSpotType = plugin.ResourceType{Type: "hubspot", Name: "HubSpot", Tags: []string{"token", "hubspot"},
		Description: "A HubSpot private app's access token.", Fields: hubspotFields}

	hubspot = &service{name: "HubSpot", baseURL: "base_url", auth: bearer("Bearer", "token"), secrets: []string{"token"}}
)

func init() {
	HubSpotType.Check = hubspot.check(call{method: "GET", path: "/crm/v3/objects/contacts", query: url.Values{"limit": {"1"}}})
	hubspot.typ = HubSpotType
	plugin.RegisterResourceType(HubSpotType)
}

// HubSpotObject creates, reads or updates one CRM object (a contact or a
// company): the six HubSpot plugins differ only in the object, and in
// whether they name one by id and send properties.
type HubSpotObject struct {
	base
	objects string // contacts or companies
	idField string // "" when the object is created
	props   bool
	spec    *plugin.ConfigSpec
	id      dotpath.Value
	mapping *dotpath.Object
}

// hubspotSpec is the config of a plugin on objects: the resource, the
// object's id field when it has one, and the properties when it sends them.
func hubspotSpec(idField, what string, props bool) *plugin.ConfigSpec {
	s := plugin.NewConfigSpec().Field(plugin.NewResourceField("source", "hubspot").Name("HubSpot resource").
		Description("The hubspot resource: a private app's access token."))
	if idField != "" {
		s.Field(plugin.NewValueField(idField).Name(what + " ID").Required().
			Description("The HubSpot id of the " + what + ", or a reference to it, e.g. profile@aux.integration_ids.hubspot.traits.id."))
	}
	if props {
		s.Field(plugin.NewAnyField("properties").Name("Properties").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Property"}).
			Description("The " + what + "'s properties: HubSpot's internal property name as the key, a value or reference as the value, " +
				"e.g. {\"firstname\": \"profile@data.pii.firstname\"}. Lists are joined with ; as HubSpot's multiple-choice properties take them."))
	}
	return s
}

// SetUp reads the config.
func (a *HubSpotObject) SetUp(_ context.Context, config plugin.Config) error {
	c, err := a.spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	if a.idField != "" {
		a.id = c.Value(a.idField)
	}
	if a.props {
		a.mapping, err = compileMapping("properties", c.Any("properties"))
	}
	return err
}

// Run sends the call: POST /crm/v3/objects/{objects} to create, GET
// .../{id} to read, PATCH .../{id} to update.
func (a *HubSpotObject) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	cl := call{method: "POST", path: "/crm/v3/objects/" + a.objects}
	if a.idField != "" {
		id, err := resolveText(a.id, sc, a.idField)
		if err != nil {
			return a.fail(err)
		}
		cl.method, cl.path = "GET", cl.path+"/"+url.PathEscape(id)
	}
	if a.props {
		p, err := fields(a.mapping, sc, func(string) string { return ";" })
		if err != nil {
			return a.fail(fmt.Errorf("properties: %w", err))
		}
		if a.idField != "" {
			cl.method = "PATCH"
		}
		cl.json = map[string]any{"properties": p}
	}
	return a.respond(ctx, hubspot, cl)
}

func hubspotPlugin(module, class, name, desc, objects, idField string, props bool, tutorial string) plugin.Plugin {
	what := map[string]string{"companies": "company", "contacts": "contact"}[objects]
	spec := hubspotSpec(idField, what, props)
	return register(meta{module: "hubspot." + module, class: class, name: name, desc: desc,
		brand: "HubSpot", group: "Hubspot", icon: "hubspot", resource: "hubspot", tags: []string{"crm", "hubspot"},
		spec: spec,
		new: func() plugin.Action {
			return &HubSpotObject{objects: objects, idField: idField, props: props, spec: spec}
		},
		tutorial: "Lists in the properties are joined with ; (HubSpot's multiple-choice format). Differences from Tracardi: it joined them with |, which HubSpot reads as one value. " + tutorial,
		ports:    map[string]string{"response": "HubSpot's answer: the object, {\"id\", \"properties\", \"createdAt\", \"updatedAt\", \"archived\"}."}})
}

// RegisterHubSpotAddCompany describes HubSpot's Add company.
func RegisterHubSpotAddCompany() plugin.Plugin {
	return hubspotPlugin("add_company", "HubSpotCompanyAdder", "Add company", "Creates a company in HubSpot with the given properties.",
		"companies", "", true, "")
}

// RegisterHubSpotAddContact describes HubSpot's Add contact.
func RegisterHubSpotAddContact() plugin.Plugin {
	return hubspotPlugin("add_contact", "HubSpotContactAdder", "Add contact", "Creates a contact in HubSpot with the given properties.",
		"contacts", "", true, "Nor does this node save the new contact's id as the profile's integration id, as Tracardi's did; "+
			"follow it with Save integration id (id payload@id, name hubspot) to keep it.")
}

// RegisterHubSpotGetCompany describes HubSpot's Get company by Id.
func RegisterHubSpotGetCompany() plugin.Plugin {
	return hubspotPlugin("get_company", "HubSpotCompanyGetter", "Get company by Id", "Reads a company from HubSpot by its id.",
		"companies", "company_id", false, "The id may be a reference as well as a number.")
}

// RegisterHubSpotGetContact describes HubSpot's Get contact by Id.
func RegisterHubSpotGetContact() plugin.Plugin {
	return hubspotPlugin("get_contact", "HubSpotContactGetter", "Get contact by Id", "Reads a contact from HubSpot by its id.",
		"contacts", "contact_id", false, "The id may be a reference as well as a number.")
}

// RegisterHubSpotUpdateCompany describes HubSpot's Update company.
func RegisterHubSpotUpdateCompany() plugin.Plugin {
	return hubspotPlugin("update_company", "HubSpotCompanyUpdater", "Update company", "Changes properties of a HubSpot company.",
		"companies", "company_id", true, "Only the properties given change.")
}

// RegisterHubSpotUpdateContact describes HubSpot's Update contact.
func RegisterHubSpotUpdateContact() plugin.Plugin {
	return hubspotPlugin("update_contact", "HubSpotContactUpdater", "Update contact", "Changes properties of a HubSpot contact.",
		"contacts", "contact_id", true, "Only the properties given change. Nor does this node save the contact's id as the profile's "+
			"integration id, as Tracardi's did; use Save integration id.")
}
