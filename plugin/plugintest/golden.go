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
	"time"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// The -update flag of golden tests. It is defined here unless the test
// binary has one already, and read by name: a test package that wants
// -update for its own files reads it with flag.Lookup("update") rather than
// defining it again.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the want.json files of golden tests with what the flows produce")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenTime is the collection time of golden events that carry none, so
// that runs are the same every time.
var goldenTime = time.Date(2024, 3, 14, 15, 9, 26, 0, time.UTC)

// Golden runs every case under dir through the real engine with the plugins
// of installed, and compares what each run produced with the case's
// want.json. A case is a folder holding:
//
//   - flow.json: a flow in Tracardi's export format;
//   - event.json: the event (an event without metadata.time.insert is
//     collected at 2024-03-14T15:09:26Z);
//   - profile.json, session.json (optional): the profile and the session;
//     without profile.json the event is profile-less;
//   - want.json: {"profile", "session", "response", "console", "errors",
//     "ports"}, where ports holds, for every node that ran, the results of
//     its calls ([{"port", "value"}, ...] per call).
//
// Run the test with -update to write want.json from what the runs produce
// (then read the diff before committing it).
func Golden(t *testing.T, dir string, installed []plugin.Installed) {
	t.Helper()
	cases, err := filepath.Glob(filepath.Join(dir, "*", "flow.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no golden cases (*/flow.json) under %s", dir)
	}
	reg := registry.NewRegistry()
	if rep := reg.Install(installed); len(rep.Error) > 0 {
		t.Fatalf("install: %v", rep.Error)
	}
	for _, flowPath := range cases {
		caseDir := filepath.Dir(flowPath)
		t.Run(filepath.Base(caseDir), func(t *testing.T) {
			got := goldenRun(t, caseDir, reg)
			wantPath := filepath.Join(caseDir, "want.json")
			if updating() {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !jsonEqual(t, got, want) {
				t.Errorf("%s differs from the run (run with -update to rewrite it);\ngot:\n%s", wantPath, got)
			}
		})
	}
}

func goldenRun(t *testing.T, dir string, reg *registry.Registry) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "flow.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := workflow.ParseFlow(b)
	if err != nil {
		t.Fatalf("flow.json: %v", err)
	}
	c, err := workflow.Compile(context.Background(), f, reg)
	if err != nil {
		t.Fatalf("flow.json: %v", err)
	}
	defer c.Close(context.Background())

	event := plugin.Event(readGoldenObject(t, dir, "event.json", true))
	event = domain.PrepareEvent(event, goldenTime)
	var profile plugin.Profile
	if m := readGoldenObject(t, dir, "profile.json", false); m != nil {
		profile = plugin.Profile(m)
		event["profile"] = map[string]any{"id": profile.ID()}
	}
	var session plugin.Session
	if m := readGoldenObject(t, dir, "session.json", false); m != nil {
		session = plugin.Session(m)
		event["session"] = map[string]any{"id": session.ID()}
	}
	out := c.Run(context.Background(), workflow.Input{Event: event, Profile: profile, Session: session, Debug: true})

	ports := map[string]any{}
	if out.Debug != nil {
		ids := make([]string, 0, len(out.Debug.Nodes))
		for id := range out.Debug.Nodes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			var calls []any
			for _, call := range out.Debug.Nodes[id].Calls {
				res := []any{}
				for _, r := range call.Output.Results {
					res = append(res, map[string]any{"port": r.Port, "value": r.Value})
				}
				calls = append(calls, res)
			}
			ports[id] = calls
		}
	}
	console := append([]plugin.Log{}, out.Logs...)
	errs := append([]workflow.NodeError{}, out.Errors...)
	rep := map[string]any{
		"profile":  out.Profile,
		"session":  out.Session,
		"response": out.Response,
		"console":  console,
		"errors":   errs,
		"ports":    ports,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readGoldenObject(t *testing.T, dir, name string, required bool) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		if !required && os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("want.json: %v", err)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}
