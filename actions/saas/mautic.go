package saas

import (
	"context"
	"net/url"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	mauticFields = urlFields(plugin.NewConfigSpec().
			Field(plugin.NewStringField("public_key").Name("Public key").Required().
				Description("The client id of a Mautic API credential (Settings → API Credentials, OAuth 2).")).
			Field(plugin.NewStringField("private_key").Name("Secret key").Required().
				Description("The client secret of that credential.")),
		"api_url", "Mautic instance URL", "")
	// MauticType is a Mautic instance and an OAuth 2 client of its API.
	MauticType = plugin.ResourceType{Type: "mautic", Name: "Mautic", Tags: []string{"mautic"},
		Description: "A Mautic instance's address and an OAuth 2 API client (public and secret key).", Fields: mauticFields}

	mautic = &service{name: "Mautic", typ: MauticType, baseURL: "api_url", secrets: []string{"private_key"},
		oauth: &clientCredentials{token: func(c *plugin.ParsedConfig) (outbound.Request, error) {
			u := baseURL(c, "api_url") + "/oauth/v2/token"
			form := url.Values{"client_id": {c.String("public_key")}, "client_secret": {c.String("private_key")}, "grant_type": {"client_credentials"}}
			return outbound.Request{Method: "POST", URL: u, Body: []byte(form.Encode()),
				Header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}}, nil
		}}}
)

func init() {
	MauticType.Check = mautic.check(call{method: "GET", path: "/api/contacts", query: url.Values{"limit": {"1"}}})
	mautic.typ = MauticType
	plugin.RegisterResourceType(MauticType)
}

func mauticSource() *plugin.FieldSpec {
	return plugin.NewResourceField("source", "mautic").Name("Mautic resource").Description("The mautic resource: the instance and its API client.")
}

// mauticContact is a contact id field: a value or a reference.
func mauticContact(id string) *plugin.FieldSpec {
	return plugin.NewValueField(id).Name("Contact ID").Required().Component("dotPath", map[string]any{"label": "ID"}).
		Description("The Mautic contact's id, or a reference to it, e.g. profile@data.devices.mautic.")
}

// MauticAddContact adds a contact.
type MauticAddContact struct {
	base
	contact   contactFields
	overwrite bool
}

var mauticAddSpec = plugin.NewConfigSpec().
	Field(mauticSource()).
	Field(plugin.NewValueField("email").Name("Email address").Required().Component("dotPath", map[string]any{"label": "Email"}).
		Description("The new contact's e-mail address, or a reference to it, e.g. profile@data.contact.email.main.")).
	Field(plugin.NewAnyField("additional_mapping").Name("Additional fields").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Fields"}).
		Description("More contact fields: Mautic's field alias as the key, a value or reference as the value, e.g. {\"lastname\": \"profile@data.pii.surname\"}. Lists are joined with | (tags with ,).")).
	Field(plugin.NewBoolField("overwrite_with_blank").Name("Overwrite with blank").Default(false).
		Description("When set, fields the mapping leaves empty are emptied in Mautic too; otherwise they keep their values."))

// SetUp reads the config.
func (a *MauticAddContact) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mauticAddSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.overwrite = plugin.ResourceID(c.Object("source")), c.Bool("overwrite_with_blank")
	return a.contact.setUp(c, "additional_mapping")
}

// Run creates the contact (POST /api/contacts/new).
func (a *MauticAddContact) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	form, err := a.contact.form(a.Scope(payload), "additional_mapping")
	if err != nil {
		return a.fail(err)
	}
	if a.overwrite {
		form.Set("overwriteWithBlank", "true")
	}
	return a.respond(ctx, mautic, call{method: "POST", path: "/api/contacts/new", form: form})
}

// MauticFetchByID reads a contact by its id.
type MauticFetchByID struct{ oneValue }

var mauticByIDSpec = plugin.NewConfigSpec().Field(mauticSource()).Field(mauticContact("contact_id"))

// Run reads the contact (GET /api/contacts/{id}).
func (a *MauticFetchByID) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	id, err := a.value(payload)
	if err != nil {
		return a.fail(err)
	}
	return a.respond(ctx, mautic, call{method: "GET", path: "/api/contacts/" + url.PathEscape(id)})
}

// MauticFetchByEmail finds a contact by its e-mail address.
type MauticFetchByEmail struct{ oneValue }

var mauticByEmailSpec = plugin.NewConfigSpec().Field(mauticSource()).
	Field(plugin.NewValueField("contact_email").Name("Contact email address").Required().Component("dotPath", map[string]any{"label": "Email"}).
		Description("The address of the contact to find, or a reference to it."))

// Run searches the contacts (GET /api/contacts?search=email:...) and sends
// the first match on as {"contact": ...}.
func (a *MauticFetchByEmail) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	email, err := a.value(payload)
	if err != nil {
		return a.fail(err)
	}
	res, fail := a.send(ctx, mautic, call{method: "GET", path: "/api/contacts", query: url.Values{"search": {"email:" + email}}})
	if fail != nil {
		return fail, nil
	}
	// Mautic answers the matches as an object keyed by contact id, or an
	// empty list when there is none.
	if m, ok := content(res)["contacts"].(map[string]any); ok {
		for _, c := range m {
			return plugin.Port("response", plugin.Payload{"contact": c}), nil
		}
	}
	return a.failf("Mautic has no contact with the e-mail address %s", email)
}

// mauticEdit is a change to a contact that Mautic makes on a POST: an
// action (op), the contact and one more config value (arg), which make the
// path. On success the payload passes on.
type mauticEdit struct {
	base
	spec    *plugin.ConfigSpec
	argName string
	path    func(id, op, arg string) string
	op, arg string
	id      dotpath.Value
}

// SetUp reads the config.
func (a *mauticEdit) SetUp(_ context.Context, config plugin.Config) error {
	c, err := a.spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.op, a.id, a.arg = plugin.ResourceID(c.Object("source")), c.String("action"), c.Value("contact_id"), c.String(a.argName)
	return nil
}

// Run posts the change and passes the payload on.
func (a *mauticEdit) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	id, err := resolveText(a.id, a.Scope(payload), "contact_id")
	if err != nil {
		return a.fail(err)
	}
	if _, fail := a.send(ctx, mautic, call{method: "POST", path: a.path(url.PathEscape(id), a.op, url.PathEscape(a.arg))}); fail != nil {
		return fail, nil
	}
	return plugin.Port("success", payload), nil
}

// MauticEditPoints adds or subtracts a contact's points (POST
// /api/contacts/{id}/points/plus|minus/{n}).
type MauticEditPoints struct{ mauticEdit }

var mauticPointsSpec = plugin.NewConfigSpec().Field(mauticSource()).
	Field(plugin.NewEnumField("action", plugin.Option{Value: "add", Label: "Add"}, plugin.Option{Value: "subtract", Label: "Subtract"}).
		Name("Action").Required().Description("Whether the points are added to the contact's or subtracted from them.")).
	Field(mauticContact("contact_id")).
	Field(plugin.NewStringField("points").Name("Number of points").Required().Pattern(`^\d+$`, "must be a whole number of points, e.g. 10").
		Description("How many points to add or subtract."))

func mauticPointsPath(id, op, n string) string {
	dir := "plus"
	if op == "subtract" {
		dir = "minus"
	}
	return "/api/contacts/" + id + "/points/" + dir + "/" + n
}

// MauticSegment adds a contact to a segment or removes it (POST
// /api/segments/{segment}/contact/{id}/add|remove).
type MauticSegment struct{ mauticEdit }

var mauticSegmentSpec = plugin.NewConfigSpec().Field(mauticSource()).
	Field(plugin.NewEnumField("action", plugin.Option{Value: "add", Label: "Add"}, plugin.Option{Value: "remove", Label: "Remove"}).
		Name("Action").Required().Description("Whether the contact is added to the segment or removed from it.")).
	Field(mauticContact("contact_id")).
	Field(plugin.NewStringField("segment").Name("Segment ID").Required().Description("The id of the Mautic segment."))

func mauticSegmentPath(id, op, segment string) string {
	return "/api/segments/" + segment + "/contact/" + id + "/" + op
}

func mauticMeta(m meta) plugin.Plugin {
	m.module = "mautic." + m.module
	m.brand, m.group, m.icon, m.resource = "Mautic", "Mautic", "mautic", "mautic"
	m.tags = []string{"mailing", "mautic"}
	m.tutorial = "Tracflow asks Mautic for an OAuth 2 access token with the resource's keys and keeps it in memory until it expires. " + m.tutorial
	return register(m)
}

var successPorts = []string{"success", "error"}

// RegisterMauticAddContact describes Mautic's Add contact.
func RegisterMauticAddContact() plugin.Plugin {
	return mauticMeta(meta{module: "add_contact", class: "MauticContactAdder", name: "Add contact",
		desc: "Adds a contact to Mautic, with its e-mail address and any other fields.", spec: mauticAddSpec,
		new: func() plugin.Action { return &MauticAddContact{} }, ports: map[string]string{"response": "Mautic's answer, {\"contact\": the new contact}."}})
}

// RegisterMauticFetchByID describes Mautic's Get contact by ID.
func RegisterMauticFetchByID() plugin.Plugin {
	return mauticMeta(meta{module: "fetch_contact_by_id", class: "MauticContactByIDFetcher", name: "Get contact by ID",
		desc: "Reads a contact from Mautic by its id.", spec: mauticByIDSpec,
		new: func() plugin.Action { return &MauticFetchByID{oneValue{spec: mauticByIDSpec, field: "contact_id"}} }, ports: map[string]string{"response": "Mautic's answer, {\"contact\": ...}."}})
}

// RegisterMauticFetchByEmail describes Mautic's Get contact by email.
func RegisterMauticFetchByEmail() plugin.Plugin {
	return mauticMeta(meta{module: "fetch_contact_by_email", class: "MauticContactByEmailFetcher", name: "Get contact by email",
		desc: "Finds a contact in Mautic by its e-mail address.", spec: mauticByEmailSpec,
		new: func() plugin.Action {
			return &MauticFetchByEmail{oneValue{spec: mauticByEmailSpec, field: "contact_email"}}
		},
		tutorial: "When no contact has the address, the error port fires.",
		ports:    map[string]string{"response": "{\"contact\": the first contact with the address}."}})
}

// RegisterMauticEditPoints describes Mautic's Edit points.
func RegisterMauticEditPoints() plugin.Plugin {
	return mauticMeta(meta{module: "edit_points", class: "MauticPointsEditor", name: "Edit points",
		desc: "Adds points to a Mautic contact or subtracts them.", spec: mauticPointsSpec, outputs: successPorts,
		new: func() plugin.Action {
			return &MauticEditPoints{mauticEdit{spec: mauticPointsSpec, argName: "points", path: mauticPointsPath}}
		}, ports: map[string]string{"success": "The input payload, when Mautic took the change."}})
}

// RegisterMauticSegment describes Mautic's Edit segmentation.
func RegisterMauticSegment() plugin.Plugin {
	return mauticMeta(meta{module: "add_remove_segment", class: "MauticSegmentEditor", name: "Edit segmentation",
		desc: "Adds a Mautic contact to a segment or removes it from one.", spec: mauticSegmentSpec, outputs: successPorts,
		new: func() plugin.Action {
			return &MauticSegment{mauticEdit{spec: mauticSegmentSpec, argName: "segment", path: mauticSegmentPath}}
		}, ports: map[string]string{"success": "The input payload, when Mautic took the change."}})
}
