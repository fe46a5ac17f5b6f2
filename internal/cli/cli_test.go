package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/examples/myplugin"
	"github.com/tracflow/tracflow/internal/testenv"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Options{Plugins: actions.Installed(), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlowRunBranches(t *testing.T) {
	ev := writeFile(t, "event.json", `{"type": "purchase", "properties": {"value": 250}}`)
	profile := writeFile(t, "profile.json", `{"id": "p-1", "stats": {"counters": {"big": 4}}}`)
	code, out, errs := run(t, "flow", "run", "testdata/branch.json", "--event", ev, "--profile", profile, "--debug")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Profile        map[string]any `json:"profile"`
		ProfileUpdated bool           `json:"profileUpdated"`
		Response       map[string]any `json:"response"`
		Errors         []any          `json:"errors"`
		Console        []any          `json:"console"`
		DebugInfo      struct {
			Nodes map[string]struct {
				Calls []any `json:"calls"`
			} `json:"nodes"`
			Edges map[string]struct {
				Active []bool `json:"active"`
			} `json:"edges"`
		} `json:"debugInfo"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if !rep.ProfileUpdated || rep.Profile["id"] != "p-1" {
		t.Errorf("profile %v updated=%v", rep.Profile["id"], rep.ProfileUpdated)
	}
	if got := testenv.At(rep.Response, "counters.all.big"); got != 5.0 {
		t.Errorf("response = %v", rep.Response)
	}
	if len(rep.Errors) != 0 {
		t.Errorf("errors = %v", rep.Errors)
	}
	calls := map[string]int{}
	for id, n := range rep.DebugInfo.Nodes {
		calls[id] = len(n.Calls)
	}
	want := map[string]int{"start": 1, "if": 1, "big": 1, "answer": 1}
	for id, n := range want {
		if calls[id] != n {
			t.Errorf("node %s: %d calls, want %d (all: %v)", id, calls[id], n, calls)
		}
	}
	if _, ran := rep.DebugInfo.Nodes["small"]; ran {
		t.Error("the small branch ran")
	}
	if a := rep.DebugInfo.Edges["e3"].Active; len(a) != 1 || a[0] {
		t.Errorf("edge e3 (false branch) active = %v, want [false]", a)
	}
}

func TestFlowRunWithoutDebugHasNoDebugInfo(t *testing.T) {
	ev := writeFile(t, "event.json", `{"type": "purchase", "properties": {"value": 5}}`)
	code, out, _ := run(t, "flow", "run", "testdata/branch.json", "--event", ev)
	if code != 0 {
		t.Fatal(code)
	}
	var rep map[string]any
	json.Unmarshal([]byte(out), &rep)
	if _, ok := rep["debugInfo"]; ok {
		t.Error("debugInfo without --debug")
	}
	for _, k := range []string{"profile", "profileUpdated", "session", "event", "response", "ux", "console", "errors"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("output lacks %q", k)
		}
	}
}

func TestFlowRunUnusableInput(t *testing.T) {
	ev := writeFile(t, "event.json", `{"type": "x"}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad event JSON", []string{"flow", "run", "testdata/branch.json", "--event", writeFile(t, "bad.json", `{"type": `)}, "event: invalid JSON at line 1"},
		{"event without type", []string{"flow", "run", "testdata/branch.json", "--event", writeFile(t, "nt.json", `{}`)}, "has no \"type\""},
		{"bad flow JSON", []string{"flow", "run", writeFile(t, "f.json", "{\n  \"id\": 1,\n}"), "--event", ev}, "line 3, column 2"},
		{"invalid flow", []string{"flow", "run", "testdata/cycle.json", "--event", ev}, "cycle"},
		{"missing event flag", []string{"flow", "run", "testdata/branch.json"}, "--event"},
		{"missing file", []string{"flow", "run", "nope.json", "--event", ev}, "nope.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, c.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, errs)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr %q: want one line containing %q", errs, c.want)
			}
		})
	}
}

func TestFlowLint(t *testing.T) {
	code, out, _ := run(t, "flow", "lint", "testdata/branch.json")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("lint of a good flow: %d %q", code, out)
	}
	code, out, _ = run(t, "flow", "lint", "testdata/cycle.json")
	if code != 2 {
		t.Fatalf("lint of a bad flow: exit %d", code)
	}
	for _, want := range []string{`node "c"`, `plugin "no.such.plugin" is not installed`, `node "b": field "increment"`, "cycle"} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
}

func TestPluginsList(t *testing.T) {
	code, out, _ := run(t, "plugins", "list", "--json")
	if code != 0 {
		t.Fatal(code)
	}
	var rows []pluginRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.ID == "tracflow.flowcontrol.if" {
			found = true
			if strings.Join(r.Outputs, ",") != "true,false" || r.Name == "" || len(r.Group) == 0 {
				t.Errorf("if plugin row: %+v", r)
			}
		}
	}
	if !found {
		t.Errorf("the If plugin is not listed: %s", out)
	}
	code, out, _ = run(t, "plugins", "list")
	if code != 0 || !strings.Contains(out, "tracflow.flowcontrol.if") || !strings.Contains(out, "true, false") {
		t.Errorf("table: %d %s", code, out)
	}
}

// TestExampleFromTheGuide runs the guide's flow in a binary built with the
// guide's plugin (examples/myplugin/cmd/tracflow-myplugin).
func TestExampleFromTheGuide(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main([]string{"flow", "run", "../../examples/myplugin/flow.json", "--event", "../../examples/myplugin/event.json", "--debug"},
		Options{Plugins: append(actions.Installed(), myplugin.Installed()...), Stdout: &stdout, Stderr: &stderr})
	out, errs := stdout.String(), stderr.String()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep map[string]any
	json.Unmarshal([]byte(out), &rep)
	if m := testenv.At(rep, "response.mine.matched"); m != true {
		t.Errorf("response = %v", rep["response"])
	}
}

// TestGuidePluginIsNotBuiltIn: the guide's example plugin is not in the
// default palette; a flow using it is refused, the node named, as a plugin
// that is not installed.
func TestGuidePluginIsNotBuiltIn(t *testing.T) {
	code, out, errs := run(t, "plugins", "list", "--json")
	if code != 0 {
		t.Fatalf("plugins list: exit %d: %s", code, errs)
	}
	if strings.Contains(out, "example.myplugin") {
		t.Errorf("the default palette holds example.myplugin")
	}
	code, out, _ = run(t, "flow", "lint", "../../examples/myplugin/flow.json")
	if code == 0 || !strings.Contains(out, `node "mine"`) || !strings.Contains(out, `plugin "example.myplugin" is not installed`) {
		t.Errorf("flow lint of the guide's flow: exit %d, %s; want node mine's plugin not installed", code, out)
	}
}

// TestFlowRunWithoutProfile: without --profile the event runs profile-less,
// as Tracardi runs such events: the report's profile and session are null
// (none is invented), and a profile@ counter is skipped with a warning.
func TestFlowRunWithoutProfile(t *testing.T) {
	ev := writeFile(t, "event.json", `{"type": "purchase", "properties": {"value": 250}}`)
	code, out, errs := run(t, "flow", "run", "testdata/branch.json", "--event", ev)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if p, ok := rep["profile"]; !ok || p != nil {
		t.Errorf("profile = %v, want null", p)
	}
	if s, ok := rep["session"]; !ok || s != nil {
		t.Errorf("session = %v, want null", s)
	}
	if rep["profileUpdated"] != false {
		t.Errorf("profileUpdated = %v", rep["profileUpdated"])
	}
	ev2, _ := rep["event"].(map[string]any)
	if _, has := ev2["session"]; has {
		t.Errorf("event carries an invented session: %v", ev2["session"])
	}
	if !strings.Contains(out, "this event has no profile") {
		t.Errorf("no warning about the missing profile in %s", out)
	}
}
