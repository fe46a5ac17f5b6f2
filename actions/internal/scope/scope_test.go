package scope

import (
	"testing"

	"github.com/tracflow/tracflow/plugin"
)

func TestFor(t *testing.T) {
	st := &plugin.State{
		Event:   plugin.Event{"type": "x"},
		Profile: plugin.Profile{"id": "p"},
		Flow:    &plugin.Flow{ID: "f", Response: map[string]any{}},
	}
	r := &plugin.ActionRunner{}
	r.Bind(st, &plugin.Node{ID: "n"})
	var s Scope
	sc := s.For(r, map[string]any{"a": 1})
	if sc.Event["type"] != "x" || sc.Profile["id"] != "p" || sc.Flow["id"] != "f" || sc.Session != nil {
		t.Fatalf("scope = %+v", sc)
	}
	if sc.Memory == nil || st.Memory == nil {
		t.Fatal("memory must be created on the state so writes to memory@ persist")
	}
	// A new run gets a new flow object.
	st2 := &plugin.State{Flow: &plugin.Flow{ID: "g"}}
	r.Bind(st2, &plugin.Node{ID: "n"})
	if sc = s.For(r, nil); sc.Flow["id"] != "g" || sc.Profile != nil {
		t.Fatalf("scope after rebinding = %+v", sc)
	}
	if n := testing.AllocsPerRun(100, func() { s.For(r, nil) }); n != 0 {
		t.Errorf("For allocates %v times per call on the same run", n)
	}
}
