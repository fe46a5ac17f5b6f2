package plugindocs_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/plugindocs"
	"github.com/tracflow/tracflow/plugin"
)

var update = flag.Bool("update", false, "rewrite docs/plugins from the plugins' specs")

const dir = "../../docs/plugins"

// TestCommittedPagesMatch fails when the committed reference pages differ
// from what the plugins' specs give.
func TestCommittedPagesMatch(t *testing.T) {
	if *update {
		if err := plugindocs.Write(dir, actions.Installed()); err != nil {
			t.Fatal(err)
		}
	}
	pages := plugindocs.Render(actions.Installed())
	for _, p := range pages {
		b, err := os.ReadFile(filepath.Join(dir, p.Name))
		if err != nil || string(b) != p.Text {
			t.Errorf("docs/plugins/%s is out of date with the plugins' specs; regenerate it with `go generate ./actions` (or go test ./internal/plugindocs -update)", p.Name)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	if len(files) != len(pages) {
		t.Errorf("docs/plugins holds %d pages, the plugins give %d (%v); regenerate with `go generate ./actions`", len(files), len(pages), plugindocs.Names(pages))
	}
}

// TestEveryPluginDocumented checks that each installed plugin's page names
// its module, every port and every config field, with an example when it
// takes a config.
func TestEveryPluginDocumented(t *testing.T) {
	text := map[string]string{}
	for _, p := range plugindocs.Render(actions.Installed()) {
		text[p.Name] = p.Text
	}
	for _, in := range actions.Installed() {
		p := plugin.Complete(in.Register())
		page := text[plugindocs.Slug(p.MetaData.Group[0])+".md"]
		sec := section(page, "## "+p.MetaData.Name+"\n")
		if sec == "" {
			t.Errorf("%s: no section on its group's page", p.Spec.Module)
			continue
		}
		want := []string{"`" + p.Spec.Module + "`"}
		for _, port := range append(append([]string{}, p.Spec.Inputs...), p.Spec.Outputs...) {
			want = append(want, "| `"+port+"` |")
		}
		if p.Spec.Config != nil {
			for _, f := range p.Spec.Config.Fields() {
				want = append(want, "| `"+f.ID+"` |")
			}
			want = append(want, "```json")
		}
		for _, w := range want {
			if !strings.Contains(sec, w) {
				t.Errorf("%s: its section lacks %s", p.Spec.Module, w)
			}
		}
	}
	if !strings.Contains(text["README.md"], "(../plugins.md)") {
		t.Error("the index does not link the developer guide")
	}
}

func section(page, head string) string {
	i := strings.Index(page, head)
	if i < 0 {
		return ""
	}
	rest := page[i+len(head):]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
