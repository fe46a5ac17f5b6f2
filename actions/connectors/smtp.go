package connectors

import (
	"context"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// smtpClient builds a go-mail client for an smtp-server resource. It dials
// through the outbound deny-list.
func smtpClient(c *plugin.ParsedConfig) (*mail.Client, error) {
	timeout := time.Duration(c.Int("timeout")) * time.Second
	opts := []mail.Option{
		mail.WithPort(c.Int("port")),
		mail.WithTimeout(timeout),
		mail.WithDialContextFunc(outbound.Dialer(timeout).DialContext),
	}
	switch c.String("tls") {
	case "ssl":
		opts = append(opts, mail.WithSSL())
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if u := c.String("username"); u != "" {
		auth := mail.SMTPAuthAutoDiscover
		if c.String("tls") == "none" {
			// Chosen by the resource: the login travels unencrypted, as
			// plain-text relays on a private network expect.
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth),
			mail.WithUsername(u), mail.WithPassword(c.String("password")))
	}
	cl, err := mail.NewClient(c.String("smtp"), opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP resource: %w", err)
	}
	return cl, nil
}

// SMTPSend sends an e-mail through the mail server of an smtp-server
// resource.
type SMTPSend struct {
	plugin.ActionRunner
	resource          string
	to, from, replyTo dotpath.Value
	title, content    *dotpath.Template
	html              bool
}

var smtpSpec = plugin.NewConfigSpec().
	Group("SMTP connection", "").
	Field(plugin.NewResourceField("resource", "smtp").Name("SMTP connection resource").
		Description("The smtp-server resource of the mail server that sends the e-mail.")).
	Group("E-mail", "").
	Field(plugin.NewValueField("mail.send_from").Name("E-mail to send from").Required().
		Component("dotPath", map[string]any{"label": "E-mail"}).
		Description("The sender's address, or a reference to it.")).
	Field(plugin.NewValueField("mail.send_to").Name("Recipient e-mail").Required().
		Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile"}).
		Description("The recipient's address, or a reference to it, e.g. profile@data.contact.email.main.")).
	Field(plugin.NewValueField("mail.reply_to").Name("Reply to e-mail").Default("").
		Component("dotPath", map[string]any{"label": "E-mail"}).
		Description("The address replies go to, or a reference to it; empty for none.")).
	Field(plugin.NewTemplateField("mail.title").Name("Subject").Required().
		Component("text", map[string]any{"label": "Subject"}).
		Description("The subject; {{ references }} are filled in.")).
	Field(plugin.NewObjectField("mail.message").Name("Message").
		Default(map[string]any{"content": "", "type": "text/plain"}).
		Component("contentInput", map[string]any{"rows": 13, "label": "Message body", "allowedTypes": []any{"text/plain", "text/html"}}).
		Description("The body: {\"type\": \"text/plain\" or \"text/html\", \"content\": the text, with {{ references }} filled in}.").
		Check(func(v any) error {
			m, _ := v.(map[string]any)
			if t, _ := m["type"].(string); t != "text/plain" && t != "text/html" {
				return fmt.Errorf("type: expected text/plain or text/html, got %q", m["type"])
			}
			if _, ok := m["content"].(string); !ok {
				return fmt.Errorf("content: expected text, got %s", dotpath.TypeName(m["content"]))
			}
			return nil
		}))

// SetUp reads the config and compiles the templates.
func (a *SMTPSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := smtpSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("resource"))
	a.from, a.to, a.replyTo = c.Value("mail.send_from"), c.Value("mail.send_to"), c.Value("mail.reply_to")
	a.title = c.Template("mail.title")
	msg := c.Object("mail.message")
	content, _ := msg["content"].(string)
	if content == "" {
		return plugin.FieldErrors{{Field: "mail.message.content", Message: "is empty: type the e-mail's body"}}
	}
	if a.content, err = dotpath.CompileTemplate(content); err != nil {
		return plugin.FieldErrors{{Field: "mail.message.content", Message: err.Error()}}
	}
	a.html = msg["type"] == "text/html"
	return nil
}

func (a *SMTPSend) address(sc *dotpath.Scope, v dotpath.Value, what string, optional bool) (string, error) {
	x, err := v.Resolve(sc)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	s := dotpath.Stringify(x)
	if s == "" && !optional {
		return "", fmt.Errorf("%s: %s is empty", what, v)
	}
	return s, nil
}

// Run renders and sends the e-mail.
func (a *SMTPSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, SMTPType)
	if err != nil {
		return a.fail(err)
	}
	sc := a.Scope(payload)
	m := mail.NewMsg()
	from, err := a.address(sc, a.from, "send_from", false)
	if err == nil {
		err = m.From(from)
	}
	if err != nil {
		return a.fail(err)
	}
	to, err := a.address(sc, a.to, "send_to", false)
	if err == nil {
		err = m.To(to)
	}
	if err != nil {
		return a.fail(err)
	}
	reply, err := a.address(sc, a.replyTo, "reply_to", true)
	if err == nil && reply != "" {
		err = m.ReplyTo(reply)
	}
	if err != nil {
		return a.fail(err)
	}
	m.Subject(a.title.Render(sc))
	ct := mail.TypeTextPlain
	if a.html {
		ct = mail.TypeTextHTML
	}
	m.SetBodyString(ct, a.content.Render(sc))
	cl, err := smtpClient(creds)
	if err != nil {
		return a.fail(err)
	}
	timeout := time.Duration(creds.Int("timeout")) * time.Second
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := cl.DialAndSendWithContext(sctx, m); err != nil {
		return a.fail(fmt.Errorf("sending e-mail via %s:%d: %w", creds.String("smtp"), creds.Int("port"), err),
			creds.String("password"))
	}
	a.Console.Log("E-mail sent to %s.", to)
	return plugin.Port("payload", plugin.Payload{"result": payload}), nil
}

func (a *SMTPSend) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// RegisterSMTPSend describes the SMTP plugin.
func RegisterSMTPSend() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &SMTPSend{} },
		Spec: plugin.Spec{
			Module:    "tracflow.connectors.smtp_call",
			Aliases:   []string{tracardi + "connectors.smtp_call.plugin"},
			ClassName: "SmtpDispatcherAction",
			Inputs:    []string{"payload"},
			Outputs:   []string{"payload", "error"},
			Config:    smtpSpec,
			License:   "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Send e-mail via SMTP",
			Desc:    "Sends an e-mail through the mail server of an smtp-server resource.",
			Type:    "flowNode",
			Icon:    "email",
			Group:   []string{"Connectors"},
			Tags:    []string{"mailing", "email", "mail", "messaging"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type smtp-server (host, port, login, TLS mode). The addresses " +
					"can be typed or referenced (profile@data.contact.email.main); subject and body are " +
					"templates. Differences from Tracardi: the TLS mode is the resource's choice (Tracardi " +
					"always used STARTTLS); a text/plain body is sent as it is (Tracardi stripped HTML tags " +
					"from it); failures go to the error port as {message, status, body}.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the templates can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"result\": the input payload} once the server accepted the e-mail."},
					"error":   {Desc: "{\"message\", \"status\", \"body\"} when the e-mail could not be sent."},
				},
			},
		},
	}
}
