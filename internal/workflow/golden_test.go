package workflow_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestFlowsGolden runs the flows of testdata/flows/<case>/ (flow.json on
// event.json) with the built-in plugins and compares each outcome with the
// case's want.json; -update rewrites want.json from the runs. The cases pin
// the engine's routing: a failing node stops the flow unless it has
// on_error_continue, and If sends the payload down one branch.
func TestFlowsGolden(t *testing.T) {
	plugintest.Golden(t, "testdata/flows", actions.Installed())
}
