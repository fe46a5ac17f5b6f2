package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// QueryLocal searches Tracflow's own stored profiles, events or sessions
// with an Elasticsearch query body: Tracardi kept them in Elasticsearch and
// let flows query that "local" cluster; Tracflow keeps them in its own
// database (SQLite or PostgreSQL) and evaluates a subset of the query DSL
// on them (see esdsl.go).
type QueryLocal struct {
	plugin.ActionRunner
	index  string
	query  *dotpath.Object // the body, with references to fill in per run
	static *searchBody     // the compiled body when it holds no references
	log    bool
}

var queryLocalSpec = plugin.NewConfigSpec().
	Group("Configuration", "").
	Field(plugin.NewStringField("index").Name("Elasticsearch index").Default("").
		Component("select", map[string]any{"label": "Index", "items": map[string]any{"profile": "Profile", "event": "Event", "session": "Session"}}).
		Description("What to search: profile, event or session.")).
	Field(plugin.NewJSONField("query").Name("Query").Default(`{"query":{"match_all":{}}}`).Component("json", map[string]any{"label": "DSL query"}).
		Description("The search body in Elasticsearch's query DSL: query, size, from, sort. Values may be references (\"event@properties.email\"), filled in on every run.")).
	Field(plugin.NewBoolField("log").Name("Log query").Default(false).
		Description("Log the query and the number of records found on the console; turn it off when your tests are done."))

// SetUp parses the query and compiles it when it holds no references.
func (a *QueryLocal) SetUp(_ context.Context, config plugin.Config) error {
	c, err := queryLocalSpec.Parse(config)
	if err != nil {
		return err
	}
	a.index, a.log = c.String("index"), c.Bool("log")
	body, err := parseDSL(c.Any("query"))
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(body)
	if !hasReference(body) {
		a.static, err = compileSearch(body)
		if err != nil {
			return plugin.FieldErr("query", "%v", err)
		}
		return nil
	}
	var tpl any
	_ = json.Unmarshal(raw, &tpl)
	a.query, err = dotpath.CompileObject(tpl, true)
	if err != nil {
		return plugin.FieldErr("query", "%v", err)
	}
	return nil
}

// hasReference reports whether a decoded JSON value holds a string that
// is a dot-notation reference.
func hasReference(v any) bool {
	switch x := v.(type) {
	case string:
		_, ok, err := dotpath.ParseRef(x)
		return ok && err == nil
	case map[string]any:
		for _, e := range x {
			if hasReference(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasReference(e) {
				return true
			}
		}
	}
	return false
}

// Run searches.
func (a *QueryLocal) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	switch a.index {
	case plugin.KindProfile, plugin.KindEvent, plugin.KindSession:
	default:
		return a.ErrorResult(fmt.Sprintf("index %q is not one of profile, event or session", a.index), "error"), nil
	}
	sb := a.static
	if sb == nil {
		v, err := a.query.Apply(a.Scope(payload))
		if err != nil {
			return a.ErrorResult("query: "+err.Error(), "error"), nil
		}
		body, _ := v.(map[string]any)
		if sb, err = compileSearch(body); err != nil {
			return a.ErrorResult("query: "+err.Error(), "error"), nil
		}
		if a.log {
			b, _ := json.Marshal(body)
			a.Console.Log("Executed query %s", b)
		}
	} else if a.log {
		a.Console.Log("Executed query on %s records", a.index)
	}
	if sb.size > 50 {
		a.Console.Warning("Fetching more than 50 records may slow the editor down.")
	}
	if sb.size > plugin.MaxSearchRecords {
		a.Console.Warning("size %d is more than %d: %d records are answered.", sb.size, plugin.MaxSearchRecords, plugin.MaxSearchRecords)
	}
	data, err := a.StoredData()
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	s, ok := data.(plugin.Searcher)
	if !ok {
		return a.ErrorResult(errors.New("this run's storage cannot search records").Error(), "error"), nil
	}
	result := []any{}
	total := 0
	if sb.size > 0 {
		recs, n, err := s.Search(ctx, plugin.RecordQuery{Kind: a.index, Match: sb.match, Sort: sb.sort, Limit: sb.size, Offset: sb.from})
		if err != nil {
			return a.ErrorResult(err.Error(), "error"), nil
		}
		total = n
		for _, r := range recs {
			result = append(result, r)
		}
	} else {
		// size 0 asks only for the count.
		_, n, err := s.Search(ctx, plugin.RecordQuery{Kind: a.index, Match: sb.match, Limit: 1})
		if err != nil {
			return a.ErrorResult(err.Error(), "error"), nil
		}
		total = n
	}
	if a.log {
		a.Console.Log("Query result: %d of %d records", len(result), total)
	}
	return plugin.Port("result", plugin.Payload{"total": float64(total), "result": result}), nil
}

// RegisterQueryLocal describes the Query data plugin.
func RegisterQueryLocal() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &QueryLocal{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.elasticsearch.query_local", Aliases: []string{tracardi + "connectors.elasticsearch.query_local.plugin"},
			ClassName: "QueryLocalDatabase",
			Inputs:    []string{"payload"}, Outputs: []string{"result", "error"},
			Config:  queryLocalSpec,
			License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Query data", Desc: "Searches Tracflow's stored profiles, events or sessions with an Elasticsearch query body.",
			Type: "flowNode", Icon: "elasticsearch", Group: []string{"Databases"},
			Tags: []string{"database", "nosql", "elastic", "search"}, Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "\"Local\" is Tracflow's own database: the profiles, events or sessions it stores (SQLite or PostgreSQL). " +
					"The query is Elasticsearch's DSL, of which these are understood: match_all, match_none, term, terms, match " +
					"(any word, any case), match_phrase, prefix, range (gt, gte, lt, lte on numbers, or on text such as ISO dates), " +
					"exists, ids and bool (must, filter, should, must_not, minimum_should_match); and size (default 20, at most 100), " +
					"from and sort. Field names are dot paths in the record (traits.city; a .keyword suffix is ignored). String " +
					"values that are references (event@properties.email) are filled in on every run. " +
					"Differences from Tracardi: no full-text scoring (match is a word test), other query types and aggregations are " +
					"refused with an error saying which; the answer is {total, result}; at most 100 records.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the query's references may read it as payload@..."}},
				Outputs: map[string]plugin.PortDoc{
					"result": {Desc: "{\"total\": records matching, \"result\": [records of the page]}."},
					"error":  {Desc: "{\"message\"} when the index or query cannot be used, or the run has no storage."},
				},
			},
		},
	}
}
