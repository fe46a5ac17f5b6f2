package plugintest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/workflow"
	"github.com/tracflow/tracflow/plugin"
)

// SuiteOptions are what a golden run needs beside its files.
type SuiteOptions struct {
	// Resources answers the credentials the flow's connectors ask for.
	Resources plugin.Resources
	// Vars are replaced in flow.json and event.json (${NAME} by its value),
	// and the values replaced back by ${NAME} in the output before it is
	// compared, so the addresses of stand-ins do not end in want.json.
	Vars map[string]string
}

// SuiteInput is event.json: what the flow runs on.
type SuiteInput struct {
	Event   plugin.Event   `json:"event"`
	Profile plugin.Profile `json:"profile,omitempty"`
	Session plugin.Session `json:"session,omitempty"`
	Payload plugin.Payload `json:"payload,omitempty"`
	Debug   bool           `json:"debug,omitempty"`
}

// SuiteOutput is want.json: what the run produced.
type SuiteOutput struct {
	Response       map[string]any       `json:"response"`
	Profile        plugin.Profile       `json:"profile"`
	ProfileUpdated bool                 `json:"profileUpdated"`
	Errors         []workflow.NodeError `json:"errors"`
	Logs           []plugin.Log         `json:"logs"`
}

// GoldenSuite runs every case folder under dir through the real engine: the
// flow of flow.json (Tracardi's export format; nodes need only data.spec
// with module and init), on the event, profile and session of event.json,
// with the plugins of list, and compares the flow's response, profile,
// errors and console with want.json. Run the test with -update to write
// want.json from what the run produced (then read the diff).
func GoldenSuite(t *testing.T, dir string, list []plugin.Installed, opt SuiteOptions) {
	t.Helper()
	reg := registry.NewRegistry()
	if rep := reg.Install(list); len(rep.Error) > 0 {
		t.Fatalf("install: %v", rep.Error)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		caseDir := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) { runSuiteCase(t, caseDir, reg, opt) })
	}
	if n == 0 {
		t.Fatalf("no case folders in %s", dir)
	}
}

func substitute(b []byte, vars map[string]string) []byte {
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	return []byte(s)
}

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

func runSuiteCase(t *testing.T, dir string, reg *registry.Registry, opt SuiteOptions) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return substitute(b, opt.Vars)
	}
	f, err := workflow.ParseFlow(read("flow.json"))
	if err != nil {
		t.Fatal(err)
	}
	var in SuiteInput
	if err := json.Unmarshal(read("event.json"), &in); err != nil {
		t.Fatalf("event.json: %v", err)
	}
	ctx := context.Background()
	c, err := workflow.Compile(ctx, f, reg)
	if err != nil {
		t.Fatalf("compile flow.json: %v", err)
	}
	defer c.Close(ctx)
	out := c.Run(ctx, workflow.Input{Event: in.Event, Profile: in.Profile, Session: in.Session, Payload: in.Payload,
		Debug: in.Debug, Resources: opt.Resources})
	got := SuiteOutput{Response: out.Response, Profile: out.Profile, ProfileUpdated: out.ProfileUpdated,
		Errors: out.Errors, Logs: out.Logs}
	if got.Errors == nil {
		got.Errors = []workflow.NodeError{}
	}
	if got.Logs == nil {
		got.Logs = []plugin.Log{}
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	gotText := unsubstitute(string(b), opt.Vars) + "\n"
	wantPath := filepath.Join(dir, "want.json")
	if updating() {
		if err := os.WriteFile(wantPath, []byte(gotText), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(normalize(t, want), normalize(t, []byte(gotText))) {
		t.Errorf("%s differs from the run (run with -update to accept):\n--- got\n%s", wantPath, gotText)
	}
}

// normalize re-encodes JSON so key order and spacing do not matter.
func normalize(t *testing.T, b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("want.json: %v", err)
	}
	out, _ := json.Marshal(v)
	return out
}
