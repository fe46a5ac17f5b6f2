package saas

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	elasticEmailFields = urlFields(plugin.NewConfigSpec().
				Field(plugin.NewStringField("api_key").Name("API key").Required().
					Description("An Elastic Email API key (Settings → Manage API Keys).")).
				Field(plugin.NewStringField("public_account_id").Name("Public account ID").Default("").
					Description("The account's public id (Settings → Account), which Add contact needs.")),
		"base_url", "Elastic Email API", "https://api.elasticemail.com")
	// ElasticEmailType is an Elastic Email account.
	ElasticEmailType = plugin.ResourceType{Type: "elasticemail", Name: "Elastic Email", Tags: []string{"elasticemail"},
		Description: "An Elastic Email account's API key and public account id.", Fields: elasticEmailFields}

	elasticEmail = &service{name: "Elastic Email", baseURL: "base_url", auth: formKey("apikey", "api_key"), secrets: []string{"api_key"},
		refused: func(res *outbound.Response) error {
			// The v2 API answers 200 with {"success": false, "error": ...}.
			m, _ := res.Content().(map[string]any)
			if m["success"] == false {
				return &outbound.Error{Message: fmt.Sprintf("refused: %v", m["error"]), Status: res.Status, Body: string(res.Body)}
			}
			return nil
		}}
)

func init() {
	elasticEmail.typ = ElasticEmailType
	ElasticEmailType.Check = elasticEmail.check(call{method: "POST", path: "/v2/account/load", form: url.Values{}})
	plugin.RegisterResourceType(ElasticEmailType)
}

// formKey sends the credential field as a parameter of a form body (or of
// the query when the call has no body), so that it stays out of URLs.
func formKey(param, field string) authorizer {
	query := queryKey(param, field)
	return func(ctx context.Context, c *plugin.ParsedConfig, r *outbound.Request) error {
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			return query(ctx, c, r)
		}
		f, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return err
		}
		f.Set(param, c.String(field))
		r.Body = []byte(f.Encode())
		return nil
	}
}

func elasticSource() *plugin.FieldSpec {
	return plugin.NewResourceField("source", "elasticemail").Name("Elastic Email resource").Description("The elasticemail resource: the API key.")
}

func elasticEmailField(id string) *plugin.FieldSpec {
	return plugin.NewValueField(id).Name("E-mail").Required().Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile"}).
		Description("The contact's e-mail address, or a reference to it, e.g. profile@data.contact.email.main.")
}

// ElasticEmailAddContact adds a contact.
type ElasticEmailAddContact struct {
	base
	contact contactFields
}

var elasticAddSpec = plugin.NewConfigSpec().Field(elasticSource()).Field(elasticEmailField("email")).
	Field(plugin.NewAnyField("additional_mapping").Name("Additional fields").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Field"}).
		Description("More contact fields, e.g. {\"firstName\": \"profile@data.pii.firstname\"}; lists are joined with | (tags with ,)."))

// SetUp reads the config.
func (a *ElasticEmailAddContact) SetUp(_ context.Context, config plugin.Config) error {
	c, err := elasticAddSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	return a.contact.setUp(c, "additional_mapping")
}

// Run adds the contact (POST /v2/contact/add, with the public account id;
// no activation e-mail).
func (a *ElasticEmailAddContact) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	form, err := a.contact.form(a.Scope(payload), "additional_mapping")
	if err != nil {
		return a.fail(err)
	}
	c, err := a.Credentials(ctx, a.resource, ElasticEmailType)
	if err != nil {
		return a.fail(err)
	}
	if c.String("public_account_id") == "" {
		return a.failf("the Elastic Email resource has no public account id, which adding a contact needs")
	}
	form.Set("publicAccountID", c.String("public_account_id"))
	form.Set("consentTracking", "1")
	form.Set("sendActivation", "false")
	return a.respond(ctx, elasticEmail, call{method: "POST", path: "/v2/contact/add", form: form})
}

// ElasticEmailStatus changes a contact's status.
type ElasticEmailStatus struct {
	base
	email  dotpath.Value
	status dotpath.Value
}

var elasticStatusSpec = plugin.NewConfigSpec().Field(elasticSource()).Field(elasticEmailField("email")).
	Field(plugin.NewValueField("status").Name("Status").Required().Component("dotPath", map[string]any{"label": "Status"}).
		Description("The new status, or a reference to it: Elastic Email's name or number of it, e.g. Active (0), Unsubscribed (2), Inactive (4)."))

// SetUp reads the config.
func (a *ElasticEmailStatus) SetUp(_ context.Context, config plugin.Config) error {
	c, err := elasticStatusSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.email, a.status = plugin.ResourceID(c.Object("source")), c.Value("email"), c.Value("status")
	return nil
}

// Run changes the status (POST /v2/contact/changestatus).
func (a *ElasticEmailStatus) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	email, err := resolveText(a.email, sc, "email")
	if err != nil {
		return a.fail(err)
	}
	status, err := resolveText(a.status, sc, "status")
	if err != nil {
		return a.fail(err)
	}
	return a.respond(ctx, elasticEmail, call{method: "POST", path: "/v2/contact/changestatus", form: url.Values{"emails": {email}, "status": {status}}})
}

// ElasticEmailSend sends an e-mail, transactional or bulk.
type ElasticEmailSend struct {
	base
	msg           emailMessage
	transactional bool
}

var elasticSendSpec = emailSpec("elasticemail")

// SetUp reads the config.
func (a *ElasticEmailSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := elasticSendSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	return a.msg.setUp(c)
}

// Run sends the e-mail (POST /v2/email/send) to every valid recipient.
func (a *ElasticEmailSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	e, err := a.msg.render(&a.ActionRunner, a.Scope(payload))
	if err != nil {
		return a.fail(err)
	}
	form := url.Values{"charset": {"utf-8"}, "from": {a.msg.sender}, "subject": {e.subject},
		"isTransactional": {fmt.Sprint(a.transactional)}, "to": {strings.Join(e.to, ",")}}
	if a.msg.html {
		form.Set("bodyHtml", e.body)
	} else {
		form.Set("bodyText", e.body)
	}
	return a.respond(ctx, elasticEmail, call{method: "POST", path: "/v2/email/send", form: form})
}

func elasticMeta(m meta) plugin.Plugin {
	m.module = "elastic_email." + m.module
	m.brand, m.group, m.icon, m.resource = "Elastic Email", "Elastic Email", "email", "elasticemail"
	m.tags = []string{"mailing", "elastic-email"}
	m.tutorial += " Elastic Email answering {\"success\": false} counts as a failure."
	if m.ports == nil {
		m.ports = map[string]string{"response": "Elastic Email's answer, {\"success\": true, \"data\": ...}."}
	}
	return register(m)
}

// RegisterElasticEmailAddContact describes Elastic Email's Add contact.
func RegisterElasticEmailAddContact() plugin.Plugin {
	return elasticMeta(meta{module: "add_contact", class: "ElasticEmailContactAdder", name: "Add contact",
		desc: "Adds a contact to Elastic Email, with any other fields.", spec: elasticAddSpec,
		new:      func() plugin.Action { return &ElasticEmailAddContact{} },
		tutorial: "The resource needs the public account id. No activation e-mail is sent."})
}

// RegisterElasticEmailStatus describes Elastic Email's Change Contact Status.
func RegisterElasticEmailStatus() plugin.Plugin {
	return elasticMeta(meta{module: "contact_status_change", class: "ElasticEmailContactStatusChange", name: "Change Contact Status",
		desc: "Changes the status of an Elastic Email contact.", spec: elasticStatusSpec,
		new: func() plugin.Action { return &ElasticEmailStatus{} }})
}

// RegisterElasticEmailTransactional describes Elastic Email's Send transactional e-mail.
func RegisterElasticEmailTransactional() plugin.Plugin {
	return elasticMeta(meta{module: "transactional_email", class: "ElasticEmailTransactionalMailSender", name: "Send transactional e-mail",
		desc: "Sends a transactional e-mail through Elastic Email.", spec: elasticSendSpec,
		new:      func() plugin.Action { return &ElasticEmailSend{transactional: true} },
		tutorial: "Invalid recipient addresses are skipped with a warning.",
		ports:    map[string]string{"response": "Elastic Email's answer, {\"success\": true, \"data\": {\"transactionid\", \"messageid\"}}."}})
}

// RegisterElasticEmailBulk describes Elastic Email's Send bulk e-mails.
func RegisterElasticEmailBulk() plugin.Plugin {
	return elasticMeta(meta{module: "bulk_email", class: "ElasticEmailBulkMailSender", name: "Send bulk e-mails",
		desc: "Sends a marketing (bulk) e-mail through Elastic Email.", spec: elasticSendSpec,
		new:      func() plugin.Action { return &ElasticEmailSend{} },
		tutorial: "Invalid recipient addresses are skipped with a warning.",
		ports:    map[string]string{"response": "Elastic Email's answer, {\"success\": true, \"data\": {\"transactionid\", \"messageid\"}}."}})
}
