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

// slackCall posts body to Slack's Web API method and returns its answer;
// an answer that is not 200 or not {"ok": true} is an *outbound.Error.
func slackCall(ctx context.Context, c *plugin.ParsedConfig, method string, body map[string]any, timeout time.Duration) (map[string]any, error) {
	base := strings.TrimRight(c.String("base_url"), "/")
	if body == nil {
		body = map[string]any{}
	}
	res, err := outbound.Default().Do(ctx, outbound.Request{
		Method: "POST", URL: base + "/" + method, Timeout: timeout,
		Header: http.Header{"Authorization": {"Bearer " + c.String("token")}, "Content-Type": {"application/json; charset=utf-8"}},
		JSON:   body,
	})
	if err != nil {
		return nil, err
	}
	if res.Status != http.StatusOK {
		return nil, outbound.StatusError(res)
	}
	ans, _ := res.Content().(map[string]any)
	if ok, _ := ans["ok"].(bool); !ok {
		e := outbound.StatusError(res)
		reason, _ := ans["error"].(string)
		if reason == "" {
			reason = "no \"ok\": true in the answer"
		}
		e.Message = "Slack refused the call: " + reason
		return nil, e
	}
	return ans, nil
}

// SlackPost posts a message to a Slack channel as the resource's bot.
type SlackPost struct {
	plugin.ActionRunner
	resource string
	channel  dotpath.Value
	message  *dotpath.Template
	timeout  time.Duration
}

var slackSpec = plugin.NewConfigSpec().
	Group("Slack configuration", "").
	Field(plugin.NewResourceField("source", "token").Name("Slack resource").
		Description("The Slack resource whose bot token posts the message.")).
	Field(plugin.NewValueField("channel").Name("Slack channel").Required().Component("dotPath", map[string]any{"label": "Channel"}).
		Description("The channel to post to: its name (#general) or id, or a reference to it, e.g. event@properties.channel.")).
	Field(plugin.NewTemplateField("message").Name("Message").Required().Component("textarea", map[string]any{"label": "Message"}).
		Description("The text to post; {{ references }} are filled from the payload, event, profile or session.")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(30).Min(0.001).Max(600).Hidden().
		Description("Seconds to wait for Slack; not in Tracardi's form."))

// SetUp reads the config.
func (a *SlackPost) SetUp(_ context.Context, config plugin.Config) error {
	c, err := slackSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.channel = c.Value("channel")
	a.message = c.Template("message")
	a.timeout = c.Duration("timeout")
	return nil
}

// Run posts the message.
func (a *SlackPost) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, SlackType)
	if err != nil {
		return a.fail(err)
	}
	sc := a.Scope(payload)
	ch, err := a.channel.Resolve(sc)
	if err != nil {
		return a.fail(fmt.Errorf("channel: %w", err))
	}
	channel := dotpath.Stringify(ch)
	if channel == "" {
		return a.fail(fmt.Errorf("channel: %s is empty", a.channel))
	}
	ans, err := slackCall(ctx, creds, "chat.postMessage",
		map[string]any{"channel": channel, "text": a.message.Render(sc)}, a.timeout)
	if err != nil {
		return a.fail(err, creds.String("token"))
	}
	return plugin.Port("response", ans), nil
}

func (a *SlackPost) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// RegisterSlackPost describes the Slack plugin.
func RegisterSlackPost() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &SlackPost{} },
		Spec: plugin.Spec{
			Module:    "tracflow.connectors.slack.send_message",
			Aliases:   []string{tracardi + "connectors.slack.send_message.plugin"},
			ClassName: "SlackPoster",
			Inputs:    []string{"payload"},
			Outputs:   []string{"response", "error"},
			Config:    slackSpec,
			License:   "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name:    "Post to Slack Channel",
			Desc:    "Posts a message to a Slack channel through Slack's chat.postMessage, as the bot of a Slack resource.",
			Type:    "flowNode",
			Icon:    "slack",
			Group:   []string{"Messaging"},
			Tags:    []string{"slack", "message", "chat", "connector"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type slack holding a bot token with the chat:write scope; the bot " +
					"must be a member of the channel. Debug runs use the resource's test token. " +
					"Differences from Tracardi: a failure goes to the error port as {message, status, body} " +
					"(Tracardi sent {detail}), and a missing resource or channel is reported there too " +
					"instead of stopping the flow.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message and channel can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "Slack's answer, e.g. {\"ok\": true, \"channel\": \"C123\", \"ts\": \"...\", \"message\": {...}}."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when the call failed or Slack refused it (e.g. channel_not_found)."},
				},
			},
		},
	}
}
