package plugin

import (
	"testing"

	"github.com/tracflow/tracflow/plugin/dotpath"
)

func TestFlowDataIsBuiltOncePerRun(t *testing.T) {
	s := &State{Flow: &Flow{ID: "f", Name: "n", Response: map[string]any{}}}
	a := s.FlowData()
	if a["id"] != "f" || a["name"] != "n" {
		t.Fatalf("flow data = %v", a)
	}
	if n := testing.AllocsPerRun(10, func() { s.FlowData() }); n != 0 {
		t.Errorf("FlowData allocates %v times once built", n)
	}
	s.Flow.Response["k"] = 1 // a change inside the response shows through
	if dotpath.At(s.FlowData(), "response.k") != 1 {
		t.Error("response change not visible")
	}
	s.Flow.Response = map[string]any{"new": true} // a replaced response is picked up
	resp, _ := dotpath.At(s.FlowData(), "response").(map[string]any)
	if _, ok := resp["new"]; !ok {
		t.Error("replaced response not picked up")
	}
	s.Flow.Name = "renamed"
	if s.FlowData()["name"] != "renamed" {
		t.Error("renamed flow not picked up")
	}
	if (&State{}).FlowData() != nil {
		t.Error("no flow must give nil")
	}
}
