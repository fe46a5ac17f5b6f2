package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPluginNewRefusesBadNames(t *testing.T) {
	for name, want := range map[string]string{
		"Greet":     "not a Go package name",
		"9lives":    "not a Go package name",
		"my-plugin": "not a Go package name",
		"a/b":       "not a Go package name",
		"func":      "Go keyword",
		"plugin":    "taken by a package the plugin imports",
		"main":      "taken by a package the plugin imports",
	} {
		dir := filepath.Join(t.TempDir(), "out")
		code, _, errs := run(t, "plugin", "new", name, "--dir", dir)
		if code != 2 || !strings.Contains(errs, want) {
			t.Errorf("plugin new %q: exit %d, stderr %q; want 2 and %q", name, code, errs, want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("plugin new %q wrote %s", name, dir)
		}
	}
	code, _, errs := run(t, "plugin", "new", "greet", "--dir", filepath.Join(t.TempDir(), "g"), "--module", "example.com/../x")
	if code != 2 || !strings.Contains(errs, "--module") {
		t.Errorf("bad --module: exit %d, %s", code, errs)
	}
	code, _, errs = run(t, "plugin", "new")
	if code != 2 || !strings.Contains(errs, "give one NAME") {
		t.Errorf("no name: exit %d, %s", code, errs)
	}
}

func TestPluginNewRefusesAnExistingFolder(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "plugin", "new", "greet", "--dir", dir)
	if code != 2 || !strings.Contains(errs, "already exists") {
		t.Fatalf("exit %d, stderr %q; want 2 and already exists", code, errs)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the existing folder holds %d entries now, want only keep.txt", len(entries))
	}
	// The default folder is ./NAME.
	t.Chdir(dir)
	if err := os.Mkdir("greet", 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "plugin", "new", "greet"); code != 2 || !strings.Contains(errs, "greet already exists") {
		t.Errorf("default folder: exit %d, %s", code, errs)
	}
}

func TestPluginNewReplaceNeedsACheckout(t *testing.T) {
	code, _, errs := run(t, "plugin", "new", "greet", "--dir", filepath.Join(t.TempDir(), "g"), "--replace", t.TempDir())
	if code != 2 || !strings.Contains(errs, "no go.mod") {
		t.Errorf("exit %d, %s", code, errs)
	}
}

// TestPluginNewBuilds writes a plugin with its module against this checkout,
// runs the generated tests, builds the generated main and checks that the
// binary's palette holds the new plugin and the built-ins. The module needs
// nothing beyond what this repository requires: no download (GOPROXY=off).
func TestPluginNewBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a tracflow binary")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "greeter")
	code, out, errs := run(t, "plugin", "new", "greet", "--dir", dir, "--module", "example.org/team/greeter", "--replace", root)
	if code != 0 {
		t.Fatalf("plugin new: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "go build -o tracflow ./cmd/tracflow") {
		t.Errorf("no next steps in %q", out)
	}
	for _, f := range []string{"go.mod", "go.sum", "greet.go", "register.go", "greet_test.go", "installed.go", "cmd/tracflow/main.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(gomod), "module example.org/team/greeter\n") || !strings.Contains(string(gomod), "replace github.com/tracflow/tracflow => "+root+"\n") {
		t.Errorf("go.mod:\n%s", gomod)
	}
	goCmd := func(args ...string) string {
		t.Helper()
		c := exec.Command("go", args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		b, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	if got := goCmd("test", "-count=1", "-v", "."); !strings.Contains(got, "--- PASS: TestAddsTheMessage") || !strings.Contains(got, "--- PASS: TestInstalled") {
		t.Errorf("the generated tests did not run:\n%s", got)
	}
	goCmd("vet", "./...")
	bin := filepath.Join(dir, "tracflow")
	goCmd("build", "-o", bin, "./cmd/tracflow")
	b, err := exec.Command(bin, "plugins", "list", "--json").Output()
	if err != nil {
		t.Fatalf("plugins list: %v", err)
	}
	var rows []pluginRow
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("plugins list --json: %v\n%s", err, b)
	}
	has := map[string]bool{}
	for _, r := range rows {
		has[r.Module] = true
	}
	for _, m := range []string{"example.greet", "tracflow.flowcontrol.if"} {
		if !has[m] {
			t.Errorf("the built binary lacks %s: %s", m, b)
		}
	}
	if len(rows) < 10 {
		t.Errorf("the built binary lists %d plugins, want the built-ins too", len(rows))
	}
}

// TestPluginNewWithoutCheckout: without --replace a development build
// cannot name a version of the tracflow module, so go.mod has no require
// and the next steps say to get one.
func TestPluginNewWithoutCheckout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "greet")
	code, out, errs := run(t, "plugin", "new", "greet", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(gomod), "module example.com/greet\n\ngo 1.") || strings.Contains(string(gomod), "require") || strings.Contains(string(gomod), "replace") {
		t.Errorf("go.mod:\n%s", gomod)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); !os.IsNotExist(err) {
		t.Errorf("go.sum written without a checkout to copy it from: %v", err)
	}
	if !strings.Contains(out, "go get github.com/tracflow/tracflow") || !strings.Contains(out, "go mod tidy") {
		t.Errorf("next steps: %s", out)
	}
	main, _ := os.ReadFile(filepath.Join(dir, "cmd", "tracflow", "main.go"))
	if !strings.Contains(string(main), "tracflowcmd.Main(actions.Installed(), greet.Installed())") || !strings.Contains(string(main), "\t\"example.com/greet\"\n") {
		t.Errorf("main.go:\n%s", main)
	}
}
