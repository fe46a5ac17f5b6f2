package stats_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/actions/stats"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// countData opens a real store (SQLite, or a PostgreSQL schema when dsn
// is set) holding events of the last hours and of last month.
func countData(t *testing.T, dsn string) plugin.Data {
	t.Helper()
	st, err := open.Open(context.Background(), dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	ev := func(id, typ, profile string, ago time.Duration) store.Doc {
		return store.Doc{"id": id, "type": typ, "profile": map[string]any{"id": profile}, "metadata": map[string]any{
			"status": "collected", "time": map[string]any{"insert": now.Add(-ago).Format(time.RFC3339)}}}
	}
	cs := &store.ChangeSet{Events: []store.Doc{
		ev("e1", "purchase", "p1", time.Hour), ev("e2", "purchase", "p2", 2*time.Hour), ev("e3", "page-view", "p1", 3*time.Hour),
		ev("e4", "purchase", "p1", 30*24*time.Hour),
	}}
	if err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return rundata.New(st)
}

func TestCountRecords(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := ""
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			data := countData(t, dsn)
			cases := []struct {
				config plugin.Config
				want   float64
			}{
				{plugin.Config{"index": "event", "time_range": "-1d", "query": ""}, 3},
				{plugin.Config{"index": "event", "time_range": "+1d", "query": ""}, 4},
				{plugin.Config{"index": "event", "time_range": "-90m", "query": ""}, 1},
				{plugin.Config{"index": "event", "time_range": "-1h 30m", "query": ""}, 1},
				{plugin.Config{"index": "event", "time_range": "-365d", "query": `type == "purchase"`}, 3},
				{plugin.Config{"index": "event", "time_range": "-1d", "query": `type:"purchase"`}, 2},
				{plugin.Config{"index": "event", "time_range": "-1d", "query": `type:purchase AND profile.id:{{ profile@id }}`}, 1},
				{plugin.Config{"index": "event", "time_range": "-1d", "query": `type == "purchase" and profile.id == "{{ profile@id }}"`}, 1},
				{plugin.Config{"index": "event", "time_range": "-1d", "query": `NOT type:purchase`}, 1},
				{plugin.Config{"index": "profile", "time_range": "+1d", "query": ""}, 0},
			}
			for _, c := range cases {
				out := plugintest.Run(t, stats.RegisterCountRecords(), plugintest.Case{Config: c.config, Data: data, Profile: plugin.Profile{"id": "p1"}})
				if got := out.MustPort(t, "result"); got["numberOfRecords"] != c.want {
					t.Errorf("%v: %v, want %v", c.config, got, c.want)
				}
			}
			for _, c := range []struct {
				config plugin.Config
				msg    string
			}{
				{plugin.Config{"index": "None", "query": "", "time_range": "+1d"}, "None"}, // Tracardi's test config
				{plugin.Config{"index": "event", "query": "type ==", "time_range": "+1d"}, "type =="},
				{plugin.Config{"index": "event", "query": "type:page*", "time_range": "+1d"}, "wildcards"},
			} {
				out := plugintest.Run(t, stats.RegisterCountRecords(), plugintest.Case{Config: c.config, Data: data})
				if msg, _ := out.MustPort(t, "error")["error"].(string); !strings.Contains(msg, c.msg) {
					t.Errorf("%v: error %q, want it to name %q", c.config, msg, c.msg)
				}
			}
		})
	}
	out := plugintest.Run(t, stats.RegisterCountRecords(), plugintest.Case{Config: plugin.Config{"index": "event", "query": "", "time_range": "-1d"}})
	if msg, _ := out.MustPort(t, "error")["error"].(string); !strings.Contains(msg, "no storage") {
		t.Errorf("without storage: %q", msg)
	}
	p := stats.RegisterCountRecords()
	plugintest.SetUpFails(t, p, plugin.Config{"index": "event", "query": "", "time_range": "yesterday"}, "time_range")
	plugintest.SetUpFails(t, p, plugin.Config{"index": "event", "query": "", "time_range": "-3 fortnights"}, "time_range")
	plugintest.SetUpFails(t, p, plugin.Config{"index": "event", "query": ""}, "time_range")
}

// TestGoldenStored runs the flows of testdata-stored/<plugin>/ through the
// engine on a real SQLite store and compares with want.json (-update
// rewrites it).
func TestGoldenStored(t *testing.T) {
	plugintest.Golden(t, "testdata-stored", actions.Installed(), plugintest.GoldenOptions{Data: countData(t, "")})
}

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}
