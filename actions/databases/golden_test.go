package databases

import (
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs start → Send to InfluxDB → Fetch from InfluxDB, and a
// fetch with a refused token, through the engine against an InfluxDB
// stand-in (go test -run TestGolden -update rewrites want.json).
func TestGolden(t *testing.T) {
	allowLoopback(t)
	srv := startInflux(t)
	resources := creds{"influx": {"url": srv.URL, "token": influxToken}, "influx-bad": {"url": srv.URL, "token": "revoked-token"}}
	list := []plugin.Installed{{Register: flow.RegisterStart}, {Register: RegisterInfluxSend}, {Register: RegisterInfluxFetch}}
	plugintest.Golden(t, "testdata", list, plugintest.GoldenOptions{Resources: resources, Vars: map[string]string{"INFLUX": srv.URL}})
	srv.mu.Lock()
	defer srv.mu.Unlock()
	var write string
	for _, g := range srv.got {
		if strings.HasPrefix(g, "POST /api/v2/write") {
			write = g
		}
	}
	if !strings.HasSuffix(write, "\npurchases,shop=berlin amount=120.5 1709287200000000000") {
		t.Errorf("InfluxDB received %q", write)
	}
}
