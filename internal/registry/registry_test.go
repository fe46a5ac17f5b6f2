package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
)

type nop struct{}

func (nop) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	return nil, nil
}

func record(module string, cfg *plugin.ConfigSpec) func() plugin.Plugin {
	return func() plugin.Plugin {
		return plugin.Plugin{
			Spec:     plugin.Spec{Module: module, Inputs: []string{"payload"}, Outputs: []string{"out"}, License: "MIT", Config: cfg},
			MetaData: plugin.MetaData{Name: module, Documentation: plugin.Documented(nil, plugin.Ports{"out": "x"})},
			New:      func() plugin.Action { return nop{} },
		}
	}
}

// TestInstallCompletesAndChecksConfigSpecs: an installed plugin's Init and
// Form come from its ConfigSpec; a spec with a declaration mistake is
// refused with the reason, and the others still install.
func TestInstallCompletesAndChecksConfigSpecs(t *testing.T) {
	good := plugin.NewConfigSpec().Field(plugin.NewIntField("n").Description("n").Default(2))
	bad := plugin.NewConfigSpec().Field(plugin.NewIntField("n").Description("n").Default("two"))
	reg := registry.NewRegistry()
	rep := reg.Install([]plugin.Installed{{Register: record("good", good)}, {Register: record("bad", bad)}})
	if len(rep.Registered) != 1 || len(rep.Error) != 1 || rep.Error[0].Module != "bad" || !strings.Contains(rep.Error[0].Reason, "default") {
		t.Fatalf("report = %+v", rep)
	}
	r, ok := reg.Lookup("good")
	if !ok {
		t.Fatal("good is not installed")
	}
	if r.Plugin.Spec.Init["n"] != 2 || r.Plugin.Spec.Form == nil || r.Plugin.Spec.Form.Groups[0].Fields[0].ID != "n" {
		t.Errorf("init %v, form %+v", r.Plugin.Spec.Init, r.Plugin.Spec.Form)
	}
}

// TestInstallRefusesLicencesAndPorts: a plugin under a licence other than
// MIT or Apache-2.0, or with ports the engine cannot route, is refused with
// the reason; the good one beside them still installs.
func TestInstallRefusesLicencesAndPorts(t *testing.T) {
	with := func(module string, change func(p *plugin.Plugin)) plugin.Installed {
		return plugin.Installed{Register: func() plugin.Plugin {
			p := record(module, nil)()
			change(&p)
			return p
		}}
	}
	cases := map[string]struct {
		change func(p *plugin.Plugin)
		reason string
	}{
		"gpl":          {func(p *plugin.Plugin) { p.Spec.License = "GPL-3.0" }, `license "GPL-3.0" is not allowed`},
		"no-license":   {func(p *plugin.Plugin) { p.Spec.License = "" }, `license "" is not allowed`},
		"two-inputs":   {func(p *plugin.Plugin) { p.Spec.Inputs = []string{"a", "b"} }, "2 input ports (a, b)"},
		"twice":        {func(p *plugin.Plugin) { p.Spec.Outputs = []string{"out", "out"} }, `output port "out" is declared twice`},
		"unnamed":      {func(p *plugin.Plugin) { p.Spec.Outputs = []string{""} }, "an output port has no name"},
		"undocumented": {func(p *plugin.Plugin) { p.Spec.Outputs = []string{"out", "more"} }, "output port(s) more not documented"},
	}
	list := []plugin.Installed{{Register: record("good", nil)}}
	for module, c := range cases {
		list = append(list, with(module, c.change))
	}
	for _, l := range []string{"MIT", "Apache-2.0"} {
		list = append(list, with("licensed-"+l, func(p *plugin.Plugin) { p.Spec.License = l }))
	}
	rep := registry.NewRegistry().Install(list)
	reasons := map[string]string{}
	for _, e := range rep.Error {
		reasons[e.Module] = e.Reason
	}
	for module, c := range cases {
		if !strings.Contains(reasons[module], c.reason) {
			t.Errorf("%s: refused with %q, want a reason saying %q", module, reasons[module], c.reason)
		}
	}
	if len(rep.Registered) != 3 || len(rep.Error) != len(cases) {
		t.Errorf("registered %v, refused %d, want good and the MIT and Apache-2.0 plugins", rep.Registered, len(rep.Error))
	}
}
