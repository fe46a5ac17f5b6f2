package operations_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/rundata"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs the flows of testdata/<plugin>/ through the engine and
// compares with want.json (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	plugintest.Golden(t, "testdata", actions.Installed())
}

// TestGoldenMemory runs the memory flows of testdata/memory/ with a real
// SQLite store attached, whose memory table the plugins share.
func TestGoldenMemory(t *testing.T) {
	plugintest.Golden(t, "testdata/memory", actions.Installed(), plugintest.GoldenOptions{Data: rundata.New(openStore(t, ""))})
}
