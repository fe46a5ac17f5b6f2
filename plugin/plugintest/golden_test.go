package plugintest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// goldenFlow is start → add response, with nodes that give only their
// module and init (Golden fills in the rest).
const goldenFlow = `{"id": "g", "name": "G", "flowGraph": {
  "nodes": [
    {"id": "start", "type": "flowNode", "position": {"x": 0, "y": 0},
     "data": {"spec": {"module": "tracardi.process_engine.action.v1.flow.start.start_action", "init": {"event_types": []}}}},
    {"id": "r", "type": "flowNode", "position": {"x": 0, "y": 0},
     "data": {"spec": {"module": "tracardi.process_engine.action.v1.internal.add_response.plugin",
       "init": {"key": "echo", "body": "{\"url\": \"event@properties.url\", \"email\": \"profile@traits.email\"}", "default": true}}}}
  ],
  "edges": [{"id": "e0", "source": "start", "sourceHandle": "payload", "target": "r", "targetHandle": "payload"}]}}`

// TestGoldenChild is run by the tests below in a child process, on the
// folder GOLDEN_DIR, so that they can see Golden fail.
func TestGoldenChild(t *testing.T) {
	dir := os.Getenv("GOLDEN_DIR")
	if dir == "" {
		t.Skip("run by the other golden tests")
	}
	list := []plugin.Installed{{Register: flow.RegisterStart}, {Register: data.RegisterResponse}}
	plugintest.Golden(t, dir, list, plugintest.GoldenOptions{Vars: map[string]string{"SITE": "http://127.0.0.1:9"}})
}

func runChild(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestGoldenChild$", "-test.v"}, args...)...)
	cmd.Env = append(os.Environ(), "GOLDEN_DIR="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeCase(t *testing.T, dir, name, event string) string {
	t.Helper()
	c := filepath.Join(dir, name)
	if err := os.MkdirAll(c, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, s := range map[string]string{"flow.json": goldenFlow, "event.json": event} {
		if err := os.WriteFile(filepath.Join(c, f), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func readWant(t *testing.T, c string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c, "want.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w map[string]any
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestGoldenWritesComparesAndFails checks the whole cycle: -update writes
// want.json (Vars replaced in the input and back in the outcome, ports by
// node and call), a run that matches passes, and one that differs fails.
func TestGoldenWritesComparesAndFails(t *testing.T) {
	dir := t.TempDir()
	c := writeCase(t, dir, "echo", `{"event": {"id": "ev-1", "type": "page-view", "properties": {"url": "${SITE}/x"}},
		"profile": {"id": "p-1", "traits": {"email": "ann@example.org"}}}`)
	if out, err := runChild(t, dir, "-update"); err != nil {
		t.Fatalf("-update: %v\n%s", err, out)
	}
	w := readWant(t, c)
	resp, _ := w["response"].(map[string]any)
	echo, _ := resp["echo"].(map[string]any)
	if echo["url"] != "${SITE}/x" || echo["email"] != "ann@example.org" {
		t.Errorf("response = %v, want the url with ${SITE} put back and the profile's email", resp)
	}
	ports, _ := w["ports"].(map[string]any)
	if calls, _ := ports["start"].([]any); len(calls) != 1 {
		t.Errorf("ports.start = %v, want one call", ports["start"])
	}
	if calls, _ := ports["r"].([]any); len(calls) != 1 {
		t.Errorf("ports.r = %v, want one call", ports["r"])
	}
	for _, k := range []string{"profile", "profileUpdated", "session", "ux", "console", "errors"} {
		if _, ok := w[k]; !ok {
			t.Errorf("want.json has no %q", k)
		}
	}
	if out, err := runChild(t, dir); err != nil {
		t.Fatalf("a run equal to want.json failed: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(c, "want.json"))
	if err := os.WriteFile(filepath.Join(c, "want.json"), []byte(strings.Replace(string(b), "${SITE}/x", "${SITE}/y", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runChild(t, dir)
	if err == nil || !strings.Contains(out, "want.json differs from the run") {
		t.Fatalf("a run differing from want.json passed or failed otherwise: %v\n%s", err, out)
	}
}

// TestGoldenDebugFalse checks that "debug": false runs the flow as the
// collector does: no ports recorded, the outcome still compared.
func TestGoldenDebugFalse(t *testing.T) {
	dir := t.TempDir()
	c := writeCase(t, dir, "quiet", `{"event": {"id": "ev-1", "type": "page-view", "properties": {"url": "u"}}, "debug": false}`)
	if out, err := runChild(t, dir, "-update"); err != nil {
		t.Fatalf("-update: %v\n%s", err, out)
	}
	w := readWant(t, c)
	if ports, _ := w["ports"].(map[string]any); len(ports) != 0 {
		t.Errorf("ports = %v, want none without debug", ports)
	}
	if resp, _ := w["response"].(map[string]any); resp["echo"] == nil {
		t.Errorf("response = %v, want the echo the flow added", w["response"])
	}
}

// TestGoldenBadFolders checks the clear failures: a folder without cases,
// an event.json without an event, and a case without want.json.
func TestGoldenBadFolders(t *testing.T) {
	empty := t.TempDir()
	if out, err := runChild(t, empty); err == nil || !strings.Contains(out, "no golden cases") {
		t.Errorf("empty folder: %v\n%s", err, out)
	}
	noEvent := t.TempDir()
	writeCase(t, noEvent, "bad", `{"profile": {"id": "p-1"}}`)
	if out, err := runChild(t, noEvent, "-update"); err == nil || !strings.Contains(out, "bad/event.json: no event") {
		t.Errorf("event.json without event: %v\n%s", err, out)
	}
	noWant := t.TempDir()
	writeCase(t, noWant, "new", `{"event": {"id": "ev-1", "type": "t"}}`)
	if out, err := runChild(t, noWant); err == nil || !strings.Contains(out, "run the test with -update") {
		t.Errorf("case without want.json: %v\n%s", err, out)
	}
}
