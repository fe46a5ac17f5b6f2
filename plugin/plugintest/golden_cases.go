package plugintest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
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

// GoldenCases runs every case folder under dir through the real engine with the
// plugins of list installed, and compares what the run gives with the
// case's want.json. A case folder holds:
//
//	flow.json     a flow in Tracardi's export format
//	event.json    the event (collected at 2024-03-14T15:09:26Z unless its
//	              metadata says otherwise)
//	profile.json  the profile (optional; without it the event is profile-less)
//	session.json  the session (optional)
//	want.json     the expected outcome
//
// The outcome is the results every node fired, by node id and call, the
// profile and session after the run, the response, the console and the
// errors. Run the test with -update to
// write want.json from the runs (then read the diff before committing).
func GoldenCases(t *testing.T, dir string, list []plugin.Installed) {
	t.Helper()
	reg := registry.NewRegistry()
	if rep := reg.Install(list); len(rep.Error) > 0 {
		t.Fatalf("install: %v", rep.Error)
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
		t.Run(e.Name(), func(t *testing.T) { runGolden(t, caseDir, reg) })
	}
	if cases == 0 {
		t.Fatalf("no golden cases (folders with a flow.json) under %s", dir)
	}
}

func runGolden(t *testing.T, dir string, reg *registry.Registry) {
	ctx := context.Background()
	raw, err := os.ReadFile(filepath.Join(dir, "flow.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := workflow.ParseFlow(raw)
	if err != nil {
		t.Fatalf("flow.json: %v", err)
	}
	c, err := workflow.Compile(ctx, f, reg)
	if err != nil {
		t.Fatalf("flow.json: %v", err)
	}
	defer c.Close(ctx)
	in := workflow.Input{Debug: true}
	if err := readJSON(filepath.Join(dir, "event.json"), &in.Event); err != nil {
		t.Fatal(err)
	}
	in.Event = domain.PrepareEvent(in.Event, goldenTime)
	if err := readJSON(filepath.Join(dir, "profile.json"), &in.Profile); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if in.Profile != nil {
		in.Event["profile"] = map[string]any{"id": in.Profile.ID()}
	}
	if err := readJSON(filepath.Join(dir, "session.json"), &in.Session); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if in.Session != nil {
		in.Event["session"] = map[string]any{"id": in.Session.ID()}
	}
	out := c.Run(ctx, in)

	ports := map[string]any{}
	for id, nd := range out.Debug.Nodes {
		calls := []any{}
		for _, call := range nd.Calls {
			res := []any{}
			for _, r := range call.Output.Results {
				res = append(res, map[string]any{"port": r.Port, "value": r.Value})
			}
			calls = append(calls, res)
		}
		ports[id] = calls
	}
	console := []plugin.Log{}
	console = append(console, out.Logs...)
	errs := []workflow.NodeError{}
	errs = append(errs, out.Errors...)
	got := map[string]any{
		"ports": ports, "profile": out.Profile, "session": out.Session, "response": out.Response, "console": console, "errors": errs,
	}
	gotJSON := encodeIndent(t, got)
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
	var gotV, wantV any
	if err := json.Unmarshal(gotJSON, &gotV); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(wantJSON, &wantV); err != nil {
		t.Fatalf("want.json: %v", err)
	}
	if !reflect.DeepEqual(gotV, wantV) {
		t.Errorf("%s: the run differs from want.json (run with -update to accept it)\ngot:\n%s\nwant:\n%s", dir, gotJSON, wantJSON)
	}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New(path + ": " + err.Error())
	}
	return nil
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
