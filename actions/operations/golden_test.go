package operations_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs the flows of testdata/<plugin>/ through the engine and
// compares with want.json (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}
