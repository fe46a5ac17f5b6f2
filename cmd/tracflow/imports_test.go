package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportPicture: the plugin list is chosen in main alone and handed
// down, so the HTTP layer does not import the built-in plugins.
func TestImportPicture(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/tracflow/tracflow/internal/api", "github.com/tracflow/tracflow/internal/cli", "github.com/tracflow/tracflow/tracflowcmd").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/tracflow/tracflow/actions" || strings.HasPrefix(dep, "github.com/tracflow/tracflow/actions/") {
			t.Errorf("internal/api, internal/cli or tracflowcmd imports %s: only cmd/tracflow chooses the plugins", dep)
		}
	}
	// The first start needs the accounts (internal/auth), not the HTTP layer.
	out, err = exec.Command("go", "list", "-deps", "github.com/tracflow/tracflow/internal/bootstrap").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/tracflow/tracflow/internal/api" {
			t.Errorf("internal/bootstrap imports internal/api: it needs internal/auth only")
		}
	}
}
