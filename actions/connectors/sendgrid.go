package connectors

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	sendgridFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("API key").Required().Description("A SendGrid API key (SG....) with Mail Send, Marketing and Suppressions access as the plugins need.")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://api.sendgrid.com").
				Description("SendGrid's API address; change it only to reach a stand-in."))
	// SendGridType is a SendGrid API key.
	SendGridType = plugin.ResourceType{Type: "sendgrid", Name: "SendGrid", Tags: []string{"token", "sendgrid"},
		Description: "A SendGrid account's API key.", Fields: sendgridFields, Check: checkSendGrid}
)

func init() { plugin.RegisterResourceType(SendGridType) }

func sendgridCall(ctx context.Context, c *plugin.ParsedConfig, method, path string, body any) (*outbound.Response, error) {
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: method, URL: strings.TrimRight(c.String("base_url"), "/") + path,
		Header: http.Header{"Authorization": {"Bearer " + c.String("token")}}, JSON: body, Timeout: 15 * time.Second})
	return res, err
}

func checkSendGrid(ctx context.Context, creds map[string]any) error {
	c, err := sendgridFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = sendgridCall(ctx, c, "GET", "/v3/scopes", nil)
	return err
}

// addresses reads one address or a list of them, keeping the valid ones
// and warning about the others.
func addresses(r *plugin.ActionRunner, v any) []string {
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	default:
		list = []any{x}
	}
	out := []string{}
	for _, x := range list {
		s := strings.TrimSpace(dotpath.Stringify(x))
		if a, err := mail.ParseAddress(s); err == nil && a.Name == "" {
			out = append(out, a.Address)
			continue
		}
		r.Console.Warning("Recipient e-mail %q is not a valid address; skipped.", s)
	}
	return out
}

// sendgridAction is what the three SendGrid plugins share.
type sendgridAction struct {
	plugin.ActionRunner
	resource string
}

func (a *sendgridAction) call(ctx context.Context, method, path string, body any) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, SendGridType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	res, err := sendgridCall(ctx, creds, method, path, body)
	if err != nil {
		return errorPort(&a.ActionRunner, err, creds.String("token"))
	}
	out := plugin.Payload{"status": res.Status}
	if c, ok := res.Content().(map[string]any); ok {
		for k, v := range c {
			out[k] = v
		}
	}
	return plugin.Port("response", out), nil
}

func sendgridRegister(name, desc, module, class string, spec *plugin.ConfigSpec, newAction func() plugin.Action, tutorial, response string) plugin.Plugin {
	return plugin.Plugin{
		New: newAction,
		Spec: plugin.Spec{
			Module: "tracflow.connectors.sendgrid." + module, Aliases: []string{tracardi + "connectors.sendgrid." + module + ".plugin"},
			ClassName: class, Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: name, Desc: desc, Brand: "Sendgrid", Type: "flowNode", Icon: "email", Group: []string{"Sendgrid"},
			Tags: []string{"mailing", "sendgrid", "connector"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type sendgrid (an API key). " + tutorial,
				Inputs:   map[string]plugin.PortDoc{"payload": {Desc: "Any object; references in the config can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\"} and " + response},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when SendGrid refused the call or did not answer."},
				},
			},
		},
	}
}

// SendGridEmail sends an e-mail to one or more recipients.
type SendGridEmail struct {
	sendgridAction
	sender    string
	recipient dotpath.Value
	subject   *dotpath.Template
	content   *dotpath.Template
	ctype     string
}

var sendgridEmailSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "sendgrid").Description("The sendgrid resource.")).
	Field(plugin.NewStringField("sender_email").Name("Sender e-mail").Required().
		Check(func(v any) error {
			if _, err := mail.ParseAddress(v.(string)); err != nil {
				return fmt.Errorf("not an e-mail address")
			}
			return nil
		}).
		Description("The address the e-mail is sent from (a verified SendGrid sender).")).
	Field(plugin.NewValueField("message.recipient").Name("Recipient e-mail").Required().BareSource("profile").
		Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile"}).
		Description("The recipient's address, a list of addresses, or a reference to either.")).
	Field(plugin.NewTemplateField("message.subject").Name("Subject").Required().Description("The subject; {{ references }} are filled in.")).
	Field(plugin.NewObjectField("message.content").Name("Message").Default(map[string]any{"content": "", "type": "text/plain"}).
		Component("contentInput", map[string]any{"rows": 13, "label": "Message body", "allowedTypes": []any{"text/plain", "text/html"}}).
		Check(func(v any) error {
			if t := v.(map[string]any)["type"]; t != "text/plain" && t != "text/html" {
				return fmt.Errorf("type: expected text/plain or text/html, got %v", t)
			}
			return nil
		}).
		Description("The body: {\"type\": \"text/plain\" or \"text/html\", \"content\": text with {{ references }}}."))

// SetUp reads the config.
func (a *SendGridEmail) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sendgridEmailSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.sender = plugin.ResourceID(c.Object("source")), c.String("sender_email")
	a.recipient, a.subject = c.Value("message.recipient"), c.Template("message.subject")
	m := c.Object("message.content")
	a.ctype, _ = m["type"].(string)
	src, _ := m["content"].(string)
	if a.content, err = dotpath.CompileTemplate(src); err != nil {
		return plugin.FieldErrors{{Field: "message.content.content", Message: err.Error()}}
	}
	return nil
}

// Run sends the e-mail (POST /v3/mail/send), one personalization per recipient.
func (a *SendGridEmail) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	v, err := a.recipient.Resolve(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("recipient: %w", err))
	}
	to := addresses(&a.ActionRunner, v)
	if len(to) == 0 {
		return errorPort(&a.ActionRunner, fmt.Errorf("recipient: no valid e-mail address in %s", a.recipient))
	}
	body := a.content.Render(sc)
	if body == "" {
		return errorPort(&a.ActionRunner, fmt.Errorf("the message is empty"))
	}
	subject := a.subject.Render(sc)
	from := map[string]any{"email": a.sender}
	pers := make([]any, len(to))
	for i, e := range to {
		pers[i] = map[string]any{"to": []any{map[string]any{"email": e}}, "subject": subject}
	}
	return a.call(ctx, "POST", "/v3/mail/send", map[string]any{"personalizations": pers, "from": from, "subject": subject,
		"content": []any{map[string]any{"type": a.ctype, "value": body}}})
}

// RegisterSendGridEmail describes SendGrid's Send E-mail.
func RegisterSendGridEmail() plugin.Plugin {
	return sendgridRegister("Send E-mail", "Sends an e-mail through SendGrid to one or more recipients.", "send_email",
		"SendgridEMailSender", sendgridEmailSpec, func() plugin.Action { return &SendGridEmail{} },
		"Invalid recipient addresses are skipped with a warning.", "SendGrid's answer (202 and nothing else when accepted).")
}

// SendGridContact adds or updates a marketing contact.
type SendGridContact struct {
	sendgridAction
	email   dotpath.Value
	lists   []string
	mapping *dotpath.Object
}

var sendgridContactSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "sendgrid").Description("The sendgrid resource.")).
	Field(plugin.NewValueField("email").Name("E-mail address").Required().BareSource("profile").
		Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile", "defaultPathValue": "data.contact.email.main"}).
		Description("The contact's address, or a reference to it.")).
	Field(plugin.NewStringField("list_ids").Name("List IDs").Default("").
		Description("Comma-separated ids of the marketing lists to add the contact to; empty for none.")).
	Field(plugin.NewObjectField("additional_mapping").Name("Additional fields").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Field"}).
		Description("Contact fields to set, e.g. {\"first_name\": \"profile@data.pii.firstname\"}; lists are joined with | (tags with ,)."))

// SetUp reads the config.
func (a *SendGridContact) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sendgridContactSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.email = plugin.ResourceID(c.Object("source")), c.Value("email")
	a.lists = nil
	for _, id := range strings.Split(c.String("list_ids"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			a.lists = append(a.lists, id)
		}
	}
	if a.mapping, err = dotpath.CompileObject(c.Object("additional_mapping"), true); err != nil {
		return plugin.FieldErrors{{Field: "additional_mapping", Message: err.Error()}}
	}
	return nil
}

// Run adds the contact (PUT /v3/marketing/contacts).
func (a *SendGridContact) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	v, err := a.email.Resolve(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("email: %w", err))
	}
	addr, err := mail.ParseAddress(dotpath.Stringify(v))
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("email: %q is not an e-mail address", dotpath.Stringify(v)))
	}
	m, err := a.mapping.Apply(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("additional_mapping: %w", err))
	}
	fields, _ := m.(map[string]any)
	contact := dotpath.JoinLists(fields, sendgridJoin)
	contact["email"] = addr.Address
	body := map[string]any{"contacts": []any{contact}}
	if len(a.lists) > 0 {
		ids := make([]any, len(a.lists))
		for i, id := range a.lists {
			ids[i] = id
		}
		body["list_ids"] = ids
	}
	return a.call(ctx, "PUT", "/v3/marketing/contacts", body)
}

// sendgridJoin is how SendGrid takes a list in a contact field: tags
// joined with ",", other lists with "|".
func sendgridJoin(key string) string {
	if key == "tags" {
		return ","
	}
	return "|"
}

// RegisterSendGridContact describes SendGrid's Add Contact to list.
func RegisterSendGridContact() plugin.Plugin {
	return sendgridRegister("Add Contact to list", "Adds or updates a SendGrid marketing contact, optionally on lists.", "add_contact_to_list",
		"SendgridContactAdder", sendgridContactSpec, func() plugin.Action { return &SendGridContact{} },
		"SendGrid processes contacts in the background and answers a job id.", "SendGrid's answer, e.g. {\"job_id\": ...}.")
}

// SendGridSuppress adds an address to the global suppression list.
type SendGridSuppress struct {
	sendgridAction
	email dotpath.Value
}

var sendgridSuppressSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "sendgrid").Name("Token resource").Description("The sendgrid resource.")).
	Field(plugin.NewValueField("email").Name("Email address").Required().BareSource("profile").
		Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile", "defaultPathValue": "data.contact.email.main"}).
		Description("The address to suppress, or a reference to it."))

// SetUp reads the config.
func (a *SendGridSuppress) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sendgridSuppressSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.email = plugin.ResourceID(c.Object("source")), c.Value("email")
	return nil
}

// Run suppresses the address (POST /v3/asm/suppressions/global).
func (a *SendGridSuppress) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.email.Resolve(a.Scope(payload))
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("email: %w", err))
	}
	addr, err := mail.ParseAddress(dotpath.Stringify(v))
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("email: %q is not an e-mail address", dotpath.Stringify(v)))
	}
	return a.call(ctx, "POST", "/v3/asm/suppressions/global", map[string]any{"recipient_emails": []any{addr.Address}})
}

// RegisterSendGridSuppress describes SendGrid's Suppress contact.
func RegisterSendGridSuppress() plugin.Plugin {
	return sendgridRegister("Suppress contact", "Adds an address to SendGrid's global suppression list.", "add_email_to_global_suppression",
		"SendgridGlobalSuppressionAdder", sendgridSuppressSpec, func() plugin.Action { return &SendGridSuppress{} },
		"Suppressed addresses get no more e-mail from the account.", "SendGrid's answer, {\"recipient_emails\": [...]}.")
}
