package connectors

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	clicksendFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("username").Name("User name").Required().
				Description("The ClickSend account's user name.")).
			Field(plugin.NewStringField("api_key").Name("API key").Required().
				Description("The account's API key (Dashboard → API credentials).")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://rest.clicksend.com/v3").
				Description("ClickSend's REST API address; change it only to reach a stand-in."))
	// ClickSendType is a ClickSend account.
	ClickSendType = plugin.ResourceType{Type: "clicksend", Name: "ClickSend", Tags: []string{"clicksend", "sms"},
		Description: "A ClickSend account that sends SMS.", Fields: clicksendFields, Check: checkClickSend}

	githubFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_url").Name("API URL").Default("https://api.github.com").
				Description("GitHub's REST API address; for GitHub Enterprise, https://HOST/api/v3.")).
			Field(plugin.NewStringField("personal_access_token").Name("Personal access token").Default("").
				Description("A token with read access to the repositories' issues; empty for public repositories."))
	// GitHubType is a GitHub API access.
	GitHubType = plugin.ResourceType{Type: "github", Name: "GitHub", Tags: []string{"github"},
		Description: "Access to GitHub's REST API.", Fields: githubFields, Check: checkGitHub}
)

func init() {
	plugin.RegisterResourceType(ClickSendType)
	plugin.RegisterResourceType(GitHubType)
}

func basicAuth(user, pass string) string {
	r, _ := http.NewRequest("GET", "http://x", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

func checkClickSend(ctx context.Context, creds map[string]any) error {
	c, err := clicksendFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = outbound.Default().DoOK(ctx, outbound.Request{URL: strings.TrimRight(c.String("base_url"), "/") + "/account",
		Header: http.Header{"Authorization": {basicAuth(c.String("username"), c.String("api_key"))}}, Timeout: 10 * time.Second})
	return err
}

func githubGet(ctx context.Context, c *plugin.ParsedConfig, path string, timeout time.Duration) (*outbound.Response, error) {
	h := http.Header{"Accept": {"application/vnd.github+json"}, "X-GitHub-Api-Version": {"2022-11-28"}}
	if pat := c.String("personal_access_token"); pat != "" {
		h.Set("Authorization", "Bearer "+pat)
	}
	return outbound.Default().Do(ctx, outbound.Request{URL: strings.TrimRight(c.String("api_url"), "/") + path, Header: h, Timeout: timeout})
}

func checkGitHub(ctx context.Context, creds map[string]any) error {
	c, err := githubFields.Parse(creds)
	if err != nil {
		return err
	}
	path := "/rate_limit"
	if c.String("personal_access_token") != "" {
		path = "/user"
	}
	res, err := githubGet(ctx, c, path, 10*time.Second)
	if err == nil && !res.OK() {
		err = outbound.StatusError(res)
	}
	return err
}

// ClickSendSMS sends an SMS through ClickSend.
type ClickSendSMS struct {
	plugin.ActionRunner
	resource          string
	message           *dotpath.Template
	recipient, sender dotpath.Value
}

var clicksendSpec = plugin.NewConfigSpec().
	Group("ClickSend notification configuration", "").
	Field(plugin.NewResourceField("resource", "clicksend").
		Description("The clicksend resource: the account's user name and API key.")).
	Field(plugin.NewTemplateField("message").Name("Message template").Required().Component("textarea", map[string]any{"label": "Message template"}).
		Description("The SMS text; {{ references }} are filled in.")).
	Field(plugin.NewValueField("sender").Name("Sender").Default("").Component("dotPath", map[string]any{"label": "Sender"}).
		Description("The sender name or number, or a reference to it; empty for the account's default sender.")).
	Field(plugin.NewValueField("recipient").Name("Recipient").Default("profile@data.pii.telephone").Component("dotPath", map[string]any{"label": "Recipient"}).
		Description("The recipient's phone number, or a reference to it."))

// SetUp reads the config.
func (a *ClickSendSMS) SetUp(_ context.Context, config plugin.Config) error {
	c, err := clicksendSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.message = plugin.ResourceID(c.Object("resource")), c.Template("message")
	a.recipient, a.sender = c.Value("recipient"), c.Value("sender")
	return nil
}

// Run sends the SMS.
func (a *ClickSendSMS) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, ClickSendType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	sc := a.Scope(payload)
	to, err := a.recipient.Resolve(sc)
	if err != nil || dotpath.Stringify(to) == "" {
		if err == nil {
			err = fmt.Errorf("%s is empty", a.recipient)
		}
		return errorPort(&a.ActionRunner, fmt.Errorf("recipient: %w", err))
	}
	msg := map[string]any{"body": a.message.Render(sc), "to": dotpath.Stringify(to), "source": "tracflow"}
	if from, err := a.sender.Resolve(sc); err == nil && dotpath.Stringify(from) != "" {
		msg["from"] = dotpath.Stringify(from)
	}
	key := creds.String("api_key")
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: "POST", URL: strings.TrimRight(creds.String("base_url"), "/") + "/sms/send",
		Header: http.Header{"Authorization": {basicAuth(creds.String("username"), key)}},
		JSON:   map[string]any{"messages": []any{msg}}, Timeout: 15 * time.Second})
	if err != nil {
		return errorPort(&a.ActionRunner, err, key)
	}
	out := plugin.Payload{"status": res.Status, "content": res.Content()}
	return statusPort(&a.ActionRunner, res, out, res.Status == http.StatusOK, "ClickSend", key)
}

// RegisterClickSendSMS describes the ClickSend plugin.
func RegisterClickSendSMS() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &ClickSendSMS{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.clicksend.sendsms", Aliases: []string{tracardi + "connectors.clicksend.sendsms.plugin", tracardi + "connectors.clicksend.sendsms.registry"},
			ClassName: "ClicksendSendSmsAction", Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: clicksendSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Send SMS", Desc: "Sends an SMS through the ClickSend gateway.", Brand: "ClickSend",
			Type: "flowNode", Icon: "chat", Group: []string{"SMS"},
			Tags: []string{"sms", "clicksend", "message", "connector"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type clicksend. Calls ClickSend's POST /v3/sms/send with basic auth and waits 15 " +
					"seconds at most. Differences from Tracardi: an empty sender uses the account's default sender (Tracardi sent it empty).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the message and numbers can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: "{\"status\": 200, \"content\": ClickSend's answer}."},
					"error":    {Desc: "{\"message\", \"status\", \"body\"}; for a refused request also \"content\", ClickSend's answer."},
				},
			},
		},
	}
}

var (
	githubOwner = regexp.MustCompile(`^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$`)
	githubRepo  = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
)

func githubSpec(withIssue bool) *plugin.ConfigSpec {
	s := plugin.NewConfigSpec().
		Field(plugin.NewResourceField("resource", "github").
			Description("The github resource: API address and personal access token.")).
		Field(plugin.NewStringField("owner").Name("Owner").Required().Pattern(githubOwner.String(), "a GitHub user or organisation name: letters, digits and single hyphens").
			Description("The repository's owner, e.g. tracardi.")).
		Field(plugin.NewStringField("repo").Name("Repository").Required().Pattern(githubRepo.String(), "a repository name: letters, digits, '.', '_' and '-'").
			Description("The repository's name, e.g. tracardi."))
	if withIssue {
		s.Field(plugin.NewValueField("issue_id").Name("Issue ID").Required().Component("dotPath", map[string]any{"defaultSourceValue": "event"}).
			Description("The issue's number (#12 or 12), or a reference to it."))
	}
	return s.Field(plugin.NewDurationField("timeout").Name("Timeout").Default(10).Min(0.001).Max(600).
		Description("Seconds to wait for GitHub."))
}

var (
	githubListSpec = githubSpec(false)
	githubGetSpec  = githubSpec(true)
)

// GitHubIssues lists a repository's issues, or gets one.
type GitHubIssues struct {
	plugin.ActionRunner
	one         bool
	resource    string
	owner, repo string
	issue       dotpath.Value
	timeout     time.Duration
}

// SetUp reads the config.
func (a *GitHubIssues) SetUp(_ context.Context, config plugin.Config) error {
	spec := githubListSpec
	if a.one {
		spec = githubGetSpec
	}
	c, err := spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.owner, a.repo, a.timeout = plugin.ResourceID(c.Object("resource")), c.String("owner"), c.String("repo"), c.Duration("timeout")
	if a.one {
		a.issue = c.Value("issue_id")
	}
	return nil
}

// Run calls GitHub.
func (a *GitHubIssues) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, GitHubType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	path := "/repos/" + url.PathEscape(a.owner) + "/" + url.PathEscape(a.repo) + "/issues"
	if a.one {
		v, err := a.issue.Resolve(a.Scope(payload))
		id := strings.TrimLeft(dotpath.Stringify(v), "#")
		if err == nil && id == "" {
			err = fmt.Errorf("%s is empty", a.issue)
		}
		if err != nil {
			return errorPort(&a.ActionRunner, fmt.Errorf("issue_id: %w", err))
		}
		path += "/" + url.PathEscape(id)
	}
	a.Console.Log("Getting %s from GitHub.", path)
	pat := creds.String("personal_access_token")
	res, err := githubGet(ctx, creds, path, a.timeout)
	if err != nil {
		return errorPort(&a.ActionRunner, err, pat)
	}
	out := plugin.Payload{"status": res.Status, "body": res.Content()}
	if res.OK() {
		return plugin.Port("payload", out), nil
	}
	e := outbound.StatusError(res)
	out["message"] = e.Message
	a.Console.Error("GitHub: %s", e.Message)
	return plugin.Port("error", out), nil
}

func registerGitHub(one bool) plugin.Plugin {
	name, desc, module, class, spec, what := "List Issues", "Lists a GitHub repository's issues.", "list", "GitHubListIssuesAction", githubListSpec, "the list of issues"
	if one {
		name, desc, module, class, spec, what = "Get Issue", "Gets one GitHub issue's details.", "get", "GitHubGetIssueAction", githubGetSpec, "the issue"
	}
	return plugin.Plugin{
		New: func() plugin.Action { return &GitHubIssues{one: one} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.github.issues." + module, Aliases: []string{tracardi + "connectors.github.issues." + module + ".plugin"},
			ClassName: class, Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: name, Desc: desc, Type: "flowNode", Icon: "github", Group: []string{"GitHub"},
			Tags: []string{"github", "issues", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type github (API URL and, for private repositories, a personal access token). " +
					"Differences from Tracardi: the answer goes to the declared payload port (Tracardi's code used a " +
					"response port its spec does not have, so nothing came out), and failures carry a message.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the issue id can be read from it."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "{\"status\", \"body\": " + what + " as GitHub answers it}."},
					"error":   {Desc: "{\"message\", \"status\", \"body\"} when the call failed or GitHub refused it."},
				},
			},
		},
	}
}

// RegisterGitHubListIssues describes the List Issues plugin.
func RegisterGitHubListIssues() plugin.Plugin { return registerGitHub(false) }

// RegisterGitHubGetIssue describes the Get Issue plugin.
func RegisterGitHubGetIssue() plugin.Plugin { return registerGitHub(true) }
