package plugintest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

var update = flag.Bool("update", false, "rewrite the want.json files of golden tests with what the flows produce")

// GoldenOptions change how Golden runs a flow.
type GoldenOptions struct {
	// Data is the stored data the run reads (nil: no storage attached).
	Data plugin.Data
}

// GoldenInput is the content of a golden test's event.json.
type GoldenInput struct {
	Event   plugin.Event   `json:"event"`
	Profile plugin.Profile `json:"profile"`
	Session plugin.Session `json:"session"`
}

// GoldenOutput is the content of a golden test's want.json: what the run
// left in the state, and what every node emitted, by node id, in order.
type GoldenOutput struct {
	Profile  plugin.Profile             `json:"profile"`
	Session  plugin.Session             `json:"session"`
	Event    plugin.Event               `json:"event"`
	Response map[string]any             `json:"response"`
	UX       []plugin.UX                `json:"ux"`
	Memory   map[string]any             `json:"memory"`
	Logs     []plugin.Log               `json:"logs"`
	Errors   []workflow.NodeError       `json:"errors"`
	Nodes    map[string][]plugin.Result `json:"nodes"`
}

// Golden runs the flow of dir/flow.json on dir/event.json through the
// engine, with the plugins of list installed, and compares the outcome with
// dir/want.json; with the -update flag it writes want.json instead.
//
// flow.json is a flow in Tracardi's format. A node's data may hold only
// {"spec": {"module": ..., "init": {...}}}: the rest of the plugin record
// (ports, flags) is filled in from the installed plugin, as the editor does
// when it drops a node.
func Golden(t *testing.T, dir string, list []plugin.Installed, opt GoldenOptions) {
	t.Helper()
	reg := registry.NewRegistry()
	if rep := reg.Install(list); len(rep.Error) > 0 {
		t.Fatalf("install plugins: %v", rep.Error)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "flow.json"))
	if err != nil {
		t.Fatal(err)
	}
	flow, err := workflow.ParseFlow(raw)
	if err != nil {
		t.Fatalf("%s/flow.json: %v", dir, err)
	}
	if flow.FlowGraph != nil {
		for i, n := range flow.FlowGraph.Nodes {
			flow.FlowGraph.Nodes[i].Data = completeNode(t, reg, n)
		}
	}
	var in GoldenInput
	raw, err = os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("%s/event.json: %v", dir, err)
	}
	ctx := context.Background()
	c, err := workflow.Compile(ctx, flow, reg)
	if err != nil {
		t.Fatalf("%s/flow.json does not compile: %v", dir, err)
	}
	defer c.Close(ctx)
	out := c.Run(ctx, workflow.Input{Event: in.Event, Profile: in.Profile, Session: in.Session, Debug: true, Data: opt.Data})
	got := GoldenOutput{Profile: out.Profile, Session: out.Session, Event: out.Event, Response: out.Response,
		UX: out.UX, Memory: out.Memory, Logs: out.Logs, Errors: out.Errors, Nodes: map[string][]plugin.Result{}}
	if out.Debug != nil {
		ids := make([]string, 0, len(out.Debug.Nodes))
		for id := range out.Debug.Nodes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			for _, call := range out.Debug.Nodes[id].Calls {
				for _, r := range call.Output.Results {
					got.Nodes[id] = append(got.Nodes[id], plugin.Result{Port: r.Port, Value: r.Value})
				}
			}
		}
	}
	gotJSON, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	gotJSON = append(gotJSON, '\n')
	wantPath := filepath.Join(dir, "want.json")
	if *update {
		if err := os.WriteFile(wantPath, gotJSON, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	// Compare decoded, so that formatting does not matter.
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", wantPath, err)
	}
	_ = json.Unmarshal(gotJSON, &g)
	wb, _ := json.Marshal(w)
	gb, _ := json.Marshal(g)
	if !bytes.Equal(wb, gb) {
		t.Errorf("%s differs from the run (rerun with -update if the change is right):\n--- got\n%s\n--- want\n%s", wantPath, gotJSON, want)
	}
}

// completeNode fills in the plugin record of a node whose data gives only
// its module and init.
func completeNode(t *testing.T, reg *registry.Registry, n workflow.Node) json.RawMessage {
	t.Helper()
	var data map[string]any
	if err := json.Unmarshal(n.Data, &data); err != nil {
		t.Fatalf("node %s: %v", n.ID, err)
	}
	spec, _ := data["spec"].(map[string]any)
	module, _ := spec["module"].(string)
	r, ok := reg.Lookup(module)
	if !ok {
		t.Fatalf("node %s: plugin %q is not installed", n.ID, module)
	}
	full, err := json.Marshal(r.Plugin)
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	_ = json.Unmarshal(full, &rec)
	merge(rec, data)
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// merge copies src into dst, object by object (src wins).
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok && k != "init" {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
