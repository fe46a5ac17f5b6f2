package operations_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs the flows of testdata/<plugin>/ through the engine and
// compares with want.json (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			plugintest.Golden(t, filepath.Join("testdata", d.Name()), actions.Installed(), plugintest.GoldenOptions{})
		})
	}
}
