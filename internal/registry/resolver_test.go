package registry_test

import (
	"sync/atomic"
	"testing"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
)

// TestResolverAddsWhatItFinds: a name the registry does not hold is asked
// of the resolver once; what it finds is added and found directly next time.
func TestResolverAddsWhatItFinds(t *testing.T) {
	reg := registry.NewRegistry()
	var asked atomic.Int32
	reg.SetResolver(func(name string) (plugin.Plugin, bool) {
		asked.Add(1)
		if name != "remote.x" {
			return plugin.Plugin{}, false
		}
		return record("remote.x", nil)(), true
	})
	if _, ok := reg.Lookup("nope"); ok {
		t.Fatal("found a plugin the resolver does not know")
	}
	if _, ok := reg.Held("remote.x"); ok {
		t.Fatal("held before it was resolved")
	}
	for i := 0; i < 3; i++ {
		r, ok := reg.Lookup("remote.x")
		if !ok || r.ID() != "remote.x" {
			t.Fatalf("lookup %d: %v %v", i, r, ok)
		}
	}
	if n := asked.Load(); n != 2 {
		t.Errorf("the resolver was asked %d times, want 2 (nope, and remote.x once)", n)
	}
}

// TestPutReplacesAndRemoveForgets: Put replaces the plugin with the same
// id (its new ports count), refuses a module name another plugin holds;
// Remove forgets every name of a plugin.
func TestPutReplacesAndRemoveForgets(t *testing.T) {
	reg := registry.NewRegistry()
	if err := reg.Add(record("a", nil)(), plugin.TestData{}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(record("b", nil)(), plugin.TestData{}); err != nil {
		t.Fatal(err)
	}
	p := record("a", nil)()
	p.Spec.Outputs = []string{"out", "more"}
	p.MetaData.Documentation = plugin.Documented(nil, plugin.Ports{"out": "x", "more": "y"})
	if err := reg.Put(p, plugin.TestData{}); err != nil {
		t.Fatal(err)
	}
	if r, _ := reg.Lookup("a"); len(r.Plugin.Spec.Outputs) != 2 {
		t.Errorf("outputs after Put: %v", r.Plugin.Spec.Outputs)
	}
	q := record("c", nil)()
	q.Spec.Aliases = []string{"b"}
	if err := reg.Put(q, plugin.TestData{}); err == nil {
		t.Error("Put took a module name another plugin holds")
	}
	reg.Remove("a")
	if _, ok := reg.Lookup("a"); ok {
		t.Error("a removed plugin is still found")
	}
	if len(reg.List()) != 1 {
		t.Errorf("list after Remove: %d", len(reg.List()))
	}
}
