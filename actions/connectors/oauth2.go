package connectors

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// OAuth2Token gets a token from a token endpoint and puts it in the
// payload.
type OAuth2Token struct {
	plugin.ActionRunner
	resource    string
	destination dotpath.Ref
}

var oauth2Spec = plugin.NewConfigSpec().
	Group("OAuth2 connection configuration", "").
	Field(plugin.NewResourceField("source", "api").Name("API endpoint resource").
		Description("The api resource: its URL is the token endpoint; its user name and password are sent to it.")).
	Field(plugin.NewRefField("destination").Name("Token destination").Required().Writable().
		Component("dotPath", map[string]any{"label": "Prefix"}).
		Description("Where in the payload the endpoint's answer goes, e.g. payload@token.").
		Check(func(v any) error {
			if r, ok := v.(dotpath.Ref); ok && r.Source != dotpath.SourcePayload {
				return fmt.Errorf("must be a payload@ reference, e.g. payload@token")
			}
			return nil
		}))

// SetUp reads the config.
func (a *OAuth2Token) SetUp(_ context.Context, config plugin.Config) error {
	c, err := oauth2Spec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.destination = plugin.ResourceID(c.Object("source")), c.Ref("destination")
	return nil
}

// Run posts the credentials to the token endpoint.
func (a *OAuth2Token) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, APIType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	user, pass := creds.String("username"), creds.String("password")
	req := outbound.Request{Method: "POST", URL: creds.String("url"), Header: http.Header{}}
	if user != "" && pass != "" {
		req.Body = []byte(url.Values{"username": {user}, "password": {pass}}.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := outbound.Default().Do(ctx, req)
	if err == nil && res.Status != http.StatusOK {
		err = outbound.StatusError(res)
	}
	if err != nil {
		return errorPort(&a.ActionRunner, err, pass)
	}
	if err := a.Scope(payload).Set(a.destination, res.Content()); err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("destination: %w", err))
	}
	return plugin.Port("payload", payload), nil
}

// RegisterOAuth2Token describes the OAuth2 token plugin.
func RegisterOAuth2Token() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &OAuth2Token{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.oauth2_token", Aliases: []string{tracardi + "connectors.oauth2_token.plugin"},
			ClassName: "TokenGetter", Inputs: []string{"payload"}, Outputs: []string{"payload", "error"},
			Config: oauth2Spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Get OAuth2 token", Desc: "Gets an OAuth2 token from a token endpoint with a user name and password, into the payload.",
			Type: "flowNode", Icon: "plugin", Group: []string{"Operations"},
			Tags: []string{"oauth2", "token", "api", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type api: the token endpoint's URL, user name and password (sent as a form, " +
					"when both are set). The endpoint's answer, decoded when JSON, is written at the destination, e.g. " +
					"{\"access_token\": ...} at payload@token. Differences from Tracardi: any answer but 200 goes to the " +
					"error port as {message, status, body}.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the token is added to it."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The input payload with the endpoint's answer at the destination."},
					"error":   {Desc: "{\"message\", \"status\", \"body\"} when the endpoint did not answer 200."},
				},
			},
		},
	}
}
