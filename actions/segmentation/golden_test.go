package segmentation_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs each plugin of the group in a flow through the engine
// (testdata/<plugin>/); go test -run Golden -update rewrites want.json.
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
