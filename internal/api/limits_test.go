package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/internal/workflow"
)

// TestTrackStopsExponentialFlows: 22 diamonds in a row would run the last
// node 4 million times for one anonymous event; the run stops at the node
// run bound, and the answer and the stored event say why.
func TestTrackStopsExponentialFlows(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("web", testenv.DiamondFlow("diamonds", 22), "page-view")
	r := e.Do("POST", "/track", "", trackBody(src, "", "", "page-view")).MustOK(t)
	errs, _ := r.Obj()["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors %v, want one: %s", errs, r.Raw)
	}
	msg, _ := errs[0].(string)
	if !strings.Contains(msg, "10000 times") || !strings.Contains(msg, workflow.NodeRunsSetting) {
		t.Errorf("the error should name the bound and its setting: %q", msg)
	}
	// The deploy answer warned about it.
	var flow map[string]any
	json.Unmarshal([]byte(testenv.DiamondFlow("diamonds", 22)), &flow)
	w := e.Admin("POST", "/flow/production", flow).MustOK(t).Obj()["warnings"].([]any)
	if len(w) != 1 || testenv.At(w, "0.nodeId") != "d7" {
		t.Errorf("deploy warnings %v, want one naming d7", w)
	}
	// So does the import.
	flow["id"] = "imported-diamonds"
	iw := e.Admin("POST", "/flow/import", flow).MustOK(t).Obj()["warnings"].([]any)
	if len(iw) != 1 || testenv.At(iw, "0.nodeId") != "d7" {
		t.Errorf("import warnings %v, want one naming d7", iw)
	}
	flow["id"] = "diamonds"
	// The debugger reports the stop in the debug info.
	dbg := e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "page-view"}}).MustOK(t).Obj()
	raw, _ := json.Marshal(dbg)
	if !strings.Contains(string(raw), workflow.NodeRunsSetting) {
		t.Errorf("debug answer does not name the bound: %.2000s", raw)
	}
}

// TestTrackRunsSmallDiamonds: 3 diamonds run the last node 8 times, well
// within the bound, and without a warning.
func TestTrackRunsSmallDiamonds(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("web", testenv.DiamondFlow("diamonds", 3), "page-view")
	r := e.Do("POST", "/track", "", trackBody(src, "", "", "page-view")).MustOK(t)
	if errs, _ := r.Obj()["errors"].([]any); len(errs) != 0 {
		t.Fatalf("errors: %s", r.Raw)
	}
	pid := r.At("profile.id").(string)
	p := e.Admin("GET", "/profile/"+pid, nil).MustOK(t).Obj()
	if got := obj(p, "stats", "counters")["d3"]; got != 8.0 {
		t.Errorf("d3 counted %v, want 8", got)
	}
	var flow map[string]any
	json.Unmarshal([]byte(testenv.DiamondFlow("diamonds", 3)), &flow)
	if w := e.Admin("POST", "/flow/production", flow).MustOK(t).Obj()["warnings"].([]any); len(w) != 0 {
		t.Errorf("deploy warnings %v", w)
	}
	if r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
}
