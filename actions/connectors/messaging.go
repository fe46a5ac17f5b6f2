package connectors

import (
	"context"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// errorPort logs err (secrets hidden) and sends it to the error port as
// {"message", "status", "body"}.
func errorPort(r *plugin.ActionRunner, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	r.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// statusPort sends out on "response" when the service's answer was ok;
// otherwise it adds the status error to out (its body cleared of secrets),
// logs it, as service's when service is named, and sends out on "error".
func statusPort(r *plugin.ActionRunner, res *outbound.Response, out plugin.Payload, ok bool, service string, secrets ...string) (plugin.Results, error) {
	if ok {
		return plugin.Port("response", out), nil
	}
	e := outbound.StatusError(res)
	out["message"], out["body"] = e.Message, outbound.Redact(e.Body, secrets...)
	if service != "" {
		r.Console.Error("%s: %s", service, e.Message)
	} else {
		r.Console.Error("%s", e.Message)
	}
	return plugin.Port("error", out), nil
}

// Resource types of the messaging connectors.
var (
	discordFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Name("Webhook URL").Required().
				Description("The channel's webhook URL (Server settings → Integrations → Webhooks), https://discord.com/api/webhooks/..."))
	// DiscordType is a Discord channel webhook.
	DiscordType = plugin.ResourceType{Type: "discord", Name: "Discord", Tags: []string{"discord"},
		Description: "A Discord channel's webhook: its URL carries the credentials.",
		Fields:      discordFields, Check: checkDiscord}

	telegramFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("bot_token").Name("Bot token").Required().
				Description("The token BotFather gave the bot, 123456:ABC-...")).
			Field(plugin.NewStringField("chat_id").Name("Chat id").Required().
				Description("The chat the bot posts to: a number, or @channelname for a public channel.")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://api.telegram.org").
				Description("Telegram's Bot API address; change it only to reach a stand-in or a local Bot API server."))
	// TelegramType is a Telegram bot and the chat it posts to.
	TelegramType = plugin.ResourceType{Type: "telegram", Name: "Telegram", Tags: []string{"telegram"},
		Description: "A Telegram bot's token and the chat it posts to.",
		Fields:      telegramFields, Check: checkTelegram}
)

func init() {
	plugin.RegisterResourceType(DiscordType)
	plugin.RegisterResourceType(TelegramType)
}

func checkDiscord(ctx context.Context, creds map[string]any) error {
	c, err := discordFields.Parse(creds)
	if err != nil {
		return err
	}
	// A webhook's URL answers its description to GET.
	_, err = outbound.Default().DoOK(ctx, outbound.Request{URL: c.String("url"), Timeout: 10 * time.Second})
	return err
}

func telegramURL(c *plugin.ParsedConfig, method string) string {
	return strings.TrimRight(c.String("base_url"), "/") + "/bot" + c.String("bot_token") + "/" + method
}

func checkTelegram(ctx context.Context, creds map[string]any) error {
	c, err := telegramFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = outbound.Default().DoOK(ctx, outbound.Request{URL: telegramURL(c, "getMe"), Timeout: 10 * time.Second})
	return err
}

// DiscordPush posts a message to a Discord channel's webhook.
type DiscordPush struct {
	plugin.ActionRunner
	resource string
	timeout  time.Duration
	message  *dotpath.Template
	username string
}

var discordSpec = plugin.NewConfigSpec().
	Group("Discord server settings", "").
	Field(plugin.NewResourceField("resource", "discord").Name("Discord resource").
		Description("The discord resource holding the channel's webhook URL.")).
	Field(plugin.NewDurationField("timeout").Name("Webhook timeout").Default(10).Min(0.001).Max(600).
		Description("Seconds to wait for Discord.")).
	Group("Discord message settings", "").
	Field(plugin.NewTemplateField("message").Name("Message").Required().Component("textarea", map[string]any{"label": "Message template", "rows": 6}).
		Description("The text to post; {{ references }} are filled in.")).
	Field(plugin.NewStringField("username").Name("Sender username").Default("").
		Description("The name the message shows as sent by; empty for the webhook's own."))

// SetUp reads the config.
func (a *DiscordPush) SetUp(_ context.Context, config plugin.Config) error {
	c, err := discordSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("resource"))
	a.timeout, a.message, a.username = c.Duration("timeout"), c.Template("message"), c.String("username")
	return nil
}

// Run posts the message.
func (a *DiscordPush) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, DiscordType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	body := map[string]any{"content": a.message.Render(a.Scope(payload))}
	if a.username != "" {
		body["username"] = a.username
	}
	_, err = outbound.Default().DoOK(ctx, outbound.Request{Method: "POST", URL: creds.String("url"), JSON: body, Timeout: a.timeout})
	if err != nil {
		return errorPort(&a.ActionRunner, err, creds.String("url"))
	}
	return plugin.Port("response", payload), nil
}

// RegisterDiscordPush describes the Discord plugin.
func RegisterDiscordPush() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &DiscordPush{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.discord.push", Aliases: []string{tracardi + "connectors.discord.push.plugin"},
			ClassName: "DiscordWebHookAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: discordSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Discord push", Desc: "Posts a message to a Discord channel through its webhook.",
			Type: "flowNode", Icon: "discord", Group: []string{"Messaging"},
			Tags: []string{"discord", "message", "chat", "connector"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type discord holding the channel's webhook URL. " +
					"Differences from Tracardi: failures go to the error port as {message, status, body} " +
					"(Tracardi sent {status} or a bare text).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "The input payload, once Discord accepted the message."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when the call failed or Discord refused it."},
				},
			},
		},
	}
}

// TelegramPost sends a message to a Telegram chat as a bot.
type TelegramPost struct {
	plugin.ActionRunner
	resource string
	message  *dotpath.Template
}

var telegramSpec = plugin.NewConfigSpec().
	Group("Telegram post configuration", "").
	Field(plugin.NewResourceField("resource", "telegram").
		Description("The telegram resource: the bot's token and the chat it posts to.")).
	Field(plugin.NewTemplateField("message").Name("Message template").Required().Component("textarea", map[string]any{"label": "Message template"}).
		Description("The text to send; {{ references }} are filled in."))

// SetUp reads the config.
func (a *TelegramPost) SetUp(_ context.Context, config plugin.Config) error {
	c, err := telegramSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.message = plugin.ResourceID(c.Object("resource")), c.Template("message")
	return nil
}

// Run sends the message (Bot API sendMessage).
func (a *TelegramPost) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, TelegramType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	token := creds.String("bot_token")
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: telegramURL(creds, "sendMessage"),
		JSON: map[string]any{"chat_id": creds.String("chat_id"), "text": a.message.Render(a.Scope(payload))}, Timeout: 15 * time.Second})
	if err != nil {
		return errorPort(&a.ActionRunner, err, token)
	}
	out := plugin.Payload{"status": res.Status, "content": res.Content()}
	return statusPort(&a.ActionRunner, res, out, res.Status >= 200 && res.Status <= 203, "Telegram", token)
}

// RegisterTelegramPost describes the Telegram plugin.
func RegisterTelegramPost() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &TelegramPost{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.telegram.post", Aliases: []string{tracardi + "connectors.telegram.post.plugin", tracardi + "connectors.telegram.post.registry"},
			ClassName: "TelegramPostAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: telegramSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Telegram message", Desc: "Sends a message to a Telegram chat through a bot.", Brand: "Telegram",
			Type: "flowNode", Icon: "telegram", Group: []string{"Telegram"},
			Tags: []string{"telegram", "message", "chat", "connector"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type telegram: the bot token and the chat id. The call waits 15 seconds at most. " +
					"Differences from Tracardi: the message is sent with POST and a JSON body (Tracardi sent a GET with a form body).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\", \"content\": Telegram's answer, {\"ok\": true, \"result\": the message}}."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"}; for an answer Telegram refused also \"content\" (e.g. {\"ok\": false, \"description\": \"Bad Request: chat not found\"})."},
				},
			},
		},
	}
}
