package saas

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// emailSpec is the config of the plugins that send an e-mail, in
// Tracardi's format: sender_email, message.recipient, message.subject and
// message.content {"type", "content"}.
func emailSpec(tag string) *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Field(plugin.NewResourceField("source", tag).Description("The " + tag + " resource.")).
		Field(plugin.NewStringField("sender_email").Name("Sender e-mail").Required().
			Check(func(v any) error {
				if _, err := mail.ParseAddress(v.(string)); err != nil {
					return errors.New("not an e-mail address")
				}
				return nil
			}).
			Description("The address the e-mail is sent from (one the service has verified).")).
		Field(plugin.NewValueField("message.recipient").Name("Recipient e-mail").Required().BareSource("profile").
			Component("dotPath", map[string]any{"label": "E-mail", "defaultSourceValue": "profile"}).
			Description("The recipient's address, a list of addresses, or a reference to either.")).
		Field(plugin.NewTemplateField("message.subject").Name("Subject").Required().Description("The subject; {{ references }} are filled in.")).
		Field(plugin.NewAnyField("message.content").Name("Message").Default(map[string]any{"content": "", "type": "text/plain"}).
			Component("contentInput", map[string]any{"rows": 13, "label": "Message body", "allowedTypes": []any{"text/plain", "text/html"}}).
			Check(func(v any) error {
				if _, ok := v.(string); ok {
					return nil
				}
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("expected {\"type\", \"content\"}, got %s", dotpath.TypeName(v))
				}
				if t := m["type"]; t != "text/plain" && t != "text/html" {
					return fmt.Errorf("type: expected text/plain or text/html, got %v", t)
				}
				return nil
			}).
			Description("The body: {\"type\": \"text/plain\" or \"text/html\", \"content\": text with {{ references }}}."))
}

// emailMessage is a compiled e-mail config.
type emailMessage struct {
	sender    string
	recipient dotpath.Value
	subject   *dotpath.Template
	content   *dotpath.Template
	html      bool
}

// setUp reads an emailSpec's parsed config.
func (m *emailMessage) setUp(c *plugin.ParsedConfig) error {
	m.sender, m.recipient, m.subject = c.String("sender_email"), c.Value("message.recipient"), c.Template("message.subject")
	src := ""
	switch x := c.Any("message.content").(type) {
	case string:
		src = x
	case map[string]any:
		src, _ = x["content"].(string)
		m.html = x["type"] == "text/html"
	}
	var err error
	if m.content, err = dotpath.CompileTemplate(src); err != nil {
		return plugin.FieldErrors{{Field: "message.content.content", Message: err.Error()}}
	}
	return nil
}

// email is one rendered e-mail.
type email struct {
	to            []string
	subject, body string
}

// maxRecipients bounds the recipients of one e-mail.
const maxRecipients = 1000

// render fills the e-mail in for a run: invalid recipient addresses are
// skipped with a warning; no valid one, more than maxRecipients, or an
// empty body, is an error.
func (m *emailMessage) render(r *plugin.ActionRunner, sc *dotpath.Scope) (email, error) {
	v, err := m.recipient.Resolve(sc)
	if err != nil {
		return email{}, fmt.Errorf("recipient: %w", err)
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	if len(list) > maxRecipients {
		return email{}, fmt.Errorf("recipient: %d addresses; at most %d in one e-mail", len(list), maxRecipients)
	}
	var to []string
	for _, x := range list {
		s := strings.TrimSpace(dotpath.Stringify(x))
		if a, err := mail.ParseAddress(s); err == nil && a.Name == "" {
			to = append(to, a.Address)
			continue
		}
		r.Console.Warning("Recipient e-mail %q is not a valid address; skipped.", s)
	}
	if len(to) == 0 {
		return email{}, fmt.Errorf("recipient: no valid e-mail address in %s", m.recipient)
	}
	e := email{to: to, subject: m.subject.Render(sc), body: m.content.Render(sc)}
	if strings.TrimSpace(e.body) == "" {
		return email{}, errors.New("the message is empty")
	}
	return e, nil
}
