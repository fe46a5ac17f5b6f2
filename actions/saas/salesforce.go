package saas

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	salesforceFields = plugin.NewConfigSpec().
				Field(plugin.NewStringField("client_id").Name("Client ID").Required().Description("The client id of a Marketing Cloud server-to-server installed package.")).
				Field(plugin.NewStringField("client_secret").Name("Client secret").Required().Description("Its client secret.")).
				Field(plugin.NewStringField("subdomain").Name("Subdomain").Required().
					Description("The tenant subdomain of the package's URIs, e.g. mc563885gzs27c5t9-63k636ttgm.")).
				Field(plugin.NewStringField("auth_url").Name("Auth base URL").Default("").
					Description("Empty for https://<subdomain>.auth.marketingcloudapis.com; set it only to reach a stand-in.")).
				Field(plugin.NewStringField("rest_url").Name("REST base URL").Default("").
					Description("Empty for https://<subdomain>.rest.marketingcloudapis.com; set it only to reach a stand-in.")).
				Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).Description("Seconds to wait for an answer."))
	// SalesforceType is a Salesforce Marketing Cloud installed package.
	SalesforceType = plugin.ResourceType{Type: "salesforce", Name: "Salesforce Marketing Cloud", Tags: []string{"salesforce"},
		Description: "A Marketing Cloud server-to-server package: client id and secret, and the tenant subdomain.", Fields: salesforceFields}

	// sfHost is a Marketing Cloud host of the subdomain.
	sfHost = func(c *plugin.ParsedConfig, field, kind string) (string, error) {
		if b := baseURL(c, field); b != "" {
			return b, nil
		}
		sub := strings.TrimSpace(c.String("subdomain"))
		if sub == "" || strings.ContainsAny(sub, "/:@?#") {
			return "", errors.New("the Salesforce resource's subdomain is not a host name part")
		}
		return "https://" + sub + "." + kind + ".marketingcloudapis.com", nil
	}
	salesforce = &service{name: "Salesforce Marketing Cloud", baseURL: "rest_url", secrets: []string{"client_secret"},
		baseOf: func(c *plugin.ParsedConfig) (string, error) { return sfHost(c, "rest_url", "rest") },
		oauth: &clientCredentials{token: func(c *plugin.ParsedConfig) (outbound.Request, error) {
			auth, err := sfHost(c, "auth_url", "auth")
			if err != nil {
				return outbound.Request{}, err
			}
			return outbound.Request{Method: "POST", URL: auth + "/v2/token", JSON: map[string]any{"grant_type": "client_credentials",
				"client_id": c.String("client_id"), "client_secret": c.String("client_secret")}}, nil
		}}}
)

func init() {
	salesforce.typ = SalesforceType
	SalesforceType.Check = func(ctx context.Context, creds map[string]any) error {
		c, err := SalesforceType.ParseCredentials(creds)
		if err != nil {
			return err
		}
		r := outbound.Request{Header: map[string][]string{}}
		if err := salesforce.oauth.authorize(ctx, c, &r); err != nil {
			return errors.New(outbound.Redact(err.Error(), c.String("client_secret")))
		}
		return nil
	}
	plugin.RegisterResourceType(SalesforceType)
}

// SalesforceSend adds or updates a row of a data extension.
type SalesforceSend struct {
	base
	extension string
	update    bool
	mapping   *dotpath.Object
}

var salesforceSpec = plugin.NewConfigSpec().
	Field(plugin.NewResourceField("source", "salesforce").Name("Salesforce resource").Description("The salesforce resource: the installed package's credentials.")).
	Field(plugin.NewStringField("extension_id").Name("Data Extension ID").Required().Description("The id of the data extension that gets the row.")).
	Field(plugin.NewBoolField("update").Name("Update records").Default(false).
		Description("Insert or update the row by its primary key; otherwise only insert.")).
	Field(plugin.NewAnyField("mapping").Name("Record mapping").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Column"}).
		Description("The row: the column name as the key, a value or reference as the value, e.g. {\"Email\": \"profile@data.contact.email.main\"}."))

// SetUp reads the config.
func (a *SalesforceSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := salesforceSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.extension, a.update = plugin.ResourceID(c.Object("source")), c.String("extension_id"), c.Bool("update")
	a.mapping, err = compileMapping("mapping", c.Any("mapping"))
	return err
}

// Run sends the row (POST, or PUT to upsert, /data/v1/async/dataextensions/{id}/rows)
// and passes the payload on.
func (a *SalesforceSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	row, err := a.mapping.Apply(a.Scope(payload))
	if err != nil {
		return a.fail(fmt.Errorf("mapping: %w", err))
	}
	method := "POST"
	if a.update {
		method = "PUT"
	}
	p := "/data/v1/async/dataextensions/" + url.PathEscape(a.extension) + "/rows"
	if _, fail := a.send(ctx, salesforce, call{method: method, path: p, json: map[string]any{"items": []any{row}}}); fail != nil {
		return fail, nil
	}
	return plugin.Port("success", payload), nil
}

// RegisterSalesforceSend describes Salesforce Marketing Cloud's Send to Data Extension.
func RegisterSalesforceSend() plugin.Plugin {
	return register(meta{module: "salesforce.marketing_cloud.send", class: "DataExtensionSender", name: "Send to Data Extension",
		desc: "Adds a row to a Salesforce Marketing Cloud data extension, or updates it.", brand: "Salesforce", group: "Salesforce",
		icon: "salesforce", resource: "salesforce", tags: []string{"marketing", "salesforce"}, spec: salesforceSpec, outputs: []string{"success", "error"},
		new: func() plugin.Action { return &SalesforceSend{} },
		tutorial: "Tracflow asks for an access token with the package's credentials and keeps it in memory until it expires " +
			"(a call answered 401 gets a new one). Marketing Cloud takes rows asynchronously: success means it accepted the request.",
		ports: map[string]string{"success": "The input payload, when Marketing Cloud accepted the row."}})
}
