package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	pushoverFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("Application token").Required().Description("The Pushover application's API token.")).
			Field(plugin.NewStringField("user").Name("User key").Required().Description("The user or group key messages go to.")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://api.pushover.net").
				Description("Pushover's API address; change it only to reach a stand-in."))
	// PushoverType is a Pushover application and recipient.
	PushoverType = plugin.ResourceType{Type: "pushover", Name: "Pushover", Tags: []string{"pushover"},
		Description: "A Pushover application token and the user or group it notifies.", Fields: pushoverFields, Check: checkPushover}
)

func init() { plugin.RegisterResourceType(PushoverType) }

func pushoverCall(ctx context.Context, c *plugin.ParsedConfig, path string, form url.Values) (*outbound.Response, error) {
	form.Set("token", c.String("token"))
	form.Set("user", c.String("user"))
	return outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: strings.TrimRight(c.String("base_url"), "/") + path,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(form.Encode()), Timeout: 15 * time.Second})
}

func checkPushover(ctx context.Context, creds map[string]any) error {
	c, err := pushoverFields.Parse(creds)
	if err != nil {
		return err
	}
	res, err := pushoverCall(ctx, c, "/1/users/validate.json", url.Values{})
	if err == nil && !res.OK() {
		err = outbound.StatusError(res)
	}
	return err
}

// Pushover pushes a message through Pushover.
type Pushover struct {
	plugin.ActionRunner
	resource string
	message  *dotpath.Template
}

var pushoverSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "pushover").Description("The pushover resource: application token and user key.")).
	Field(plugin.NewTemplateField("message").Name("Message").Required().Component("textarea", map[string]any{"label": "Message"}).
		Description("The message; {{ references }} are filled in."))

// SetUp reads the config.
func (a *Pushover) SetUp(_ context.Context, config plugin.Config) error {
	c, err := pushoverSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.message = plugin.ResourceID(c.Object("source")), c.Template("message")
	return nil
}

// Run pushes the message.
func (a *Pushover) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, PushoverType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	res, err := pushoverCall(ctx, creds, "/1/messages.json", url.Values{"message": {a.message.Render(a.Scope(payload))}})
	if err == nil && res.Status != http.StatusOK {
		err = outbound.StatusError(res)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, err, creds.String("token"), creds.String("user"))
	}
	return plugin.Port("payload", plugin.Payload{"status": res.Status, "response": res.Content()}), nil
}

// RegisterPushover describes the Pushover plugin.
func RegisterPushover() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Pushover{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.pushover.push", Aliases: []string{tracardi + "connectors.pushover.push.plugin"},
			ClassName: "PushoverAction", Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: pushoverSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Pushover push", Desc: "Pushes a message to a Pushover user or group.",
			Type: "flowNode", Icon: "pushover", Group: []string{"Messaging"},
			Tags: []string{"messaging", "pushover", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type pushover (application token and user key). Waits 15 seconds at most.",
				Inputs:   map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"status\": 200, \"response\": Pushover's answer}."},
					"error":   {Desc: "{\"message\", \"status\", \"body\"} when Pushover refused the message or did not answer."},
				},
			},
		},
	}
}

// ZapierWebhook posts a JSON body to a Zapier catch hook.
type ZapierWebhook struct {
	plugin.ActionRunner
	url     *dotpath.Template
	body    *dotpath.Object
	timeout time.Duration
}

var zapierSpec = plugin.NewConfigSpec().
	Field(plugin.NewTemplateField("url").Name("Webhook URL").Required().Component("text", map[string]any{"label": "URL"}).
		Description("The Zap's catch hook, https://hooks.zapier.com/hooks/catch/...; {{ references }} are filled in.")).
	Field(plugin.NewStringField("body").Name("Body").Default("{}").Component("json", map[string]any{"label": "Body"}).
		Description("The JSON object to send; its string values may be references (\"profile@traits.email\"), replaced by what they point at (null when missing).")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(10).Min(0.001).Max(600).
		Description("Seconds to wait for Zapier."))

// SetUp compiles the body.
func (a *ZapierWebhook) SetUp(_ context.Context, config plugin.Config) error {
	c, err := zapierSpec.Parse(config)
	if err != nil {
		return err
	}
	a.url, a.timeout = c.Template("url"), c.Duration("timeout")
	var v any
	src := c.String("body")
	if strings.TrimSpace(src) == "" {
		src = "{}"
	}
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return plugin.FieldErrors{{Field: "body", Message: "is not valid JSON: " + err.Error()}}
	}
	if a.body, err = dotpath.CompileObject(v, true); err != nil {
		return plugin.FieldErrors{{Field: "body", Message: err.Error()}}
	}
	return nil
}

// Run posts the body.
func (a *ZapierWebhook) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	sc := a.Scope(payload)
	u, err := a.url.RenderStrict(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("url: %w", err))
	}
	body, err := a.body.Apply(sc)
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("body: %w", err))
	}
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: u, JSON: body, Timeout: a.timeout})
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	out := plugin.Payload{"status": res.Status, "json": res.Content()}
	return statusPort(&a.ActionRunner, res, out, res.Status >= 200 && res.Status <= 204, "Zapier")
}

// RegisterZapierWebhook describes the Zapier plugin.
func RegisterZapierWebhook() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &ZapierWebhook{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.zapier.webhook", Aliases: []string{tracardi + "connectors.zapier.webhook.plugin"},
			ClassName: "ZapierWebHookAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: zapierSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Zapier webhook", Desc: "Sends data to a Zapier webhook, to start a Zap.",
			Type: "flowNode", Icon: "zapier", Group: []string{"Zapier"},
			Tags: []string{"automation", "zapier", "webhook", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Posts the body as JSON to the Zap's catch hook. The URL may be built from event data, so " +
					"private and loopback addresses are refused unless the server allows them.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the URL and body can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"json\": Zapier's answer} for status 200 to 204."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"}; for an answer with another status also \"json\"."},
				},
			},
		},
	}
}
