package connectors

import (
	"context"
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
	airtableFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("api_key").Name("Access token").Required().
				Description("An Airtable personal access token (pat...) with access to the bases the flows use.")).
			Field(plugin.NewStringField("base_url").Name("API base URL").Default("https://api.airtable.com").
				Description("Airtable's API address; change it only to reach a stand-in."))
	// AirtableType is an Airtable access token.
	AirtableType = plugin.ResourceType{Type: "airtable", Name: "Airtable", Tags: []string{"airtable", "api_key"},
		Description: "An Airtable personal access token.", Fields: airtableFields, Check: checkAirtable}
)

func init() { plugin.RegisterResourceType(AirtableType) }

func airtableCall(ctx context.Context, c *plugin.ParsedConfig, method, path string, body any) (*outbound.Response, error) {
	res, err := outbound.Default().Do(ctx, outbound.Request{Method: method, URL: strings.TrimRight(c.String("base_url"), "/") + path,
		Header: http.Header{"Authorization": {"Bearer " + c.String("api_key")}}, JSON: body, Timeout: 15 * time.Second})
	if err == nil && res.Status != http.StatusOK {
		err = outbound.StatusError(res)
	}
	return res, err
}

func checkAirtable(ctx context.Context, creds map[string]any) error {
	c, err := airtableFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = airtableCall(ctx, c, "GET", "/v0/meta/whoami", nil)
	return err
}

func airtableTable(baseID, table string) string {
	return "/v0/" + url.PathEscape(baseID) + "/" + url.PathEscape(table)
}

// airtableSpec starts the config both Airtable plugins share.
func airtableSpec() *plugin.ConfigSpec {
	return plugin.NewConfigSpec().
		Field(plugin.NewResourceField("source", "airtable").Description("The airtable resource: an access token.")).
		Field(plugin.NewStringField("base_id").Name("Base ID").Required().Component("text", map[string]any{"label": "Base ID"}).
			Description("The base's id, the app... part of its URL (https://airtable.com/<BASE-ID>/...).")).
		Field(plugin.NewStringField("table_name").Name("Table name").Required().Component("text", map[string]any{"label": "Table"}).
			Description("The table's name or id."))
}

// AirtableSend adds a record to a table.
type AirtableSend struct {
	plugin.ActionRunner
	resource, base, table string
	mapping               *dotpath.Object
}

var airtableSendSpec = airtableSpec().
	Field(plugin.NewObjectField("mapping").Name("Record schema").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Field"}).
		Description("The record's fields: field name → value or reference, e.g. {\"Email\": \"profile@data.contact.email.main\"}."))

// SetUp reads the config.
func (a *AirtableSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := airtableSendSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.base, a.table = plugin.ResourceID(c.Object("source")), c.String("base_id"), c.String("table_name")
	if a.mapping, err = dotpath.CompileObject(c.Object("mapping"), true); err != nil {
		return plugin.FieldErrors{{Field: "mapping", Message: err.Error()}}
	}
	return nil
}

// Run adds the record (POST /v0/{base}/{table}, typecast on).
func (a *AirtableSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, AirtableType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	fields, err := a.mapping.Apply(a.Scope(payload))
	if err != nil {
		return errorPort(&a.ActionRunner, fmt.Errorf("mapping: %w", err))
	}
	res, err := airtableCall(ctx, creds, "POST", airtableTable(a.base, a.table), map[string]any{"fields": fields, "typecast": true})
	if err != nil {
		return errorPort(&a.ActionRunner, err, creds.String("api_key"))
	}
	out, _ := res.Content().(map[string]any)
	return plugin.Port("response", out), nil
}

// AirtableFetch reads records of a table.
type AirtableFetch struct {
	plugin.ActionRunner
	resource, base, table string
	formula               *dotpath.Template
}

var airtableFetchSpec = airtableSpec().
	Field(plugin.NewTemplateField("formula").Name("Formula").Default("").
		Description("An Airtable formula the records must satisfy, e.g. {Email} = '{{profile@data.contact.email.main}}'; empty for all (30 at most)."))

// SetUp reads the config.
func (a *AirtableFetch) SetUp(_ context.Context, config plugin.Config) error {
	c, err := airtableFetchSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.base, a.table, a.formula = plugin.ResourceID(c.Object("source")), c.String("base_id"), c.String("table_name"), c.Template("formula")
	return nil
}

// Run fetches up to 30 records.
func (a *AirtableFetch) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, AirtableType)
	if err != nil {
		return errorPort(&a.ActionRunner, err)
	}
	q := url.Values{"maxRecords": {"30"}}
	if f := a.formula.Render(a.Scope(payload)); f != "" {
		q.Set("filterByFormula", f)
	}
	res, err := airtableCall(ctx, creds, "GET", airtableTable(a.base, a.table)+"?"+q.Encode(), nil)
	if err != nil {
		return errorPort(&a.ActionRunner, err, creds.String("api_key"))
	}
	out, _ := res.Content().(map[string]any)
	return plugin.Port("response", out), nil
}

func registerAirtable(send bool) plugin.Plugin {
	name, desc, module, class, spec, resp := "Fetch data", "Fetches records of an Airtable table, optionally filtered by a formula.",
		"fetch_records", "FetchFromAirtableAction", airtableFetchSpec, "{\"records\": [...]}, Airtable's answer."
	newAction := func() plugin.Action { return &AirtableFetch{} }
	if send {
		name, desc, module, class, spec, resp = "Send data", "Adds a record to an Airtable table.", "send_record", "SendToAirtableAction",
			airtableSendSpec, "the created record, {\"id\", \"fields\", \"createdTime\"}."
		newAction = func() plugin.Action { return &AirtableSend{} }
	}
	return plugin.Plugin{
		New: newAction,
		Spec: plugin.Spec{
			Module: "tracflow.connectors.airtable." + module, Aliases: []string{tracardi + "connectors.airtable." + module + ".plugin"},
			ClassName: class, Inputs: []string{"payload"}, Outputs: []string{"response", "error"},
			Config: spec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: name, Desc: desc, Type: "flowNode", Icon: "airtable", Group: []string{"AirTable"},
			Tags: []string{"airtable", "database", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type airtable (a personal access token). Differences from Tracardi: failures " +
					"go to the error port as {message, status, body} (Tracardi sent {error}).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the config can read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"response": {Desc: resp},
					"error":    {Desc: "{\"message\", \"status\", \"body\"} when Airtable refused the call or did not answer."},
				},
			},
		},
	}
}

// RegisterAirtableSend describes Airtable's Send data.
func RegisterAirtableSend() plugin.Plugin { return registerAirtable(true) }

// RegisterAirtableFetch describes Airtable's Fetch data.
func RegisterAirtableFetch() plugin.Plugin { return registerAirtable(false) }
