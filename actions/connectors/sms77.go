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
	sms77Fields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_key").Name("API key").Required().Description("The Sms77 (seven.io) account's API key.")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://gateway.sms77.io/api").
				Description("The gateway's address; change it only to reach a stand-in."))
	// Sms77Type is an Sms77 account.
	Sms77Type = plugin.ResourceType{Type: "sms77", Name: "Sms77", Tags: []string{"api_key", "sms77"},
		Description: "An Sms77 (seven.io) account that sends SMS.", Fields: sms77Fields, Check: checkSms77}
)

func init() { plugin.RegisterResourceType(Sms77Type) }

func sms77Call(ctx context.Context, c *plugin.ParsedConfig, method, path string, body any) (*outbound.Response, error) {
	return outbound.Default().Do(ctx, outbound.Request{Method: method, URL: strings.TrimRight(c.String("base_url"), "/") + path,
		Header: http.Header{"X-Api-Key": {c.String("api_key")}, "Accept": {"application/json"}}, JSON: body, Timeout: 15 * time.Second})
}

func checkSms77(ctx context.Context, creds map[string]any) error {
	c, err := sms77Fields.Parse(creds)
	if err != nil {
		return err
	}
	res, err := sms77Call(ctx, c, "GET", "/balance", nil)
	if err == nil && !res.OK() {
		err = outbound.StatusError(res)
	}
	return err
}

// Sms77SMS sends an SMS through the Sms77 gateway.
type Sms77SMS struct {
	plugin.ActionRunner
	resource          string
	message           *dotpath.Template
	recipient, sender dotpath.Value
}

var sms77Spec = plugin.NewConfigSpec().
	Group("SMS77 notification configuration", "").
	Field(plugin.NewResourceField("resource", "sms77").Description("The sms77 resource: the account's API key.")).
	Field(plugin.NewTemplateField("message").Name("Message template").Required().Component("textarea", map[string]any{"label": "Message template"}).
		Description("The SMS text; {{ references }} are filled in.")).
	Field(plugin.NewValueField("sender").Name("Sender").Default("").Component("dotPath", map[string]any{"label": "Sender"}).
		Description("The sender name or number, or a reference to it; empty for the account's default.")).
	Field(plugin.NewValueField("recipient").Name("Recipient").Default("profile@pii.telephone").Component("dotPath", map[string]any{"label": "Recipient"}).
		Description("The recipient's phone number, or a reference to it."))

// SetUp reads the config.
func (a *Sms77SMS) SetUp(_ context.Context, config plugin.Config) error {
	c, err := sms77Spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.message = plugin.ResourceID(c.Object("resource")), c.Template("message")
	a.recipient, a.sender = c.Value("recipient"), c.Value("sender")
	return nil
}

// Run sends the SMS; in debug runs Sms77's debug flag is set, so nothing is sent or billed.
func (a *Sms77SMS) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, Sms77Type)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	sc := a.Scope(payload)
	to, err := a.recipient.Resolve(sc)
	if err == nil && dotpath.Stringify(to) == "" {
		err = fmt.Errorf("%s is empty", a.recipient)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("recipient: %w", err))
	}
	body := map[string]any{"text": a.message.Render(sc), "to": dotpath.Stringify(to), "debug": 0}
	if a.Debug {
		body["debug"] = 1
	}
	if from, err := a.sender.Resolve(sc); err == nil && dotpath.Stringify(from) != "" {
		body["from"] = dotpath.Stringify(from)
	}
	key := creds.String("api_key")
	res, err := sms77Call(ctx, creds, "POST", "/sms", body)
	if err != nil {
		return errorPort(&a.ActionRunner, err, key)
	}
	out := plugin.Payload{"status": res.Status, "content": res.Content()}
	return statusPort(&a.ActionRunner, res, out, res.Status >= 200 && res.Status <= 203, "Sms77", key)
}

// RegisterSms77SMS describes the Sms77 plugin.
func RegisterSms77SMS() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Sms77SMS{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.sms77.sendsms", Aliases: []string{tracardi + "connectors.sms77.sendsms.plugin", tracardi + "connectors.sms77.sendsms.registry"},
			ClassName: "Sms77SendSmsAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: sms77Spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Send SMS", Desc: "Sends an SMS through the Sms77 gateway.", Brand: "Sms77",
			Type: "flowNode", Icon: "sms", Group: []string{"Sms77"},
			Tags: []string{"sms", "sms77", "message", "connector"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type sms77 (an API key). Debug runs set the gateway's debug flag: the " +
					"message is checked but not sent. Waits 15 seconds at most.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message and numbers can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"content\": the gateway's answer}."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"}; for a refused request also \"content\"."},
				},
			},
		},
	}
}
