package plugintest

import (
	"context"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
)

// Conformance checks every entry of an installed-plugins list: it registers,
// it declares its configuration with a ConfigSpec (when it takes one) whose
// defaults parse, it sets up with its test config (and closes), it documents
// every port and every config field, and it has a name, a description and a
// group. Call it from a test:
//
//	func TestInstalled(t *testing.T) { plugintest.Conformance(t, actions.Installed()) }
func Conformance(t *testing.T, list []plugin.Installed) {
	t.Helper()
	reg := registry.NewRegistry()
	rep := reg.Install(list)
	for _, e := range rep.Error {
		t.Errorf("plugin %s was not installed: %s", e.Module, e.Reason)
	}
	if len(rep.Registered) != len(list) {
		t.Errorf("installed %d of %d plugins", len(rep.Registered), len(list))
	}
	for _, in := range list {
		raw := in.Register()
		p := plugin.Complete(raw)
		t.Run(p.Spec.Module, func(t *testing.T) {
			md := p.MetaData
			if strings.TrimSpace(md.Name) == "" {
				t.Error("metadata.name is empty")
			}
			if strings.TrimSpace(md.Desc) == "" {
				t.Error("metadata.desc is empty")
			}
			if len(md.Group) == 0 || strings.TrimSpace(md.Group[0]) == "" {
				t.Error("metadata.group is empty")
			}
			if md.Documentation == nil {
				t.Fatal("metadata.documentation is missing")
			}
			for _, port := range p.Spec.Inputs {
				if strings.TrimSpace(md.Documentation.Inputs[port].Desc) == "" {
					t.Errorf("input port %q is not documented", port)
				}
			}
			for _, port := range p.Spec.Outputs {
				if strings.TrimSpace(md.Documentation.Outputs[port].Desc) == "" {
					t.Errorf("output port %q is not documented", port)
				}
			}
			if raw.Spec.Init != nil && raw.Spec.Config == nil {
				t.Error("the plugin takes a config but declares no Spec.Config (a plugin.ConfigSpec)")
			}
			if c := raw.Spec.Config; c != nil {
				if raw.Spec.Init != nil || raw.Spec.Form != nil {
					t.Error("Spec.Init or Spec.Form is set beside Spec.Config; declare the config once, in Spec.Config")
				}
				for _, f := range c.Fields() {
					if strings.TrimSpace(f.Description) == "" {
						t.Errorf("config field %q has no description", f.ID)
					}
				}
				if _, err := c.Parse(c.Init()); err != nil && !onlyRequired(c, err) {
					t.Errorf("the default config does not parse: %v", err)
				}
			}
			if in.Test.Init == nil && p.Spec.Init != nil {
				t.Error("the installed list gives no test config (Test.Init) for a plugin that takes a config")
			}
			ctx := context.Background()
			a, err := SetUp(ctx, p, in.Test.Init)
			if err != nil {
				t.Fatalf("set up with its test config %v: %v", in.Test.Init, err)
			}
			if cl, ok := a.(plugin.Closer); ok {
				if err := cl.Close(ctx); err != nil {
					t.Errorf("close: %v", err)
				}
			}
		})
	}
}

// onlyRequired reports whether every error of err is a required field left
// empty by its default (a default cannot say what the user must type).
func onlyRequired(c *plugin.ConfigSpec, err error) bool {
	req := map[string]bool{}
	for _, f := range c.Fields() {
		req[f.ID] = f.Required
	}
	for _, fe := range plugin.AsFieldErrors(err) {
		if !req[fe.Field] {
			return false
		}
	}
	return true
}
