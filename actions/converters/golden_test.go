package converters_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs each testdata/<plugin> case through the engine; -update
// rewrites their want.json.
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
