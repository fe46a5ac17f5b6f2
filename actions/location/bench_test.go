package location

import (
	"context"
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/geoip/geoiptest"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// BenchmarkGeoIP looks an address up in a City database.
func BenchmarkGeoIP(b *testing.B) {
	db := geoiptest.CityDB(b)
	ctx := context.Background()
	p := RegisterGeoIP()
	config := plugin.Config{"database": db, "ip": "event@request.ip"}
	a, err := plugintest.SetUp(ctx, p, config)
	if err != nil {
		b.Fatal(err)
	}
	c := plugintest.Case{Config: config, Event: plugin.Event{"type": "x", "request": map[string]any{"ip": "89.64.1.2"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out := plugintest.RunAction(ctx, p, a, c); len(out.Results) == 0 || out.Results[0].Port != "location" {
			b.Fatal(out.Results)
		}
	}
}

// BenchmarkDistance measures one geodesic.
func BenchmarkDistance(b *testing.B) {
	for i := 0; i < b.N; i++ {
		distanceKM(52.2297, 21.0122, 50.0647, 19.9450)
	}
}
