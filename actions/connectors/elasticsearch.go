package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	elasticFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Name("Host").Required().
				Description("The cluster's host name (es.example.com), host:port, or a full URL (https://es.example.com:9200); a full URL is used as it is.")).
			Field(plugin.NewIntField("port").Name("Port").Default(9200).Min(1).Max(65535).
				Description("The port, when Host is a bare host name.")).
			Field(plugin.NewEnumField("scheme", plugin.Option{Value: "https", Label: "HTTPS"}, plugin.Option{Value: "http", Label: "HTTP"}).
				Name("Scheme").Default("https").Description("http or https, when Host is not a full URL.")).
			Field(plugin.NewStringField("username").Name("User name").Default("").
				Description("User for HTTP basic authentication; empty for none.")).
			Field(plugin.NewStringField("password").Name("Password").Default("").
				Description("The user's password.")).
			Field(plugin.NewBoolField("verify_certs").Name("Verify certificates").Default(true).
				Description("Check the cluster's TLS certificate; turn off only for a self-signed test cluster."))
	// ElasticsearchType is an Elasticsearch cluster and its login.
	ElasticsearchType = plugin.ResourceType{Type: "elasticsearch", Name: "Elasticsearch", Tags: []string{"elasticsearch", "database"},
		Description: "An Elasticsearch (or OpenSearch) cluster that flows query.", Fields: elasticFields}
)

func init() {
	ElasticsearchType.Check = checkElastic
	plugin.RegisterResourceType(ElasticsearchType)
}

// elasticBase returns the cluster's base URL from a credential set.
func elasticBase(c *plugin.ParsedConfig) (string, error) {
	host := strings.TrimRight(strings.TrimSpace(c.String("url")), "/")
	if !strings.Contains(host, "://") {
		if _, _, err := netSplitHostPort(host); err != nil {
			host += ":" + strconv.Itoa(c.Int("port"))
		}
		host = c.String("scheme") + "://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("Elasticsearch resource: url: %q is not a host or an http(s) URL", c.String("url"))
	}
	return host, nil
}

func netSplitHostPort(h string) (string, string, error) {
	u, err := url.Parse("x://" + h)
	if err != nil || u.Port() == "" {
		return "", "", fmt.Errorf("no port")
	}
	return u.Hostname(), u.Port(), nil
}

// elasticCall makes one call to the cluster and decodes its JSON answer.
func elasticCall(ctx context.Context, c *plugin.ParsedConfig, method, path string, body any, timeout time.Duration) (map[string]any, error) {
	base, err := elasticBase(c)
	if err != nil {
		return nil, err
	}
	h := http.Header{"Accept": {"application/json"}}
	if u := c.String("username"); u != "" {
		req, _ := http.NewRequest("GET", "http://x", nil)
		req.SetBasicAuth(u, c.String("password"))
		h.Set("Authorization", req.Header.Get("Authorization"))
	}
	res, err := outbound.Default().DoOK(ctx, outbound.Request{Method: method, URL: base + path, Header: h, JSON: body,
		Timeout: timeout, SkipTLSVerify: !c.Bool("verify_certs")})
	if err != nil {
		return nil, err
	}
	ans, ok := res.Content().(map[string]any)
	if !ok {
		e := outbound.StatusError(res)
		e.Message = "Elasticsearch answered something that is not a JSON object"
		return nil, e
	}
	return ans, nil
}

// checkElastic is the resource's Test connection: the cluster's info.
func checkElastic(ctx context.Context, creds map[string]any) error {
	c, err := ElasticsearchType.ParseCredentials(creds)
	if err != nil {
		return err
	}
	_, err = elasticCall(ctx, c, "GET", "/", nil, 10*time.Second)
	if err != nil {
		return fmt.Errorf("%s", outbound.Redact(err.Error(), c.String("password")))
	}
	return nil
}

// parseDSL reads a query DSL given as JSON text (or as an object).
func parseDSL(v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		var q map[string]any
		if err := json.Unmarshal([]byte(x), &q); err != nil || q == nil {
			if err == nil {
				err = fmt.Errorf("not an object")
			}
			return nil, plugin.FieldErr("query", "not a JSON object: %v", err)
		}
		return q, nil
	}
	return nil, plugin.FieldErr("query", "expected the query DSL as JSON text")
}

// querySize sets the query's size to 20 when it has none, and warns when
// it asks for more than 50 records.
func querySize(con plugin.Console, q map[string]any) {
	if _, ok := q["size"]; !ok {
		q["size"] = 20.0
	}
	if n, ok := q["size"].(float64); ok && n > 50 {
		con.Warning("Fetching more than 50 records may slow the editor down.")
	}
}

// ElasticQuery searches an index of an Elasticsearch cluster.
type ElasticQuery struct {
	plugin.ActionRunner
	resource string
	index    string
	query    map[string]any
	timeout  time.Duration
}

var elasticQuerySpec = plugin.NewConfigSpec().
	Group("Plugin configuration", "").
	Field(plugin.NewResourceField("source", "elasticsearch").Name("Elasticsearch resource").
		Description("The Elasticsearch resource of the cluster to query.")).
	Field(plugin.NewObjectField("index").Name("Elasticsearch index").Default(map[string]any{"id": "", "name": ""}).
		Component("autocomplete", map[string]any{"label": "Index"}).
		Description("The index (or alias) to search: {\"id\": \"index-name\", \"name\": \"...\"}.")).
	Field(plugin.NewJSONField("query").Name("Query").Default(`{"query":{"match_all":{}}}`).Component("json", map[string]any{"label": "DSL query"}).
		Description("The search body in Elasticsearch's query DSL. Without a size, 20 records are asked for.")).
	Field(plugin.NewDurationField("timeout").Name("Timeout").Default(30).Min(0.001).Max(600).Hidden().
		Description("Seconds to wait for the cluster; not in Tracardi's form."))

// SetUp reads the configuration and parses the query once.
func (a *ElasticQuery) SetUp(_ context.Context, config plugin.Config) error {
	c, err := elasticQuerySpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource = plugin.ResourceID(c.Object("source"))
	a.index = plugin.ResourceID(c.Object("index"))
	if a.index == "" {
		return plugin.FieldErr("index", "this field cannot be empty: choose the index to search")
	}
	if strings.ContainsAny(a.index, "/?#") {
		return plugin.FieldErr("index", "%q is not an index name", a.index)
	}
	a.query, err = parseDSL(c.Any("query"))
	a.timeout = c.Duration("timeout")
	return err
}

// Run searches.
func (a *ElasticQuery) Run(ctx context.Context, _ plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, ElasticsearchType)
	if err != nil {
		return a.fail(err)
	}
	q := deepCopyMap(a.query)
	querySize(a.Console, q)
	ans, err := elasticCall(ctx, creds, "POST", "/"+url.PathEscape(a.index)+"/_search", q, a.timeout)
	if err != nil {
		return a.fail(err, creds.String("password"))
	}
	return plugin.Port("result", ans), nil
}

func (a *ElasticQuery) fail(err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

func deepCopyMap(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// RegisterElasticQuery describes the Query Elasticsearch plugin.
func RegisterElasticQuery() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &ElasticQuery{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.elasticsearch.query", Aliases: []string{tracardi + "connectors.elasticsearch.query.plugin"},
			ClassName: "ElasticSearchFetcher",
			Inputs:    []string{"payload"}, Outputs: []string{"result", "error"},
			Config:  elasticQuerySpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Query Elasticsearch", Desc: "Searches an index of an Elasticsearch cluster with a query DSL body.",
			Type: "flowNode", Icon: "elasticsearch", Group: []string{"Databases"},
			Tags: []string{"database", "nosql", "elasticsearch"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type elasticsearch (host, port, scheme, login). The query is sent as the body " +
					"of POST /<index>/_search; without a size 20 records are asked for, and more than 50 logs a warning. " +
					"Debug runs use the resource's test credentials. Differences from Tracardi: a failure goes to the error " +
					"port as {message, status, body}.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; it is not used."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "Elasticsearch's answer: {\"took\", \"hits\": {\"total\", \"hits\": [{\"_id\", \"_source\"}, ...]}, ...}."},
					"error":  {Desc: "{\"message\", \"status\", \"body\"} when the cluster could not be reached or refused the query."},
				},
			},
		},
	}
}
