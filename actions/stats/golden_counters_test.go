package stats_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGoldenCounters runs the key counter and the views/visits plugins in flows
// through the engine (testdata/<plugin>/); go test -run Golden -update
// rewrites want.json.
func TestGoldenCounters(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
