package cli

import (
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// TestFlowLintWarnsWhereRunsMultiply: 8 diamonds in a row run d7 128 times
// per event; lint names it, and the flow is still OK (exit 0).
func TestFlowLintWarnsWhereRunsMultiply(t *testing.T) {
	p := writeFile(t, "diamonds.json", testenv.DiamondFlow("diamonds", 8))
	code, out, _ := run(t, "flow", "lint", p)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("lint: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, `warning: node "d7": may run up to 128 times`) || strings.Count(out, "warning:") != 1 {
		t.Errorf("lint should warn once, naming d7:\n%s", out)
	}
	p = writeFile(t, "small.json", testenv.DiamondFlow("small", 3))
	if code, out, _ := run(t, "flow", "lint", p); code != 0 || strings.Contains(out, "warning") {
		t.Errorf("lint of 3 diamonds: exit %d\n%s", code, out)
	}
}
