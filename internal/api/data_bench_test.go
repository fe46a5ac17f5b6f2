package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/testenv"
)

// BenchmarkSelectTQL measures POST /event/select and /select/histogram
// over 100,000 events, end to end: HTTP, TQL, the store's scan.
func BenchmarkSelectTQL(b *testing.B) {
	const n = 100_000
	e := testenv.New(b, testenv.Options{API: api.Options{Log: slog.New(slog.DiscardHandler)}})
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	types := []string{"page-view", "purchase", "login", "add-to-cart"}
	for i := 0; i < n; {
		var evs []store.Doc
		for j := 0; j < 2000 && i < n; j, i = j+1, i+1 {
			evs = append(evs, store.Doc{"id": fmt.Sprintf("e%06d", i), "type": types[i%4],
				"profile": map[string]any{"id": fmt.Sprintf("p%d", i%1000)}, "session": map[string]any{"id": fmt.Sprintf("s%d", i%3000)},
				"source":     map[string]any{"id": "web"},
				"properties": map[string]any{"url": fmt.Sprintf("https://example.com/page/%d", i), "value": float64(i % 500)},
				"context":    map[string]any{"page": map[string]any{"title": "A page title of a usual length"}, "browser": map[string]any{"local": map[string]any{"language": "en-US"}}},
				"metadata":   map[string]any{"status": "processed", "time": map[string]any{"insert": start.Add(time.Duration(i) * 10 * time.Second).Format(time.RFC3339)}}})
		}
		if err := e.Store.Apply(context.Background(), &store.ChangeSet{Events: evs}); err != nil {
			b.Fatal(err)
		}
	}
	cases := []struct {
		name, path string
		body       map[string]any
	}{
		{"select-all", "/event/select", map[string]any{}},
		{"select-type", "/event/select", map[string]any{"where": `type == "purchase"`}},
		{"select-tql", "/event/select", map[string]any{"where": `properties.value > 400 AND context.browser.local.language == "en-US"`}},
		{"histogram-tql", "/event/select/histogram", map[string]any{"where": `properties.value > 400`, "interval": "day", "from": "2024-01-01", "to": "2024-01-13"}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e.Admin("POST", tc.path, tc.body).MustOK(b)
			}
		})
	}
}
