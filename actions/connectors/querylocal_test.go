package connectors_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/connectors"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// localData opens a real store (SQLite, or a PostgreSQL schema when dsn is
// set) holding four profiles.
func localData(t *testing.T, dsn string) plugin.Data {
	t.Helper()
	st, err := open.Open(context.Background(), dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := func(id, name, city string, age float64, tags ...any) store.Doc {
		return store.Doc{"id": id, "traits": map[string]any{"name": name, "city": city, "age": age, "tags": tags},
			"metadata": map[string]any{"time": map[string]any{"insert": "2024-06-0" + id[1:] + "T10:00:00Z"}}}
	}
	cs := &store.ChangeSet{Profiles: []store.Doc{
		p("p1", "Ann Smith", "Berlin", 41, "vip"), p("p2", "Bob Jones", "Paris", 20), p("p3", "Cid Smith", "Berlin", 33, "new", "vip"),
		p("p4", "Dee Lee", "Rome", 65),
	}}
	if err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return rundata.New(st)
}

func TestQueryLocal(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := ""
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			data := localData(t, dsn)
			for _, tc := range []struct {
				name, query string
				payload     plugin.Payload
				want        string // ids of the answer, in order, then the total
			}{
				{"match all, newest first", `{"query":{"match_all":{}}}`, nil, "p4,p3,p2,p1 4"},
				{"term on a keyword", `{"query":{"term":{"traits.city.keyword":"Berlin"}},"sort":[{"id":"asc"}]}`, nil, "p1,p3 2"},
				{"match a word, any case", `{"query":{"match":{"traits.name":"smith"}},"sort":"id"}`, nil, "p1,p3 2"},
				{"range and sort", `{"query":{"range":{"traits.age":{"gte":30,"lt":65}}},"sort":[{"traits.age":{"order":"desc"}}]}`, nil, "p1,p3 2"},
				{"bool with must_not and a list field", `{"query":{"bool":{"must":[{"term":{"traits.tags":"vip"}}],"must_not":{"term":{"traits.city":"Paris"}}}},"sort":"id"}`, nil, "p1,p3 2"},
				{"should", `{"query":{"bool":{"should":[{"term":{"traits.city":"Rome"}},{"term":{"traits.city":"Paris"}}]}},"sort":"id"}`, nil, "p2,p4 2"},
				{"a reference to the payload", `{"query":{"terms":{"id":["payload@a","payload@b"]}},"sort":"id"}`, plugin.Payload{"a": "p2", "b": "p4"}, "p2,p4 2"},
				{"size and from", `{"query":{"exists":{"field":"traits.tags"}},"sort":"id","size":1,"from":1}`, nil, "p3 2"},
				{"size 0 counts", `{"query":{"prefix":{"traits.name":"D"}},"size":0}`, nil, " 1"},
				{"ids", `{"query":{"ids":{"values":["p3"]}}}`, nil, "p3 1"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					out := plugintest.Run(t, connectors.RegisterQueryLocal(), plugintest.Case{Data: data, Payload: tc.payload,
						Config: plugin.Config{"index": "profile", "query": tc.query, "log": true}})
					if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != "result" {
						t.Fatalf("results %+v, err %v", out.Results, out.Err)
					}
					v := out.Results[0].Value
					var ids []string
					for _, r := range v["result"].([]any) {
						ids = append(ids, r.(map[string]any)["id"].(string))
					}
					got := strings.Join(ids, ",") + " " + jsonText(v["total"])
					if got != tc.want {
						t.Errorf("got %q, want %q", got, tc.want)
					}
					if len(out.State.Logs) < 2 {
						t.Errorf("log on: console %+v", out.State.Logs)
					}
				})
			}
		})
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestQueryLocalErrors(t *testing.T) {
	data := localData(t, "")
	for _, tc := range []struct {
		name   string
		config plugin.Config
		data   plugin.Data
		want   string
	}{
		{"Tracardi's test config: index is not a kind", plugin.Config{"index": "index", "query": `{"query":{"match_all":{}}}`}, data, `index "index" is not one of profile, event or session`},
		{"an unsupported query type", plugin.Config{"index": "event", "query": `{"query":{"regexp":{"type":"payload@t"}}}`}, data, `"regexp" is not supported`},
		{"aggregations", plugin.Config{"index": "event", "query": `{"query":{"match":{"type":"payload@t"}},"aggs":{}}`}, data, `"aggs" is not supported`},
		{"no storage", plugin.Config{"index": "event", "query": `{}`}, nil, "no storage attached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := plugintest.Run(t, connectors.RegisterQueryLocal(), plugintest.Case{Config: tc.config, Data: tc.data, Payload: plugin.Payload{"t": "x"}})
			if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != "error" || !strings.Contains(out.Results[0].Value["message"].(string), tc.want) {
				t.Fatalf("results %+v, err %v", out.Results, out.Err)
			}
		})
	}
	// A static query is checked at set-up.
	err := connectors.RegisterQueryLocal().New().(plugin.SetUpper).SetUp(context.Background(), plugin.Config{"index": "event", "query": `{"query":{"regexp":{"type":"x"}}}`})
	if fe := plugin.AsFieldErrors(err); len(fe) == 0 || fe[0].Field != "query" || !strings.Contains(fe[0].Message, `"regexp" is not supported`) {
		t.Errorf("set-up of an unsupported query: %v", err)
	}
}
