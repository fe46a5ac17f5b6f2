package data_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGoldenProcessing runs the calculator, value mapping, random item,
// device detection and property merge plugins in flows through the engine
// (testdata/<plugin>/); go test -run Golden -update rewrites want.json.
func TestGoldenProcessing(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
