package saas

import (
	"context"
	"crypto/md5" //nolint:gosec // Mailchimp names members by the MD5 of their address
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	mailchimpFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("API key").Required().
				Description("A Mailchimp API key, e.g. 0123...-us6: its suffix names the account's data center. Send e-mail uses it as the Mailchimp Transactional (Mandrill) key.")).
			Field(plugin.NewStringField("base_url").Name("Marketing API URL").Default("").
				Description("Mailchimp's Marketing API address; empty for https://<dc>.api.mailchimp.com/3.0 of the key's data center. Change it only to reach a stand-in.")).
			Field(plugin.NewStringField("transactional_url").Name("Transactional API URL").Default("https://mandrillapp.com/api/1.0").
				Description("Mailchimp Transactional's API address; change it only to reach a stand-in.")).
			Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).
				Description("Seconds to wait for an answer."))
	// MailchimpType is a Mailchimp API key.
	MailchimpType = plugin.ResourceType{Type: "mailchimp", Name: "Mailchimp", Tags: []string{"token", "mailchimp"},
		Description: "A Mailchimp account's API key.", Fields: mailchimpFields}

	mailchimp = &service{name: "Mailchimp", baseURL: "base_url", auth: basic("=tracflow", "token"), secrets: []string{"token"},
		baseOf: func(c *plugin.ParsedConfig) (string, error) {
			k := c.String("token")
			i := strings.LastIndex(k, "-")
			if i < 0 || i == len(k)-1 {
				return "", errors.New("the Mailchimp API key has no data center suffix (it ends like -us6)")
			}
			return "https://" + k[i+1:] + ".api.mailchimp.com/3.0", nil
		}}
	// mandrill is Mailchimp Transactional: the key travels in the body.
	mandrill = &service{name: "Mailchimp Transactional", baseURL: "transactional_url", secrets: []string{"token"}}
)

func init() {
	mailchimp.typ, mandrill.typ = MailchimpType, MailchimpType
	MailchimpType.Check = mailchimp.check(call{method: "GET", path: "/ping"})
	plugin.RegisterResourceType(MailchimpType)
}

// subscriberHash is how Mailchimp names a list member: the MD5 of the
// lower-cased address.
func subscriberHash(email string) string {
	h := md5.Sum([]byte(strings.ToLower(email))) //nolint:gosec // Mailchimp's scheme, not security
	return hex.EncodeToString(h[:])
}

// mailchimpMember is what the audience plugins share: the resource, the
// audience (list) and the address or addresses.
type mailchimpMember struct {
	base
	list  string
	email dotpath.Value
}

func mailchimpSpec() *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Field(plugin.NewResourceField("source", "mailchimp").Name("Mailchimp resource").Description("The mailchimp resource: the API key.")).
		Field(plugin.NewAnyField("list_id").Name("Audience").Required().Component("autocomplete", map[string]any{"label": "Audience"}).
			Description("The audience (list): {\"id\", \"name\"} as the picker keeps it, or its id.").
			Check(func(v any) error {
				if strings.TrimSpace(plugin.ResourceID(v)) == "" {
					return errors.New("choose an audience: its id is empty")
				}
				return nil
			})).
		Field(plugin.NewValueField("email").Name("E-mail").Required().Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile"}).
			Description("The contact's address, a list of addresses, or a reference to either, e.g. profile@data.contact.email.main."))
}

func (m *mailchimpMember) setUp(c *plugin.ParsedConfig) {
	m.resource, m.list, m.email = plugin.ResourceID(c.Object("source")), strings.TrimSpace(plugin.ResourceID(c.Any("list_id"))), c.Value("email")
}

// maxMembers bounds the addresses one run sends calls for, one call each.
const maxMembers = 100

// emails resolves the addresses: one or a list of at most maxMembers, each
// a valid address.
func (m *mailchimpMember) emails(sc *dotpath.Scope) ([]string, error) {
	v, err := m.email.Resolve(sc)
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	l, ok := v.([]any)
	if !ok {
		l = []any{v}
	}
	if len(l) > maxMembers {
		return nil, fmt.Errorf("email: %d addresses; at most %d in one run", len(l), maxMembers)
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		s := strings.TrimSpace(dotpath.Stringify(x))
		a, err := mail.ParseAddress(s)
		if err != nil || x == nil {
			return nil, fmt.Errorf("email: %q is not an e-mail address", s)
		}
		out = append(out, a.Address)
	}
	if len(out) == 0 {
		return nil, errors.New("email: no address")
	}
	return out, nil
}

// each sends one call per address and answers {"result": [answers]} on
// the response port, or on the error port with the first failure's
// message, status and body when any call failed.
func (m *mailchimpMember) each(ctx context.Context, emails []string, mk func(email string) call) (plugin.Results, error) {
	c, err := m.Credentials(ctx, m.resource, MailchimpType)
	if err != nil {
		return m.fail(err)
	}
	results := make([]any, 0, len(emails))
	var first error
	for _, e := range emails {
		res, err := mailchimp.do(ctx, c, mk(e))
		switch {
		case err != nil:
			if first == nil {
				first = err
			}
			p := outbound.ErrorPayload(err, mailchimp.secretValues(c)...)
			p["email"] = e
			results = append(results, p)
		case len(res.Body) == 0:
			results = append(results, nil)
		default:
			results = append(results, res.Content())
		}
	}
	if first != nil {
		p := outbound.ErrorPayload(fmt.Errorf("Mailchimp: %w", first), mailchimp.secretValues(c)...)
		m.Console.Error("%s", p["message"])
		p["result"] = results
		return plugin.Port("error", p), nil
	}
	return plugin.Port("response", plugin.Payload{"result": results}), nil
}

// MailchimpAddToAudience adds contacts to an audience or updates them.
type MailchimpAddToAudience struct {
	mailchimpMember
	merge      *dotpath.Object
	subscribed bool
	update     bool
}

var mailchimpAddSpec = mailchimpSpec().
	Field(plugin.NewAnyField("merge_fields").Name("Merge fields").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Field"}).
		Description("The audience's merge fields: the tag as the key (FNAME, LNAME, ...), a value or reference as the value.")).
	Field(plugin.NewBoolField("subscribed").Name("Subscribed").Default(false).
		Description("Add the contact as subscribed; otherwise as pending, so Mailchimp asks the contact to confirm.")).
	Field(plugin.NewBoolField("update").Name("Update").Default(false).
		Description("Add or update the contact (it may already be on the audience); otherwise only add, and an existing contact is an error."))

// SetUp reads the config.
func (a *MailchimpAddToAudience) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mailchimpAddSpec.Parse(config)
	if err != nil {
		return err
	}
	a.setUp(c)
	a.subscribed, a.update = c.Bool("subscribed"), c.Bool("update")
	a.merge, err = compileMapping("merge_fields", c.Any("merge_fields"))
	return err
}

// Run adds each address (POST /lists/{list}/members), or adds or updates
// it (PUT /lists/{list}/members/{hash}).
func (a *MailchimpAddToAudience) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	emails, err := a.emails(sc)
	if err != nil {
		return a.fail(err)
	}
	merge, err := a.merge.Apply(sc)
	if err != nil {
		return a.fail(fmt.Errorf("merge_fields: %w", err))
	}
	status := "pending"
	if a.subscribed {
		status = "subscribed"
	}
	return a.each(ctx, emails, func(e string) call {
		body := map[string]any{"email_address": e, "status": status, "merge_fields": merge}
		if a.update {
			body["status_if_new"] = status
			return call{method: "PUT", path: "/lists/" + pathPart(a.list) + "/members/" + subscriberHash(e), json: body}
		}
		return call{method: "POST", path: "/lists/" + pathPart(a.list) + "/members", json: body}
	})
}

// MailchimpRemoveFromAudience archives contacts or deletes them.
type MailchimpRemoveFromAudience struct {
	mailchimpMember
	delete bool
}

var mailchimpRemoveSpec = mailchimpSpec().
	Field(plugin.NewBoolField("delete").Name("Delete").Default(false).
		Description("Delete the contact for good (it cannot be added again by the API); otherwise archive it."))

// SetUp reads the config.
func (a *MailchimpRemoveFromAudience) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mailchimpRemoveSpec.Parse(config)
	if err != nil {
		return err
	}
	a.setUp(c)
	a.delete = c.Bool("delete")
	return nil
}

// Run archives each address (DELETE /lists/{list}/members/{hash}) or
// deletes it (POST .../actions/delete-permanent).
func (a *MailchimpRemoveFromAudience) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	emails, err := a.emails(a.Scope(payload))
	if err != nil {
		return a.fail(err)
	}
	return a.each(ctx, emails, func(e string) call {
		p := "/lists/" + pathPart(a.list) + "/members/" + subscriberHash(e)
		if a.delete {
			return call{method: "POST", path: p + "/actions/delete-permanent"}
		}
		return call{method: "DELETE", path: p}
	})
}

// MailchimpTagContact tags a contact.
type MailchimpTagContact struct {
	mailchimpMember
	tags []any
}

var mailchimpTagSpec = mailchimpSpec().
	Field(plugin.NewStringField("tags").Name("Tags").Required().
		Description("Comma-separated tags to give the contact, e.g. vip, newsletter."))

// SetUp reads the config.
func (a *MailchimpTagContact) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mailchimpTagSpec.Parse(config)
	if err != nil {
		return err
	}
	a.setUp(c)
	a.tags = nil
	for _, t := range strings.Split(c.String("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			a.tags = append(a.tags, map[string]any{"name": t, "status": "active"})
		}
	}
	if len(a.tags) == 0 {
		return plugin.FieldErrors{{Field: "tags", Message: "give at least one tag"}}
	}
	return nil
}

// Run tags each address (POST /lists/{list}/members/{hash}/tags).
func (a *MailchimpTagContact) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	emails, err := a.emails(a.Scope(payload))
	if err != nil {
		return a.fail(err)
	}
	return a.each(ctx, emails, func(e string) call {
		return call{method: "POST", path: "/lists/" + pathPart(a.list) + "/members/" + subscriberHash(e) + "/tags", json: map[string]any{"tags": a.tags}}
	})
}

// pathPart escapes one segment of a path.
func pathPart(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "%", "%25"), "/", "%2F")
}

func mailchimpMeta(m meta) plugin.Plugin {
	m.module = "mailchimp." + m.module
	m.brand, m.group, m.icon, m.resource = "MailChimp", "Mailchimp", "mailchimp", "mailchimp"
	m.tags = []string{"mailing", "mailchimp"}
	if m.ports == nil {
		m.ports = map[string]string{
			"response": "{\"result\": Mailchimp's answer for each address (null when it answers nothing)}.",
			"error":    "{\"message\", \"status\", \"body\"} of the first failure, and \"result\" with every address's answer or failure.",
		}
	}
	return register(m)
}

// RegisterMailchimpAddToAudience describes Mailchimp's Add to audience.
func RegisterMailchimpAddToAudience() plugin.Plugin {
	return mailchimpMeta(meta{module: "add_to_audience", class: "MailChimpAudienceAdder", name: "Add to audience",
		desc: "Adds contacts to a Mailchimp audience, or adds and updates them.", spec: mailchimpAddSpec,
		new:      func() plugin.Action { return &MailchimpAddToAudience{} },
		tutorial: "One call per address. With update set, existing contacts are updated (PUT by the address's hash)."})
}

// RegisterMailchimpRemoveFromAudience describes Mailchimp's Remove from audience.
func RegisterMailchimpRemoveFromAudience() plugin.Plugin {
	return mailchimpMeta(meta{module: "remove_from_audience", class: "MailChimpAudienceRemover", name: "Remove from audience",
		desc: "Archives contacts of a Mailchimp audience, or deletes them for good.", spec: mailchimpRemoveSpec,
		new:      func() plugin.Action { return &MailchimpRemoveFromAudience{} },
		tutorial: "Differences from Tracardi: members are named by the MD5 hash of the address, as Mailchimp documents."})
}

// RegisterMailchimpTagContact describes Mailchimp's Tag e-mail.
func RegisterMailchimpTagContact() plugin.Plugin {
	return mailchimpMeta(meta{module: "tag_contact", class: "MailChimpContactTagger", name: "Tag e-mail",
		desc: "Gives a Mailchimp contact tags.", spec: mailchimpTagSpec,
		new:      func() plugin.Action { return &MailchimpTagContact{} },
		tutorial: "The contact must be on the audience."})
}

// MailchimpSendEmail sends a transactional e-mail through Mailchimp
// Transactional (Mandrill).
type MailchimpSendEmail struct {
	base
	msg emailMessage
}

var mailchimpEmailSpec = emailSpec("mailchimp")

// SetUp reads the config.
func (a *MailchimpSendEmail) SetUp(_ context.Context, config plugin.Config) error {
	c, err := mailchimpEmailSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	return a.msg.setUp(c)
}

// Run sends the e-mail (POST /messages/send), one copy per recipient.
func (a *MailchimpSendEmail) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	e, err := a.msg.render(&a.ActionRunner, a.Scope(payload))
	if err != nil {
		return a.fail(err)
	}
	c, err := a.Credentials(ctx, a.resource, MailchimpType)
	if err != nil {
		return a.fail(err)
	}
	to := make([]any, len(e.to))
	for i, r := range e.to {
		to[i] = map[string]any{"email": r, "type": "to"}
	}
	msg := map[string]any{"from_email": a.msg.sender, "subject": e.subject, "to": to}
	if a.msg.html {
		msg["html"] = e.body
	} else {
		msg["text"] = e.body
	}
	res, err := mandrill.do(ctx, c, call{method: "POST", path: "/messages/send", json: map[string]any{"key": c.String("token"), "message": msg}})
	if err != nil {
		return a.fail(fmt.Errorf("Mailchimp Transactional: %w", err), c.String("token"))
	}
	// One answer per recipient: sent, queued or scheduled is accepted;
	// rejected or invalid is not.
	answers, _ := res.Content().([]any)
	for _, x := range answers {
		m, _ := x.(map[string]any)
		switch m["status"] {
		case "sent", "queued", "scheduled":
			continue
		}
		a.Console.Warning("Mailchimp did not send to %v: status %v, reason %v.", m["email"], m["status"], m["reject_reason"])
		return plugin.Port("error", plugin.Payload{"message": fmt.Sprintf("Mailchimp did not send to %v: %v", m["email"], m["status"]),
			"status": res.Status, "result": answers}), nil
	}
	if len(answers) == 0 {
		return a.failf("Mailchimp Transactional answered no recipient status: %s", outbound.Redact(string(res.Body), c.String("token")))
	}
	return plugin.Port("response", plugin.Payload{"result": answers}), nil
}

// RegisterMailchimpSendEmail describes Mailchimp's Send e-mail.
func RegisterMailchimpSendEmail() plugin.Plugin {
	return mailchimpMeta(meta{module: "transactional_email", class: "TransactionalMailSender", name: "Send e-mail",
		desc: "Sends a transactional e-mail through Mailchimp Transactional (Mandrill).", spec: mailchimpEmailSpec,
		new: func() plugin.Action { return &MailchimpSendEmail{} },
		tutorial: "The resource's API key is used as the Mailchimp Transactional key. Invalid recipient addresses are skipped with a warning. " +
			"Differences from Tracardi: queued and scheduled count as sent, as Mailchimp documents them.",
		ports: map[string]string{
			"response": "{\"result\": [{\"email\", \"status\", \"_id\", \"reject_reason\"}, ...]}, one per recipient.",
			"error":    "{\"message\", \"status\", \"result\"} when a recipient was rejected, or {\"message\", \"status\", \"body\"} when the call failed.",
		}})
}
