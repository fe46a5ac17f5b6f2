package actions_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoInternalImports keeps the built-in plugins on the public SDK: no
// package under actions/ or examples/ imports a package under internal/ (the
// engine's), so a plugin written outside this repository can do everything
// a built-in does. Tests may drive the engine; the plugins' own code may not.
func TestNoInternalImports(t *testing.T) {
	checked := 0
	for _, root := range []string{".", "../examples"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			checked++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if internalImport(p) {
					t.Errorf("%s imports %s: plugins use the public SDK (plugin/...), not the engine's internal packages", path, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files; is the test looking in the right folders?", checked)
	}
}

// internalImport reports whether an import path names an internal package.
func internalImport(p string) bool {
	return p == "internal" || strings.HasPrefix(p, "internal/") || strings.HasSuffix(p, "/internal") || strings.Contains(p, "/internal/")
}

func TestInternalImportPattern(t *testing.T) {
	for p, want := range map[string]bool{
		"github.com/tracflow/tracflow/internal/notation":     true,
		"github.com/tracflow/tracflow/actions/internal/conf": true,
		"github.com/tracflow/tracflow/plugin/dotpath":        false,
		"github.com/tracflow/tracflow/plugin":                false,
		"github.com/someone/internalize":                     false,
		"github.com/tracflow/tracflow/actions/internal":      true,
	} {
		if got := internalImport(p); got != want {
			t.Errorf("internalImport(%q) = %v, want %v", p, got, want)
		}
	}
}
