package connectors

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// The resource types of the connectors, registered when the package loads.
var (
	// APIType is a remote API: its base URL and optional basic auth and
	// headers (Tracardi's "api" resource).
	APIType = plugin.ResourceType{
		Type: "api", Name: "API endpoint", Tags: []string{"api", "destination"},
		Description: "A remote HTTP API: its base URL, and the credentials every call sends.",
		Fields:      apiFields,
		Check:       checkAPI,
	}
	// SlackType is a Slack bot token.
	SlackType = plugin.ResourceType{
		Type: "slack", Name: "Slack", Tags: []string{"token", "slack"},
		Description: "A Slack app's bot token (xoxb-...), with the chat:write scope to post messages.",
		Fields:      slackFields,
		Check:       checkSlack,
	}
	// SMTPType is a mail server.
	SMTPType = plugin.ResourceType{
		Type: "smtp-server", Name: "SMTP", Tags: []string{"mail", "smtp"},
		Description: "A mail server that relays the e-mails flows send.",
		Fields:      smtpFields,
		Check:       checkSMTP,
	}
)

var (
	apiFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Name("Base URL").Required().
				Description("The API's base URL, e.g. https://api.example.com/v1; a node's endpoint is appended to it.")).
			Field(plugin.NewStringField("username").Name("User name").Default("").
				Description("User name for HTTP basic authentication; empty for none.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").
				Description("Password for HTTP basic authentication.")).
			Field(plugin.NewObjectField("headers").Name("Headers").Default(map[string]any{}).
				Description("Headers sent with every call, e.g. {\"Authorization\": \"Bearer ...\"}."))
	slackFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("token").Name("Bot token").Required().
				Description("The bot user OAuth token, xoxb-...")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://slack.com/api").
				Description("Slack's Web API address; change it only to reach a stand-in."))
	smtpFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("smtp").Name("Host").Required().
				Description("The SMTP server's host name, e.g. smtp.example.com.")).
			Field(plugin.NewIntField("port").Name("Port").Default(587).Min(1).Max(65535).
				Description("The server's port: 587 for STARTTLS, 465 for TLS, 25 for plain relays.")).
			Field(plugin.NewStringField("username").Name("User name").Default("").
				Description("Login; empty when the server needs none.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").
				Description("Password of the login.")).
			Field(plugin.NewEnumField("tls",
			plugin.Option{Value: "starttls", Label: "STARTTLS (required)"},
			plugin.Option{Value: "opportunistic", Label: "STARTTLS when offered"},
			plugin.Option{Value: "ssl", Label: "TLS from the start (port 465)"},
			plugin.Option{Value: "none", Label: "None (plain text)"}).
			Name("TLS").Default("starttls").
			Description("How the connection is encrypted. Tracardi always used STARTTLS.")).
		Field(plugin.NewIntField("timeout").Name("Timeout").Default(15).Min(1).Max(300).
			Description("Seconds to wait for the server."))
)

func init() {
	for _, t := range []plugin.ResourceType{APIType, SlackType, SMTPType} {
		plugin.RegisterResourceType(t)
	}
}

// checkAPI calls the base URL: any answer but a server error or a refused
// login means the API is reachable with these credentials.
func checkAPI(ctx context.Context, creds map[string]any) error {
	c, err := apiFields.Parse(creds)
	if err != nil {
		return err
	}
	req, err := apiRequest(c, "GET", "")
	if err != nil {
		return err
	}
	req.Timeout = 10 * time.Second
	res, err := outbound.Default().Do(ctx, req)
	if err != nil {
		return err
	}
	if res.Status >= 500 || res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden {
		return outbound.StatusError(res)
	}
	return nil
}

// apiRequest starts a call to the API resource's base URL plus endpoint,
// with its basic auth and headers.
func apiRequest(c *plugin.ParsedConfig, method, endpoint string) (outbound.Request, error) {
	base := strings.TrimSpace(c.String("url"))
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	base = strings.TrimRight(base, "/")
	h := http.Header{}
	for k, v := range c.Object("headers") {
		s, ok := v.(string)
		if !ok {
			return outbound.Request{}, fmt.Errorf("resource header %q: expected a text value", k)
		}
		h.Set(k, s)
	}
	if u := c.String("username"); u != "" || c.String("password") != "" {
		r, _ := http.NewRequest("GET", "http://x", nil)
		r.SetBasicAuth(u, c.String("password"))
		h.Set("Authorization", r.Header.Get("Authorization"))
	}
	full := base + endpoint
	// The endpoint may be filled from event data: it must not move the call
	// to another host ("@evil.example/x" would make the base URL user info),
	// where the resource's credentials would go.
	bu, err := url.Parse(base)
	if err != nil {
		return outbound.Request{}, fmt.Errorf("the resource's URL is invalid: %w", err)
	}
	fu, err := url.Parse(full)
	if err != nil || fu.Scheme != bu.Scheme || fu.Host != bu.Host || fu.User.String() != bu.User.String() {
		return outbound.Request{}, fmt.Errorf("endpoint %q leads away from the resource's host %s", endpoint, bu.Host)
	}
	return outbound.Request{Method: method, URL: full, Header: h}, nil
}

func checkSlack(ctx context.Context, creds map[string]any) error {
	c, err := slackFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = slackCall(ctx, c, "auth.test", nil, 10*time.Second)
	return err
}

func checkSMTP(ctx context.Context, creds map[string]any) error {
	c, err := smtpFields.Parse(creds)
	if err != nil {
		return err
	}
	cl, err := smtpClient(c)
	if err != nil {
		return err
	}
	if err := cl.DialWithContext(ctx); err != nil {
		return fmt.Errorf("SMTP %s:%d: %w", c.String("smtp"), c.Int("port"), err)
	}
	return cl.Close()
}
