package plugintest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// The -update flag of golden tests is defined here unless the test binary
// has one already (a package's own test may define it for its own files);
// it is read by name.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the want.json files of golden cases with what the runs give")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenTime is when golden events without a collection time were
// collected, so that every run is the same.
var goldenTime = time.Date(2024, 3, 14, 15, 9, 26, 0, time.UTC)

// GoldenOptions are what golden runs need beside their files.
type GoldenOptions struct {
	// Data is the stored data the runs read (nil: no storage attached). All
	// the cases of a folder share it.
	Data plugin.Data
	// Resources answers the credentials the flows' connectors ask for.
	Resources plugin.Resources
	// Vars are replaced in flow.json and event.json (${NAME} by its value),
	// and the values replaced back by ${NAME} in the outcome before it is
	// compared, so that the addresses of stand-in servers do not end in
	// want.json.
	Vars map[string]string
}

// GoldenInput is a case's event.json: what the flow runs on.
type GoldenInput struct {
	// Event is the event; it is completed as the collector completes it
	// (collected at 2024-03-14T15:09:26Z unless its metadata says otherwise).
	Event plugin.Event `json:"event"`
	// Profile is the profile (absent: the event is profile-less).
	Profile plugin.Profile `json:"profile,omitempty"`
	// Session is the session (optional).
	Session plugin.Session `json:"session,omitempty"`
	// Payload is what the start node passes on (optional).
	Payload plugin.Payload `json:"payload,omitempty"`
	// Debug runs the flow as the editor's debug run does, so that the ports
	// every node fired are recorded and debug-only start nodes run. Absent
	// means true; false runs the flow as the collector does (no ports).
	Debug *bool `json:"debug,omitempty"`
}

// GoldenResult is one result a node fired: the port and its payload.
type GoldenResult struct {
	Port  string         `json:"port"`
	Value plugin.Payload `json:"value"`
}

// GoldenOutput is a case's want.json: what the run gave.
type GoldenOutput struct {
	// Ports lists, by node id, per call of the node, the results it fired.
	Ports          map[string][][]GoldenResult `json:"ports"`
	Profile        plugin.Profile              `json:"profile"`
	ProfileUpdated bool                        `json:"profileUpdated"`
	Session        plugin.Session              `json:"session"`
	Response       map[string]any              `json:"response"`
	UX             []plugin.UX                 `json:"ux"`
	Console        []plugin.Log                `json:"console"`
	Errors         []workflow.NodeError        `json:"errors"`
}

// Golden runs every case folder under dir through the real engine with the
// plugins of list installed, and compares what each run gives with the
// case's want.json. A case folder holds:
//
//	flow.json   a flow in Tracardi's export format; a node's data may hold
//	            only {"spec": {"module": ..., "init": {...}}}: the rest of
//	            the plugin record (ports, flags) is filled in from the
//	            installed plugin, as the editor does when it drops a node
//	event.json  {"event", "profile", "session", "payload", "debug"} (see
//	            GoldenInput)
//	want.json   the expected outcome (see GoldenOutput)
//
// Folders without a flow.json are skipped; a dir without any case fails.
// Run the test with -update to write want.json from the runs (then read the
// diff before committing).
func Golden(t *testing.T, dir string, list []plugin.Installed, opts ...GoldenOptions) {
	t.Helper()
	var opt GoldenOptions
	for _, o := range opts {
		opt = o
	}
	reg := registry.NewRegistry()
	if rep := reg.Install(list); len(rep.Error) > 0 {
		t.Fatalf("install plugins: %v", rep.Error)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		caseDir := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(caseDir, "flow.json")); err != nil {
			continue
		}
		cases++
		t.Run(e.Name(), func(t *testing.T) { runGolden(t, caseDir, reg, opt) })
	}
	if cases == 0 {
		t.Fatalf("no golden cases (folders with a flow.json) under %s", dir)
	}
}

func runGolden(t *testing.T, dir string, reg *registry.Registry, opt GoldenOptions) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return substitute(b, opt.Vars)
	}
	flow, err := workflow.ParseFlow(read("flow.json"))
	if err != nil {
		t.Fatalf("%s/flow.json: %v", dir, err)
	}
	if flow.FlowGraph != nil {
		for i, n := range flow.FlowGraph.Nodes {
			flow.FlowGraph.Nodes[i].Data = completeNode(t, reg, n)
		}
	}
	var in GoldenInput
	if err := json.Unmarshal(read("event.json"), &in); err != nil {
		t.Fatalf("%s/event.json: %v", dir, err)
	}
	if in.Event == nil {
		t.Fatalf("%s/event.json: no event", dir)
	}
	debug := in.Debug == nil || *in.Debug
	ctx := context.Background()
	c, err := workflow.Compile(ctx, flow, reg)
	if err != nil {
		t.Fatalf("%s/flow.json does not compile: %v", dir, err)
	}
	defer c.Close(ctx)
	out := c.Run(ctx, workflow.Input{Event: domain.PrepareEvent(in.Event, goldenTime), Profile: in.Profile,
		Session: in.Session, Payload: in.Payload, Debug: debug, Resources: opt.Resources, Data: opt.Data})

	got := GoldenOutput{Ports: map[string][][]GoldenResult{}, Profile: out.Profile, ProfileUpdated: out.ProfileUpdated,
		Session: out.Session, Response: out.Response, UX: out.UX, Console: out.Logs, Errors: out.Errors}
	if out.Debug != nil {
		for id, nd := range out.Debug.Nodes {
			calls := [][]GoldenResult{}
			for _, call := range nd.Calls {
				res := []GoldenResult{}
				for _, r := range call.Output.Results {
					res = append(res, GoldenResult{Port: r.Port, Value: r.Value})
				}
				calls = append(calls, res)
			}
			got.Ports[id] = calls
		}
	}
	if got.UX == nil {
		got.UX = []plugin.UX{}
	}
	if got.Console == nil {
		got.Console = []plugin.Log{}
	}
	if got.Errors == nil {
		got.Errors = []workflow.NodeError{}
	}
	gotJSON := []byte(unsubstitute(string(encodeIndent(t, got)), opt.Vars))
	wantPath := filepath.Join(dir, "want.json")
	if updating() {
		if err := os.WriteFile(wantPath, gotJSON, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantJSON, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	// Compare decoded, so that key order and spacing do not matter.
	var gotV, wantV any
	if err := json.Unmarshal(gotJSON, &gotV); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(wantJSON, &wantV); err != nil {
		t.Fatalf("%s: %v", wantPath, err)
	}
	if !reflect.DeepEqual(gotV, wantV) {
		t.Errorf("%s differs from the run (rerun with -update if the change is right):\n--- got\n%s\n--- want\n%s", wantPath, gotJSON, wantJSON)
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

// substitute replaces ${NAME} by the value of vars[NAME].
func substitute(b []byte, vars map[string]string) []byte {
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	return []byte(s)
}

// unsubstitute replaces the values of vars back by ${NAME}.
func unsubstitute(s string, vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	// Longer values first, so a value holding another is replaced whole.
	sort.Slice(keys, func(i, j int) bool { return len(vars[keys[i]]) > len(vars[keys[j]]) })
	for _, k := range keys {
		if vars[k] != "" {
			s = strings.ReplaceAll(s, vars[k], "${"+k+"}")
		}
	}
	return s
}

func encodeIndent(t *testing.T, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
