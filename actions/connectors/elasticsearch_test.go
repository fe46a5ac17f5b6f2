package connectors

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// esStandIn answers like Elasticsearch: GET / is the cluster's info,
// POST /<index>/_search a page of hits; it checks basic auth and records
// each search's path and body.
type esStandIn struct {
	*httptest.Server
	mu       sync.Mutex
	searches []string
}

func startES(t *testing.T, user, pass string) *esStandIn {
	t.Helper()
	s := &esStandIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"type":"security_exception","reason":"unable to authenticate user [` + u + `]"},"status":401}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && r.URL.Path == "/":
			_, _ = w.Write([]byte(`{"name":"node-1","cluster_name":"standin","version":{"number":"8.13.0"}}`))
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/_search"):
			b, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			s.searches = append(s.searches, r.URL.Path+" "+string(b))
			s.mu.Unlock()
			if strings.HasPrefix(r.URL.Path, "/missing/") {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error":{"type":"index_not_found_exception","reason":"no such index [missing]"},"status":404}`))
				return
			}
			_, _ = w.Write([]byte(`{"took":1,"timed_out":false,"hits":{"total":{"value":1,"relation":"eq"},"hits":[{"_index":"crm","_id":"c1","_source":{"name":"Ann"}}]}}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestElasticQuery(t *testing.T) {
	standin.AllowLoopback(t)
	es := startES(t, "elastic", "es-pass-31337")
	res := standin.Creds{
		"es":       {"url": es.URL, "username": "elastic", "password": "es-pass-31337"},
		"hostonly": {"url": strings.TrimPrefix(es.URL, "http://"), "scheme": "http", "username": "elastic", "password": "es-pass-31337"},
		"badpass":  {"url": es.URL, "username": "elastic", "password": "wrong"},
	}
	cfg := func(resource, index, query string) plugin.Config {
		return plugin.Config{"source": map[string]any{"id": resource, "name": resource}, "index": map[string]any{"id": index, "name": index}, "query": query}
	}
	for _, tc := range []struct {
		name     string
		config   plugin.Config
		wantPort string
		wantSent string
		want     string
		warn     bool
	}{
		{"match all, size 20 added", cfg("es", "crm", `{"query":{"match_all":{}}}`), "result", `/crm/_search {"query":{"match_all":{}},"size":20}`, `"_id":"c1"`, false},
		{"host and port without scheme", cfg("hostonly", "crm", `{"query":{"term":{"name":"Ann"}},"size":5}`), "result", `/crm/_search {"query":{"term":{"name":"Ann"}},"size":5}`, `"total":{"relation":"eq","value":1}`, false},
		{"a large size warns", cfg("es", "crm", `{"size":100}`), "result", `/crm/_search {"size":100}`, `"hits"`, true},
		{"a missing index", cfg("es", "missing", `{}`), "error", `/missing/_search`, `"status":404`, false},
		{"a wrong password", cfg("badpass", "crm", `{}`), "error", "", `"status":401`, false},
		{"no resource", cfg("", "crm", `{}`), "error", "", "no resource selected", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es.mu.Lock()
			es.searches = nil
			es.mu.Unlock()
			out := plugintest.Run(t, RegisterElasticQuery(), plugintest.Case{Config: tc.config, Resources: res})
			if out.Err != nil || len(out.Results) != 1 || out.Results[0].Port != tc.wantPort {
				t.Fatalf("results %+v, err %v", out.Results, out.Err)
			}
			b, _ := json.Marshal(out.Results[0].Value)
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("value %s, want %s in it", b, tc.want)
			}
			if strings.Contains(string(b), "es-pass-31337") {
				t.Errorf("the answer shows the password: %s", b)
			}
			es.mu.Lock()
			sent := strings.Join(es.searches, "\n")
			es.mu.Unlock()
			if tc.wantSent != "" && !strings.HasPrefix(sent, tc.wantSent) {
				t.Errorf("the cluster received %q, want %q", sent, tc.wantSent)
			}
			warned := false
			for _, l := range out.State.Logs {
				warned = warned || l.Level == "warning"
			}
			if warned != tc.warn {
				t.Errorf("console %+v", out.State.Logs)
			}
		})
	}
}

func TestElasticQuerySetUp(t *testing.T) {
	for _, tc := range []struct {
		config plugin.Config
		field  string
	}{
		{plugin.Config{"index": map[string]any{"id": "", "name": ""}}, "index"},
		{plugin.Config{"index": map[string]any{"id": "crm"}, "query": "{not json"}, "query"},
		{plugin.Config{"index": map[string]any{"id": "crm"}, "query": "[1]"}, "query"},
		{plugin.Config{"index": map[string]any{"id": "a/../b"}}, "index"},
	} {
		err := (&ElasticQuery{}).SetUp(t.Context(), tc.config)
		if fe := plugin.AsFieldErrors(err); len(fe) == 0 || fe[0].Field != tc.field {
			t.Errorf("%v: %v, want an error on %s", tc.config, err, tc.field)
		}
	}
}

func TestElasticsearchResourceCheck(t *testing.T) {
	standin.AllowLoopback(t)
	es := startES(t, "elastic", "pw")
	if err := checkElastic(t.Context(), map[string]any{"url": es.URL, "username": "elastic", "password": "pw"}); err != nil {
		t.Errorf("check: %v", err)
	}
	if err := checkElastic(t.Context(), map[string]any{"url": es.URL, "username": "elastic", "password": "nope"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("check with a wrong password: %v", err)
	}
	if err := checkElastic(t.Context(), map[string]any{"url": "ftp://x"}); err == nil {
		t.Error("check of an ftp URL passed")
	}
}
