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
