package databases

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// influxTimeout bounds every InfluxDB call.
const influxTimeout = 15 * time.Second

// maxInfluxRecords is how many records a fetch may answer, as in Tracardi.
const maxInfluxRecords = 20

var (
	influxFields = plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Name("URL").Required().
				Description("The InfluxDB 2 server's address, e.g. http://localhost:8086 or https://eu-central-1-1.aws.cloud2.influxdata.com.")).
			Field(plugin.NewStringField("token").Name("API token").Required().
				Description("An API token with write (send) or read (fetch) rights on the buckets."))
	// InfluxDBType is an InfluxDB 2 server and its API token.
	InfluxDBType = plugin.ResourceType{Type: "influxdb", Name: "InfluxDB", Tags: []string{"influxdb", "database"},
		Description: "An InfluxDB 2 server (HTTP API v2) and an API token.", Fields: influxFields, Check: checkInflux}
)

func init() { plugin.RegisterResourceType(InfluxDBType) }

// influxCall makes a call to the v2 API at path with the resource's token.
func influxCall(ctx context.Context, c *plugin.ParsedConfig, method, path string, query url.Values, header http.Header, body []byte) (*outbound.Response, error) {
	base := strings.TrimRight(strings.TrimSpace(c.String("url")), "/")
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	if header == nil {
		header = http.Header{}
	}
	header.Set("Authorization", "Token "+c.String("token"))
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return outbound.Default().DoOK(ctx, outbound.Request{Method: method, URL: u, Header: header, Body: body, Timeout: influxTimeout})
}

// checkInflux lists one bucket: it needs a reachable server and a token it
// accepts.
func checkInflux(ctx context.Context, creds map[string]any) error {
	c, err := influxFields.Parse(creds)
	if err != nil {
		return err
	}
	_, err = influxCall(ctx, c, "GET", "/api/v2/buckets", url.Values{"limit": {"1"}}, nil, nil)
	if err != nil {
		return errors.New(outbound.Redact(err.Error(), c.String("token")))
	}
	return nil
}

func influxFail(r *plugin.ActionRunner, payload plugin.Payload, err error, secrets ...string) (plugin.Results, error) {
	p := outbound.ErrorPayload(err, secrets...)
	p["payload"], p["error"] = payload, p["message"]
	r.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

var influxSendSpec = plugin.NewConfigSpec().
	Group("InfluxDB configuration", "").
	Field(plugin.NewResourceField("source", "influxdb").Name("InfluxDB resource").Description("The influxdb resource: server and API token.")).
	Field(plugin.NewStringField("organization").Name("Organization").Required().
		Description("The organization (workspace) the bucket belongs to; in InfluxDB Cloud usually your login e-mail.")).
	Field(plugin.NewStringField("bucket").Name("Bucket").Required().Description("The bucket the point is written to.")).
	Field(plugin.NewStringField("measurement").Name("Measurement name").Required().Description("The measurement, e.g. purchases.")).
	Field(plugin.NewObjectField("fields").Name("Fields and values").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Fields"}).
		Description("The point's fields: names and values, literal or references such as profile@stats.visits. At least one must have a value.")).
	Field(plugin.NewValueField("time").Name("Time").Default("").Component("dotPath", map[string]any{"label": "Time"}).
		Description("The point's time: a date, or a reference to one such as event@metadata.time.insert; empty for now. A reference that finds nothing, or text that is not a date, means now (with a console message).")).
	Field(plugin.NewObjectField("tags").Name("Record tags").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Tags"}).
		Description("Tags the points are grouped by: names and values (literal or references), written as text."))

// InfluxSend writes a point to an InfluxDB bucket.
type InfluxSend struct {
	plugin.ActionRunner
	resource, org, bucket, measurement string
	fields, tags                       *dotpath.Object
	time                               dotpath.Value
}

// SetUp reads the config and compiles the references.
func (a *InfluxSend) SetUp(_ context.Context, config plugin.Config) error {
	c, err := influxSendSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.org, a.bucket, a.measurement = plugin.ResourceID(c.Object("source")), c.String("organization"), c.String("bucket"), c.String("measurement")
	if a.fields, err = dotpath.CompileObject(c.Object("fields"), true); err != nil {
		return plugin.FieldErr("fields", "%v", err)
	}
	if a.tags, err = dotpath.CompileObject(c.Object("tags"), true); err != nil {
		return plugin.FieldErr("tags", "%v", err)
	}
	a.time = c.Value("time")
	return nil
}

// pointTime reads the configured time; zero means now.
func (a *InfluxSend) pointTime(s *dotpath.Scope) time.Time {
	v, err := a.time.Resolve(s)
	if err != nil {
		a.Console.Warning("Time value %s does not exist; the point gets the current time.", a.time)
		return time.Time{}
	}
	switch x := v.(type) {
	case nil:
		return time.Time{}
	case string:
		if x == "" {
			return time.Time{}
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t
			}
		}
	case float64:
		return time.Unix(0, int64(x*1e9))
	}
	a.Console.Error("Time value %v is not a date; the point gets the current time.", v)
	return time.Time{}
}

// Run writes the point.
func (a *InfluxSend) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, InfluxDBType)
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	scope := a.Scope(payload)
	fv, err := a.fields.Apply(scope)
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	tv, err := a.tags.Apply(scope)
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	fields, _ := fv.(map[string]any)
	tags, _ := tv.(map[string]any)
	line, err := lineProtocol(a.measurement, tags, fields, a.pointTime(scope))
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	a.Console.Log("Point %s for bucket %s in organization %s", line, a.bucket, a.org)
	_, err = influxCall(ctx, creds, "POST", "/api/v2/write", url.Values{"org": {a.org}, "bucket": {a.bucket}, "precision": {"ns"}},
		http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, []byte(line))
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err, creds.String("token"))
	}
	return plugin.Port("success", payload), nil
}

var (
	measurementEscaper = strings.NewReplacer(",", `\,`, " ", `\ `, "\n", `\n`)
	keyEscaper         = strings.NewReplacer(",", `\,`, "=", `\=`, " ", `\ `, "\n", `\n`)
	stringEscaper      = strings.NewReplacer(`"`, `\"`, `\`, `\\`)
)

// lineProtocol writes one point in InfluxDB's line protocol: numbers as
// floats, booleans, text quoted, objects and lists as JSON text; null
// fields are left out and tags are text. t zero leaves the time to the
// server.
func lineProtocol(measurement string, tags, fields map[string]any, t time.Time) (string, error) {
	var b strings.Builder
	b.WriteString(measurementEscaper.Replace(measurement))
	for _, k := range sortedKeys(tags) {
		v := tags[k]
		if v == nil {
			continue
		}
		s := dotpath.Stringify(v)
		if s == "" || k == "" {
			continue
		}
		b.WriteString("," + keyEscaper.Replace(k) + "=" + keyEscaper.Replace(s))
	}
	n := 0
	for _, k := range sortedKeys(fields) {
		var val string
		switch x := fields[k].(type) {
		case nil:
			continue
		case float64:
			val = strconv.FormatFloat(x, 'g', -1, 64)
		case int:
			val = strconv.Itoa(x) + ".0"
		case bool:
			val = strconv.FormatBool(x)
		case string:
			val = `"` + stringEscaper.Replace(x) + `"`
		default:
			j, err := json.Marshal(x)
			if err != nil {
				return "", fmt.Errorf("field %s: %w", k, err)
			}
			val = `"` + stringEscaper.Replace(string(j)) + `"`
		}
		if n == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(keyEscaper.Replace(k) + "=" + val)
		n++
	}
	if n == 0 {
		return "", errors.New("the point has no field with a value: InfluxDB needs at least one; fill Fields and values")
	}
	if !t.IsZero() {
		b.WriteString(" " + strconv.FormatInt(t.UnixNano(), 10))
	}
	return b.String(), nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RegisterInfluxSend describes the Send to InfluxDB plugin.
func RegisterInfluxSend() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &InfluxSend{} },
		Spec: plugin.Spec{
			Module: "tracflow.databases.influxdb.send", Aliases: []string{tracardi + "connectors.influxdb.send.plugin"},
			ClassName: "InfluxSender", Inputs: []string{"payload"}, Outputs: []string{"success", "error"},
			Config: influxSendSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Send to InfluxDB", Desc: "Writes a point (measurement, tags, fields, time) to an InfluxDB bucket.",
			Type: "flowNode", Icon: "influxdb", Group: []string{"InfluxDB"},
			Tags: []string{"influxdb", "time series", "database", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type influxdb. The point is written with InfluxDB 2's HTTP API " +
					"(POST /api/v2/write, line protocol, the token in the Authorization header). Numbers are written " +
					"as floats, booleans as booleans, text as text and objects or lists as JSON text; null fields are " +
					"left out. Differences from Tracardi: the error port carries {\"message\", \"status\", \"body\", " +
					"\"payload\"} instead of the bare payload, and a point without any field is an error before the call.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; fields, tags and time may read it."}},
				Outputs: map[string]plugin.PortDoc{
					"success": {Desc: "The input payload, once InfluxDB accepted the point."},
					"error":   {Desc: "{\"message\", \"status\", \"body\": InfluxDB's answer, \"payload\": the input payload, \"error\": the message}."},
				},
			},
		},
	}
}

var influxFetchSpec = plugin.NewConfigSpec().
	Group("InfluxDB configuration", "").
	Field(plugin.NewResourceField("source", "influxdb").Name("InfluxDB resource").Description("The influxdb resource: server and API token.")).
	Field(plugin.NewStringField("organization").Name("Organization").Required().Description("The organization the bucket belongs to.")).
	Field(plugin.NewStringField("bucket").Name("Bucket").Required().Description("The bucket to read.")).
	Field(plugin.NewObjectField("filters").Name("Filters").Default(map[string]any{}).Component("keyValueList", map[string]any{"label": "Filters"}).
		Description("Column names (e.g. _measurement, _field, or a tag) and the values the records must have, literal or references.")).
	Field(plugin.NewStringField("aggregation").Name("Aggregation function").Default("").
		Description("A Flux function the records are piped into, e.g. mean() or sum(); empty for the records themselves.")).
	Field(plugin.NewValueField("start").Name("Lower time bound").Default("-15m").
		Description("The start of the time range: a relative duration such as -15m or -1d, a date (RFC 3339), or a reference to one.")).
	Field(plugin.NewValueField("stop").Name("Upper time bound").Default("0m").
		Description("The end of the time range, in the same forms; 0m is now."))

// InfluxFetch queries an InfluxDB bucket.
type InfluxFetch struct {
	plugin.ActionRunner
	resource, org, bucket, aggregation string
	filters                            *dotpath.Object
	start, stop                        dotpath.Value
}

// SetUp reads the config and compiles the references.
func (a *InfluxFetch) SetUp(_ context.Context, config plugin.Config) error {
	c, err := influxFetchSpec.Parse(config)
	if err != nil {
		return err
	}
	a.resource, a.org, a.bucket = plugin.ResourceID(c.Object("source")), c.String("organization"), c.String("bucket")
	a.aggregation = strings.TrimSpace(c.String("aggregation"))
	if a.filters, err = dotpath.CompileObject(c.Object("filters"), true); err != nil {
		return plugin.FieldErr("filters", "%v", err)
	}
	a.start, a.stop = c.Value("start"), c.Value("stop")
	return nil
}

var (
	fluxIdent    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	fluxDuration = regexp.MustCompile(`^-?([0-9]+(ns|us|µs|ms|s|m|h|d|w|mo|y))+$`)
)

func fluxString(s string) string { return `"` + stringEscaper.Replace(s) + `"` }

// fluxTime checks a time bound: a duration, a date, now(), or a Unix time.
func fluxTime(what string, v any) (string, error) {
	s := strings.TrimSpace(dotpath.Stringify(v))
	switch {
	case fluxDuration.MatchString(s), s == "now()":
		return s, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.RFC3339Nano), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), nil
	}
	return "", fmt.Errorf("%s %q is not a time: use a duration such as -15m, a date such as 2024-03-01T00:00:00Z, or now()", what, s)
}

// query builds the Flux query; event data only ever lands in string
// literals and checked time bounds.
func (a *InfluxFetch) query(s *dotpath.Scope) (string, error) {
	fv, err := a.filters.Apply(s)
	if err != nil {
		return "", err
	}
	sv, err := a.start.Resolve(s)
	if err != nil {
		return "", err
	}
	ev, err := a.stop.Resolve(s)
	if err != nil {
		return "", err
	}
	start, err := fluxTime("start", sv)
	if err != nil {
		return "", err
	}
	stop, err := fluxTime("stop", ev)
	if err != nil {
		return "", err
	}
	parts := []string{"from(bucket: " + fluxString(a.bucket) + ")", "range(start: " + start + ", stop: " + stop + ")"}
	filters, _ := fv.(map[string]any)
	for _, k := range sortedKeys(filters) {
		col := "r[" + fluxString(k) + "]"
		if fluxIdent.MatchString(k) {
			col = "r." + k
		}
		parts = append(parts, "filter(fn: (r) => "+col+" == "+fluxString(dotpath.Stringify(filters[k]))+")")
	}
	if a.aggregation != "" {
		parts = append(parts, a.aggregation)
	}
	return strings.Join(parts, "\n  |> "), nil
}

// Run runs the query.
func (a *InfluxFetch) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	creds, err := a.Credentials(ctx, a.resource, InfluxDBType)
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	q, err := a.query(a.Scope(payload))
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	a.Console.Log("Flux query: %s", q)
	res, err := influxCall(ctx, creds, "POST", "/api/v2/query", url.Values{"org": {a.org}},
		http.Header{"Content-Type": {"application/vnd.flux"}, "Accept": {"application/csv"}}, []byte(q))
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err, creds.String("token"))
	}
	records, err := parseFluxCSV(res.Body, maxInfluxRecords)
	if err != nil {
		return influxFail(&a.ActionRunner, payload, err)
	}
	return plugin.Port("success", plugin.Payload{"result": records}), nil
}

// errTooManyRecords is a fetch that found more than maxInfluxRecords.
var errTooManyRecords = fmt.Errorf("InfluxDB answered more than %d records; narrow the filters or the time range, or aggregate", maxInfluxRecords)

// parseFluxCSV reads InfluxDB's annotated CSV: tables separated by empty
// lines, each with #datatype annotations and a header row. Records are
// objects by column name, typed by their annotation.
func parseFluxCSV(body []byte, limit int) ([]any, error) {
	out := []any{}
	for _, block := range bytes.Split(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), []byte("\n\n")) {
		if len(bytes.TrimSpace(block)) == 0 {
			continue
		}
		r := csv.NewReader(bytes.NewReader(block))
		r.FieldsPerRecord = -1
		var types, header []string
		for {
			row, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("InfluxDB's answer is not CSV: %w", err)
			}
			switch {
			case len(row) > 0 && row[0] == "#datatype":
				types = row
				continue
			case len(row) > 0 && strings.HasPrefix(row[0], "#"):
				continue
			case header == nil:
				header = row
				continue
			}
			if len(row) > 1 && row[1] == "error" && len(header) > 1 && header[1] == "error" {
				return nil, fmt.Errorf("InfluxDB: %s", row[1])
			}
			rec := map[string]any{}
			for i, col := range header {
				if i >= len(row) || col == "" || col == "result" {
					continue
				}
				typ := ""
				if i < len(types) {
					typ = types[i]
				}
				rec[col] = fluxValue(typ, row[i])
			}
			if len(out) == limit {
				return nil, errTooManyRecords
			}
			out = append(out, rec)
		}
	}
	return out, nil
}

func fluxValue(typ, s string) any {
	switch typ {
	case "long", "unsignedLong", "double":
		if s == "" {
			return nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "boolean":
		if s == "" {
			return nil
		}
		return s == "true"
	}
	return s
}

// RegisterInfluxFetch describes the Fetch from InfluxDB plugin.
func RegisterInfluxFetch() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &InfluxFetch{} },
		Spec: plugin.Spec{
			Module: "tracflow.databases.influxdb.fetch", Aliases: []string{tracardi + "connectors.influxdb.fetch.plugin"},
			ClassName: "InfluxFetcher", Inputs: []string{"payload"}, Outputs: []string{"success", "error"},
			Config: influxFetchSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Fetch from InfluxDB", Desc: "Reads the records of an InfluxDB bucket in a time range, filtered and optionally aggregated.",
			Type: "flowNode", Icon: "influxdb", Group: []string{"InfluxDB"},
			Tags: []string{"influxdb", "time series", "database", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Needs a resource of type influxdb. Builds the Flux query from(bucket) |> range(start, stop) |> " +
					"filter(...) per filter |> the aggregation, and runs it with InfluxDB 2's HTTP API (POST " +
					"/api/v2/query). Filter values and the bucket are written as Flux strings and the time bounds are " +
					"checked, so event data cannot change the query. At most 20 records, as in Tracardi; more is an " +
					"error. Differences from Tracardi: the success port carries {\"result\": [records]} (each an object " +
					"by column: _time, _value, _field, _measurement, tags; numbers as numbers) instead of the Python " +
					"client's table objects, and errors also carry the input payload.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; filters and time bounds may read it."}},
				Outputs: map[string]plugin.PortDoc{
					"success": {Desc: "{\"result\": [one object per record]}."},
					"error":   {Desc: "{\"message\", \"status\", \"body\", \"payload\": the input payload, \"error\": the message}: a bad query or token, too many records, a bad time bound."},
				},
			},
		},
	}
}
