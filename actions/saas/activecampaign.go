package saas

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

var (
	activeCampaignFields = urlFields(plugin.NewConfigSpec().
				Field(plugin.NewStringField("api_key").Name("API key").Required().
					Description("The account's API key (Settings → Developer).")),
		"api_url", "ActiveCampaign account URL", "")
	// ActiveCampaignType is an ActiveCampaign account.
	ActiveCampaignType = plugin.ResourceType{Type: "active_campaign", Name: "ActiveCampaign", Tags: []string{"active_campaign", "activecampaign"},
		Description: "An ActiveCampaign account's API URL (https://<account>.api-us1.com) and API key.", Fields: activeCampaignFields}

	activeCampaign = &service{name: "ActiveCampaign", baseURL: "api_url", auth: headerKey("Api-Token", "api_key"), secrets: []string{"api_key"}}
)

func init() {
	activeCampaign.typ = ActiveCampaignType
	ActiveCampaignType.Check = activeCampaign.check(call{method: "GET", path: "/api/3/users/me"})
	plugin.RegisterResourceType(ActiveCampaignType)
}

func activeCampaignSource() *plugin.FieldSpec {
	return plugin.NewResourceField("source", "activecampaign").Name("ActiveCampaign resource").Description("The active_campaign resource: the account URL and API key.")
}

// ActiveCampaignAddContact creates or updates a contact.
type ActiveCampaignAddContact struct {
	base
	mapping *dotpath.Object
}

var activeCampaignAddSpec = plugin.NewConfigSpec().Field(activeCampaignSource()).
	Field(plugin.NewAnyField("fields").Name("Fields").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Field"}).
		Description("The contact's fields: email, firstName, lastName, phone, or a custom field's numeric id, each with a value or reference, " +
			"e.g. {\"email\": \"profile@data.contact.email.main\", \"3\": \"profile@traits.plan\"}. Give email to create or update by address, or id to update that contact."))

// SetUp reads the config.
func (a *ActiveCampaignAddContact) SetUp(_ context.Context, config plugin.Config) error {
	c, err := activeCampaignAddSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.mapping, err = compileMapping("fields", c.Any("fields"))
	return err
}

// Run syncs the contact by e-mail (POST /api/3/contact/sync, which
// creates or updates), or updates it by id (PUT /api/3/contacts/{id}).
// Custom fields (numeric keys) go in fieldValues.
func (a *ActiveCampaignAddContact) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.mapping.Apply(a.Scope(payload))
	if err != nil {
		return a.fail(fmt.Errorf("fields: %w", err))
	}
	in, _ := v.(map[string]any)
	contact, custom := map[string]any{}, []any{}
	for k, x := range in {
		if x == nil {
			continue
		}
		if _, err := strconv.Atoi(k); err == nil {
			custom = append(custom, map[string]any{"field": k, "value": x})
			continue
		}
		contact[k] = x
	}
	if len(custom) > 0 {
		contact["fieldValues"] = custom
	}
	if _, ok := contact["email"]; ok {
		return a.success(ctx, call{method: "POST", path: "/api/3/contact/sync", json: map[string]any{"contact": contact}})
	}
	if id, ok := contact["id"]; ok {
		delete(contact, "id")
		return a.success(ctx, call{method: "PUT", path: "/api/3/contacts/" + url.PathEscape(dotpath.Stringify(id)), json: map[string]any{"contact": contact}})
	}
	return a.failf("fields: give email or id, to say which contact")
}

func (a *ActiveCampaignAddContact) success(ctx context.Context, cl call) (plugin.Results, error) {
	res, fail := a.send(ctx, activeCampaign, cl)
	if fail != nil {
		return fail, nil
	}
	return plugin.Port("success", content(res)), nil
}

// ActiveCampaignFetch reads a contact by its e-mail address.
type ActiveCampaignFetch struct{ oneValue }

var activeCampaignFetchSpec = plugin.NewConfigSpec().Field(activeCampaignSource()).
	Field(plugin.NewValueField("email").Name("Email address").Required().Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile"}).
		Description("The contact's address, or a reference to it, e.g. profile@data.contact.email.main."))

// Run finds the contact (GET /api/3/contacts?email=...), reads it whole
// (GET /api/3/contacts/{id}) and keys its automations, lists and field
// values by automation, list and field id.
func (a *ActiveCampaignFetch) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	email, err := a.value(payload)
	if err != nil {
		return a.fail(err)
	}
	res, fail := a.send(ctx, activeCampaign, call{method: "GET", path: "/api/3/contacts", query: url.Values{"email": {email}}})
	if fail != nil {
		return fail, nil
	}
	list, _ := content(res)["contacts"].([]any)
	if len(list) == 0 {
		return a.failf("ActiveCampaign has no contact with the e-mail address %s", email)
	}
	first, _ := list[0].(map[string]any)
	res, fail = a.send(ctx, activeCampaign, call{method: "GET", path: "/api/3/contacts/" + url.PathEscape(dotpath.Stringify(first["id"]))})
	if fail != nil {
		return fail, nil
	}
	out := content(res)
	for key, by := range map[string]string{"contactAutomations": "automation", "contactLists": "list", "fieldValues": "field"} {
		l, ok := out[key].([]any)
		if !ok {
			continue
		}
		m := make(map[string]any, len(l))
		for _, x := range l {
			if e, ok := x.(map[string]any); ok {
				m[dotpath.Stringify(e[by])] = e
			}
		}
		out[key] = m
	}
	return plugin.Port("result", out), nil
}

func activeCampaignMeta(m meta) plugin.Plugin {
	m.module = "active_campaign." + m.module
	m.brand, m.group, m.icon, m.resource = "ActiveCampaign", "ActiveCampaign", "activecampaign", "active_campaign"
	m.tags = []string{"crm", "marketing", "activecampaign"}
	return register(m)
}

// RegisterActiveCampaignAddContact describes ActiveCampaign's Add contact.
func RegisterActiveCampaignAddContact() plugin.Plugin {
	return activeCampaignMeta(meta{module: "add_contact", class: "SendToActiveCampaignAction", name: "Add contact",
		desc: "Creates or updates an ActiveCampaign contact.", spec: activeCampaignAddSpec, outputs: []string{"success", "error"},
		new: func() plugin.Action { return &ActiveCampaignAddContact{} },
		tutorial: "Fields whose value is empty are not sent. Differences from Tracardi: a contact given by e-mail is synced " +
			"(created or updated) in one call, as ActiveCampaign documents.",
		ports: map[string]string{"success": "ActiveCampaign's answer, {\"contact\": ..., \"fieldValues\": [...]}."}})
}

// RegisterActiveCampaignFetch describes ActiveCampaign's Fetch contact.
func RegisterActiveCampaignFetch() plugin.Plugin {
	return activeCampaignMeta(meta{module: "fetch_by_email", class: "FetchActiveCampaignProfileByEmailAction", name: "Fetch contact",
		desc: "Reads an ActiveCampaign contact by its e-mail address.", spec: activeCampaignFetchSpec, outputs: []string{"result", "error"},
		new: func() plugin.Action {
			return &ActiveCampaignFetch{oneValue{spec: activeCampaignFetchSpec, field: "email"}}
		},
		tutorial: "When no contact has the address, the error port fires.",
		ports: map[string]string{"result": "The contact: {\"contact\", \"contactAutomations\", \"contactLists\", \"fieldValues\"}, " +
			"the last three keyed by automation, list and field id."}})
}
