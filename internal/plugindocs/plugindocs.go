// Package plugindocs writes the plugins' reference pages from their register
// records and config specs: one Markdown page per palette group (module
// name, description, ports, config fields with types and defaults, an
// example config) and an index. The pages are generated, never edited by
// hand: run `go generate ./actions` (or go run ./internal/cmd/plugindocs).
package plugindocs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/plugin"
)

// Page is one generated file.
type Page struct {
	Name string // file name, e.g. "data-processing.md"
	Text string
}

type entry struct {
	p    plugin.Plugin
	test plugin.TestData
}

// Render returns the pages for the installed list: an index (README.md) and
// one page per group, in the list's order.
func Render(list []plugin.Installed) []Page {
	var groups []string
	byGroup := map[string][]entry{}
	for _, in := range list {
		p := plugin.Complete(in.Register())
		g := "Other"
		if len(p.MetaData.Group) > 0 && strings.TrimSpace(p.MetaData.Group[0]) != "" {
			g = p.MetaData.Group[0]
		}
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], entry{p: p, test: in.Test})
	}
	var pages []Page
	var idx strings.Builder
	idx.WriteString(header)
	idx.WriteString("# Plugin reference\n\nEvery plugin this build installs, by palette group. ")
	idx.WriteString("How to write a plugin: [the developer guide](../plugins.md).\n\n")
	for _, g := range groups {
		file := Slug(g) + ".md"
		fmt.Fprintf(&idx, "## [%s](%s)\n\n", g, file)
		for _, e := range byGroup[g] {
			fmt.Fprintf(&idx, "- [%s](%s#%s): %s\n", e.p.MetaData.Name, file, Slug(e.p.MetaData.Name), inline(e.p.MetaData.Desc))
		}
		idx.WriteString("\n")
		pages = append(pages, Page{Name: file, Text: groupPage(g, byGroup[g])})
	}
	pages = append([]Page{{Name: "README.md", Text: idx.String()}}, pages...)
	return pages
}

const header = "<!-- Generated from the plugins' specs by `go generate ./actions`; do not edit. -->\n\n"

func groupPage(group string, es []entry) string {
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "# %s\n\n[All plugins](README.md) · [Writing a plugin](../plugins.md)\n\n", group)
	for _, e := range es {
		writePlugin(&b, e)
	}
	return b.String()
}

func writePlugin(b *strings.Builder, e entry) {
	p, md, s := e.p, e.p.MetaData, e.p.Spec
	fmt.Fprintf(b, "## %s\n\n", md.Name)
	fmt.Fprintf(b, "Module `%s`", s.Module)
	if len(s.Aliases) > 0 {
		al := make([]string, len(s.Aliases))
		for i, a := range s.Aliases {
			al[i] = "`" + a + "`"
		}
		fmt.Fprintf(b, " (also answers to %s)", strings.Join(al, ", "))
	}
	fmt.Fprintf(b, ", version %s.", s.Version)
	if p.Start {
		b.WriteString(" A start node.")
	}
	if p.Debug {
		b.WriteString(" It runs only in debug runs.")
	}
	b.WriteString("\n\n")
	fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(md.Desc))
	if d := md.Documentation; d != nil && strings.TrimSpace(d.Tutorial) != "" {
		fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(d.Tutorial))
	}
	b.WriteString("**Ports**\n\n| port | direction | what it carries |\n| --- | --- | --- |\n")
	doc := func(m map[string]plugin.PortDoc, port string) string {
		if m == nil {
			return ""
		}
		return cell(m[port].Desc)
	}
	var in, out map[string]plugin.PortDoc
	if md.Documentation != nil {
		in, out = md.Documentation.Inputs, md.Documentation.Outputs
	}
	if len(s.Inputs) == 0 {
		b.WriteString("| (none) | in | A start node: it has no input. |\n")
	}
	for _, port := range s.Inputs {
		fmt.Fprintf(b, "| `%s` | in | %s |\n", port, doc(in, port))
	}
	for _, port := range s.Outputs {
		fmt.Fprintf(b, "| `%s` | out | %s |\n", port, doc(out, port))
	}
	b.WriteString("\n")
	if s.Config == nil {
		b.WriteString("**Configuration**: none.\n\n")
		return
	}
	b.WriteString("**Configuration**\n\n| field | type | default | description |\n| --- | --- | --- | --- |\n")
	for _, f := range s.Config.Fields() {
		desc := f.Description
		if f.Required {
			desc = "Required. " + desc
		}
		if f.Hidden {
			desc += " Not shown in the editor's form."
		}
		if len(f.Options) > 0 {
			opts := make([]string, len(f.Options))
			for i, o := range f.Options {
				opts[i] = "`" + o.Value + "` (" + o.Label + ")"
			}
			desc += " One of " + strings.Join(opts, ", ") + "."
		}
		def := "none"
		if f.HasDefault || !f.Required {
			def = code(f.Default)
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.ID, typeName(f), def, cell(desc))
	}
	b.WriteString("\n")
	if e.test.Init != nil {
		ex, _ := json.MarshalIndent(e.test.Init, "", "  ")
		fmt.Fprintf(b, "Example configuration:\n\n```json\n%s\n```\n\n", ex)
	}
}

func typeName(f plugin.FieldInfo) string {
	switch f.Type {
	case plugin.TypeRef:
		return "reference"
	case plugin.TypeRefList:
		return "list of references"
	case plugin.TypeValue:
		return "value or reference"
	case plugin.TypeTemplate:
		return "template"
	case plugin.TypeCondition:
		return "TQL condition"
	case plugin.TypeMapping:
		return "object of reference: value"
	case plugin.TypeDuration:
		return "duration (seconds)"
	case plugin.TypeList:
		return "list"
	case plugin.TypeAny:
		return "any"
	}
	return string(f.Type)
}

func code(v any) string {
	j, err := json.Marshal(v)
	if err != nil {
		return "`?`"
	}
	return "`" + strings.ReplaceAll(string(j), "|", "\\|") + "`"
}

// cell makes text fit one table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", "\\|")
}

func inline(s string) string { return strings.Join(strings.Fields(s), " ") }

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug is a file or anchor name for a title: "Input/Output" is
// "input-output".
func Slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// Names returns the file names of pages, sorted.
func Names(pages []Page) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

// Write writes the pages into dir, removing generated pages of groups that
// no longer exist.
func Write(dir string, list []plugin.Installed) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pages := Render(list)
	keep := map[string]bool{}
	for _, p := range pages {
		keep[p.Name] = true
		if err := os.WriteFile(filepath.Join(dir, p.Name), []byte(p.Text), 0o644); err != nil {
			return err
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if keep[filepath.Base(f)] {
			continue
		}
		if b, err := os.ReadFile(f); err == nil && strings.HasPrefix(string(b), header) {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}
