package data

import (
	"context"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func benchRun(b *testing.B, p plugin.Plugin, config plugin.Config, c plugintest.Case) {
	ctx := context.Background()
	a, err := plugintest.SetUp(ctx, p, config)
	if err != nil {
		b.Fatal(err)
	}
	c.Config = config
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out := plugintest.RunAction(ctx, p, a, c); out.Err != nil {
			b.Fatal(out.Err)
		}
	}
}

// BenchmarkCalculator runs a three-line program that reads the event and
// writes the profile.
func BenchmarkCalculator(b *testing.B) {
	benchRun(b, RegisterCalculator(), plugin.Config{"calc_dsl": "price = event@properties.price\ntotal = price * (1 + 0.25)\nprofile@stats.score = profile@stats.score + total / 5"},
		plugintest.Case{Event: plugin.Event{"type": "x", "properties": map[string]any{"price": 40.0}}, Profile: plugin.Profile{"id": "p", "stats": map[string]any{"score": 1.0}}})
}

// BenchmarkDetectDevice parses a mobile Safari user agent.
func BenchmarkDetectDevice(b *testing.B) {
	ua := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	benchRun(b, RegisterDetectDevice(), plugin.Config{"agent": "event@context.ua"},
		plugintest.Case{Event: plugin.Event{"type": "x", "context": map[string]any{"ua": ua}}})
}
