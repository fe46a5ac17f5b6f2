package stats

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// timeSpanRE reads Tracardi's time ranges: a sign and amounts with units,
// e.g. -30d, -1h 30m, +1d, -90 minutes.
var (
	timeSpanRE = regexp.MustCompile(`^\s*([+-])?\s*((?:\d+(?:\.\d+)?\s*[a-zA-Z]+\s*)+)$`)
	amountRE   = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*([a-zA-Z]+)`)
)

var spanUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "wk": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// parseTimeSpan reads a signed time range.
func parseTimeSpan(s string) (time.Duration, error) {
	m := timeSpanRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a time range; write e.g. -30d, -12h or -1h 30m", s)
	}
	var d time.Duration
	for _, a := range amountRE.FindAllStringSubmatch(m[2], -1) {
		unit, ok := spanUnits[strings.ToLower(a[2])]
		if !ok {
			return 0, fmt.Errorf("%q: unknown unit %q; use s, m, h, d or w", s, a[2])
		}
		n, _ := strconv.ParseFloat(a[1], 64)
		if n > 1e6 {
			return 0, fmt.Errorf("%q: %s is too large", s, a[1])
		}
		d += time.Duration(n * float64(unit))
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}

var countSpec = plugin.NewConfigSpec().
	Group("Count", "").
	Field(plugin.NewStringField("index").Name("Records").
		Description("What to count: event, profile or session.").Initial(nil).
		Component("select", map[string]any{"label": "Index", "items": map[string]any{"event": "Event", "profile": "Profile", "session": "Session"}})).
	Field(plugin.NewStringField("time_range").Name("Time range").
		Description("How far back from now to count, by insert time, e.g. -30d, -12h or -1h 30m. A range "+
			"that does not go back (+1d) counts every record.").Initial(nil).Required().
		Check(func(v any) error { _, err := parseTimeSpan(v.(string)); return err }).Prop("label", "Time range")).
	Field(plugin.NewTemplateField("query").Name("Query").
		Description("Which records to count: a TQL condition on the record's own fields, e.g. "+
			"type == \"page-view\", or Tracardi's field:value form (type:\"page-view\" AND "+
			"metadata.status:collected). It may hold {{ references }}. Empty counts every record.").
		Default("").Component("textarea", map[string]any{"label": "Query"}))

// CountRecords counts stored events, profiles or sessions.
type CountRecords struct {
	plugin.ActionRunner
	index string
	span  time.Duration
	query *dotpath.Template
}

// SetUp reads the config.
func (a *CountRecords) SetUp(_ context.Context, config plugin.Config) error {
	c, err := countSpec.Parse(config)
	if err != nil {
		return err
	}
	a.index = strings.TrimSpace(c.String("index"))
	a.span, _ = parseTimeSpan(c.String("time_range"))
	a.query = c.Template("query")
	return nil
}

// Run counts.
func (a *CountRecords) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	fail := func(msg string) (plugin.Results, error) {
		a.Console.Error("%s", msg)
		return plugin.Port("error", plugin.Payload{"error": msg}), nil
	}
	switch a.index {
	case plugin.KindEvent, plugin.KindProfile, plugin.KindSession:
	default:
		return fail(fmt.Sprintf("Index %q can not be counted: choose event, profile or session.", a.index))
	}
	data, err := a.StoredData()
	if err != nil {
		return fail(err.Error())
	}
	where := a.query.Render(a.Scope(payload))
	where, err = queryToTQL(where)
	if err != nil {
		return fail(err.Error())
	}
	var from time.Time
	if a.span < 0 {
		from = time.Now().Add(a.span)
	}
	n, err := data.Count(ctx, a.index, where, from, time.Time{})
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return fail(err.Error())
	}
	return plugin.Port("result", plugin.Payload{"numberOfRecords": float64(n)}), nil
}

// tqlOperatorRE finds TQL's comparisons: a query with one is TQL.
var tqlOperatorRE = regexp.MustCompile(`(?i)==|!=|<|>|\b(exists|between|contains|starts\s+with|ends\s+with|in)\b`)

// luceneTermRE finds Tracardi's field:value terms.
var luceneTermRE = regexp.MustCompile(`([A-Za-z_][\w.\-]*)\s*:\s*("(?:[^"\\]|\\.)*"|[^\s()"]+)`)

// queryToTQL turns a query in Tracardi's field:value form into TQL: each
// field:value term becomes field == value (a number stays a number); AND,
// OR, NOT and parentheses are kept. A TQL condition (one without such
// terms) is returned as it is.
func queryToTQL(q string) (string, error) {
	if tqlOperatorRE.MatchString(q) || !luceneTermRE.MatchString(q) {
		return q, nil
	}
	var errs []string
	out := luceneTermRE.ReplaceAllStringFunc(q, func(term string) string {
		m := luceneTermRE.FindStringSubmatch(term)
		field, val := m[1], m[2]
		if strings.ContainsAny(val, "*?[]{}") && !strings.HasPrefix(val, `"`) {
			errs = append(errs, fmt.Sprintf("%s: wildcards and ranges are not supported; use a TQL condition", term))
			return term
		}
		if !strings.HasPrefix(val, `"`) {
			if _, err := strconv.ParseFloat(val, 64); err != nil && val != "true" && val != "false" {
				val = strconv.Quote(val)
			}
		}
		return field + " == " + val
	})
	if len(errs) > 0 {
		return "", errors.New(strings.Join(errs, "; "))
	}
	return out, nil
}

// RegisterCountRecords describes the Count records plugin.
func RegisterCountRecords() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &CountRecords{} },
		Spec: plugin.Spec{
			Module: "tracflow.stats.count_records", Aliases: []string{tracardi + "internal.query_string.plugin"},
			ClassName: "CountRecordsAction", Inputs: []string{"payload"}, Outputs: []string{"result", "error"},
			Config: countSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Count records", Desc: "Counts stored events, profiles or sessions that match a query.",
			Type: "flowNode", Icon: "plugin", Group: []string{"Stats"},
			Tags: []string{"count", "query", "stats"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "For example index `event`, time range `-1d` and query " +
					"`type == \"purchase\" AND profile.id == \"{{ profile@id }}\"` counts the profile's purchases " +
					"of the last day. The query is a TQL condition on the record's fields (written bare, or with " +
					"the record's source: event@type); Tracardi's `field:value` terms joined by AND, OR and NOT are " +
					"read as `field == value`. A bad index, time range or query, and runs without storage " +
					"(tracflow flow run), send an error. Differences from Tracardi: the query language is TQL " +
					"(Elasticsearch's full query string syntax, wildcards and ranges, is not available).",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the query may reference it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"numberOfRecords\": n}."},
					"error":  {Desc: "{\"error\": ...} when the index, the query or the storage fails."},
				},
			},
		},
	}
}
