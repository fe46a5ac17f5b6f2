package tracflowcmd_test

import (
	"testing"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/tracflowcmd"
)

func reg(module string) func() plugin.Plugin {
	return func() plugin.Plugin { return plugin.Plugin{Spec: plugin.Spec{Module: module}} }
}

func TestPluginsJoinsListsInOrder(t *testing.T) {
	a := []plugin.Installed{{Register: reg("a1")}, {Register: reg("a2")}}
	b := []plugin.Installed{{Register: reg("b1"), Test: plugin.TestData{Init: plugin.Config{"x": 1}}}}
	got := tracflowcmd.Plugins(a, nil, b)
	var mods []string
	for _, in := range got {
		mods = append(mods, in.Register().Spec.Module)
	}
	if len(mods) != 3 || mods[0] != "a1" || mods[1] != "a2" || mods[2] != "b1" {
		t.Fatalf("Plugins = %v, want [a1 a2 b1]", mods)
	}
	if got[2].Test.Init["x"] != 1 {
		t.Errorf("the test config of b1 is lost: %+v", got[2].Test)
	}
	if n := len(tracflowcmd.Plugins()); n != 0 {
		t.Errorf("Plugins() has %d entries", n)
	}
}

func TestRunExitCodes(t *testing.T) {
	if code := tracflowcmd.Run([]string{"version"}); code != 0 {
		t.Errorf("version: exit %d", code)
	}
	if code := tracflowcmd.Run([]string{"no-such-command"}); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
