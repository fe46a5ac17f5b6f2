package cli

import (
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/testenv"
)

// flagNames lists the flags a command defines.
func flagNames(c *command) []string {
	fs, _ := newFlagSet(c)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

func TestEveryCommandHasGeneratedHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			if c.short == "" || c.usage == "" {
				t.Errorf("no short text or usage")
			}
			args := strings.Fields(c.name)
			outputs := map[string][]string{
				"help NAME":   append([]string{"help"}, args...),
				"NAME --help": append(append([]string{}, args...), "--help"),
				"NAME -h":     append(append([]string{}, args...), "-h"),
			}
			var first string
			for how, argv := range outputs {
				code, out, errs := run(t, argv...)
				if code != 0 || errs != "" {
					t.Fatalf("%s: exit %d, stderr %q", how, code, errs)
				}
				if !strings.HasPrefix(out, "Usage: tracflow "+c.name+" ") {
					t.Errorf("%s: help starts %q", how, firstLine(out))
				}
				for _, f := range flagNames(c) {
					if !strings.Contains(out, "--"+f) {
						t.Errorf("%s: help lacks --%s:\n%s", how, f, out)
					}
					if c.env && !strings.Contains(out, envName(f)) {
						t.Errorf("%s: help lacks %s", how, envName(f))
					}
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Errorf("%s prints other help than the other ways", how)
				}
			}
		})
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestHelpListsEveryCommand(t *testing.T) {
	for _, argv := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, out, _ := run(t, argv...)
		if code != 0 {
			t.Fatalf("%v: exit %d", argv, code)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "  "+c.name+" ") || !strings.Contains(out, c.short) {
				t.Errorf("%v: the command list lacks %q:\n%s", argv, c.name, out)
			}
		}
	}
	// The flag the hand-written usage once forgot.
	if _, out, _ := run(t, "flow", "run", "--help"); !strings.Contains(out, "--profile-less") {
		t.Errorf("flow run --help lacks --profile-less:\n%s", out)
	}
}

func TestGroupHelp(t *testing.T) {
	for _, argv := range [][]string{{"flow", "-h"}, {"flow", "--help"}, {"help", "flow"}} {
		code, out, errs := run(t, argv...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d %q", argv, code, errs)
		}
		for _, want := range []string{"Usage: tracflow flow run ", "Usage: tracflow flow lint ", "--event"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q:\n%s", argv, want, out)
			}
		}
	}
}

func TestUnknownCommandsAndFlags(t *testing.T) {
	cases := []struct {
		args      []string
		msg, help string
	}{
		{nil, "tracflow: no command given", "Commands:"},
		{[]string{"frobnicate"}, `tracflow: unknown command "frobnicate"`, "Commands:"},
		{[]string{"flow"}, "tracflow: flow: say which: run or lint", "Usage: tracflow flow lint"},
		{[]string{"flow", "walk"}, `tracflow: flow: unknown subcommand "walk" (try run or lint)`, "Usage: tracflow flow run"},
		{[]string{"serve", "--no-such-flag"}, "tracflow: serve: unknown flag -no-such-flag", "Usage: tracflow serve"},
		{[]string{"flow", "run", "x.json", "--bogus"}, "tracflow: flow run: unknown flag -bogus", "--profile-less"},
		{[]string{"serve", "--max-events", "many"}, `tracflow: serve: invalid value "many" for flag -max-events`, "Usage: tracflow serve"},
		{[]string{"help", "nothing"}, `tracflow: help: no command "nothing"`, "Commands:"},
	}
	for _, c := range cases {
		code, out, errs := run(t, c.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
		if !strings.HasPrefix(errs, c.msg) || !strings.Contains(errs, c.help) {
			t.Errorf("%v: stderr should start %q and show %q:\n%s", c.args, c.msg, c.help, errs)
		}
	}
}

// parseServe runs serve's flag parsing (command line, environment, config
// file) and returns the settings serve would start with.
func parseServe(t *testing.T, args ...string) (serveSettings, int, string) {
	t.Helper()
	c := serveCommand()
	var got serveSettings
	// The real definition, with a run function that only records.
	c.flags = func(fs *flag.FlagSet) runFunc {
		var s serveSettings
		s.define(fs)
		return func(e *env, args []string) error { got = s; return nil }
	}
	var out, errb strings.Builder
	e := &env{stdout: &out, stderr: &errb}
	err := e.run(c, args)
	code := 0
	if err != nil {
		code = 2
		errb.WriteString(err.Error())
	}
	return got, code, errb.String()
}

func TestServeSettingsFromFlagsEnvironmentAndConfigFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "tracflow.conf")
	mustWrite(t, plain, "# settings\naddr 0.0.0.0:9000\nmax-events 50\ntoken-ttl 2h\nno-demo\nlog-format json # a comment\n")
	asJSON := filepath.Join(dir, "tracflow.json")
	mustWrite(t, asJSON, `{"addr": "0.0.0.0:9001", "max-events": 60, "no-demo": true}`)

	s, code, errs := parseServe(t, "--config", plain)
	if code != 0 {
		t.Fatal(errs)
	}
	if s.addr != "0.0.0.0:9000" || s.maxEvents != 50 || s.tokenTTL != 2*time.Hour || !s.noDemo || s.logFormat != "json" || s.data != "./data" {
		t.Errorf("from the plain file: %+v", s)
	}
	if s, _, _ = parseServe(t, "--config", asJSON); s.addr != "0.0.0.0:9001" || s.maxEvents != 60 || !s.noDemo {
		t.Errorf("from the JSON file: %+v", s)
	}

	// The environment wins over the file, the command line over both.
	t.Setenv("TRACFLOW_ADDR", "127.0.0.1:9100")
	t.Setenv("TRACFLOW_MAX_EVENTS", "70")
	t.Setenv("TRACFLOW_CONFIG", plain)
	s, _, _ = parseServe(t, "--max-events", "80")
	if s.addr != "127.0.0.1:9100" || s.maxEvents != 80 || s.tokenTTL != 2*time.Hour {
		t.Errorf("flag > env > file: %+v", s)
	}

	t.Setenv("TRACFLOW_MAX_EVENTS", "lots")
	if _, code, errs = parseServe(t); code != 2 || !strings.Contains(errs, "TRACFLOW_MAX_EVENTS") {
		t.Errorf("a bad variable: exit %d %q; want a usage error naming it", code, errs)
	}
	t.Setenv("TRACFLOW_MAX_EVENTS", "")
	mustWrite(t, plain, "adress 1.2.3.4:1\n")
	if _, code, errs = parseServe(t); code != 2 || !strings.Contains(errs, `"adress"`) {
		t.Errorf("an unknown setting in the file: exit %d %q", code, errs)
	}
	t.Setenv("TRACFLOW_CONFIG", filepath.Join(dir, "missing.conf"))
	if _, code, errs = parseServe(t); code != 2 || !strings.Contains(errs, "missing.conf") {
		t.Errorf("a missing config file: exit %d %q", code, errs)
	}
}

// TestDocsListEverySetting: docs/server.md's settings table has a row for
// every flag of the commands that read the environment, with its variable.
func TestDocsListEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../docs/server.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `--") {
			name := strings.Trim(strings.Fields(line)[1], "`")
			rows[name] = line
		}
	}
	for _, c := range commands() {
		if !strings.Contains(string(b), "`"+c.name+"`") {
			t.Errorf("docs/server.md does not name the command `%s`", c.name)
		}
		if !c.env {
			continue
		}
		for _, f := range flagNames(c) {
			row, ok := rows["--"+f]
			if !ok {
				t.Errorf("docs/server.md has no row for %s's --%s", c.name, f)
				continue
			}
			if !strings.Contains(row, "`"+envName(f)+"`") {
				t.Errorf("docs/server.md's row for --%s lacks `%s`: %s", f, envName(f), row)
			}
		}
	}
}

func TestHealthcheck(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	if code, out, errs := run(t, "healthcheck", "--url", e.URL); code != 0 || !strings.Contains(out, "ready") {
		t.Errorf("a ready server: exit %d %q %q", code, out, errs)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	if code, _, errs := run(t, "healthcheck", "--url", closed, "--timeout", "2s"); code != 1 || !strings.Contains(errs, "healthcheck") {
		t.Errorf("no server: exit %d %q", code, errs)
	}
}

func TestDefaultHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		"":               "http://127.0.0.1:8686",
		"0.0.0.0:8686":   "http://127.0.0.1:8686",
		":9000":          "http://127.0.0.1:9000",
		"[::]:9001":      "http://127.0.0.1:9001",
		"10.1.2.3:8687":  "http://10.1.2.3:8687",
		"localhost:8080": "http://localhost:8080",
	} {
		if got := defaultHealthURL(addr); got != want {
			t.Errorf("%q: %s, want %s", addr, got, want)
		}
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
