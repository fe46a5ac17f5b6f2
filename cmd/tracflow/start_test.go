package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// baseEnv is the test's environment without the admin variables, so that
// each test says which it sets.
func baseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRACFLOW_ADMIN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// runBinary runs tracflow to its end and returns its exit code and output.
func runBinary(t *testing.T, env []string, stdin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("tracflow %v did not end:\n%s", args, out)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// TestServeWithThePortTakenCreatesNothing: a first start that cannot bind
// its address stops before it creates the database and the admin (whose
// generated password nobody would see), says what holds the port and how to
// choose another, and the next start is a first start.
func TestServeWithThePortTakenCreatesNothing(t *testing.T) {
	hold, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	addr := hold.Addr().String()
	data := t.TempDir()

	code, out := runBinary(t, baseEnv(), "", "serve", "--addr", addr, "--data", data)
	if code == 0 {
		t.Fatalf("serve on a taken port exited 0:\n%s", out)
	}
	for _, want := range []string{"cannot listen on " + addr, fmt.Sprintf("in use by process %d", os.Getpid()), "--addr", "TRACFLOW_ADDR", "Nothing was created"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Welcome") || strings.Contains(out, "Password") {
		t.Errorf("a failed start printed a welcome:\n%s", out)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("the failed start left files in the data folder: %v", entries)
	}

	// With JSON logs the refusal is one JSON record.
	code, out = runBinary(t, baseEnv(), "", "serve", "--addr", addr, "--data", data, "--log-format", "json")
	var rec map[string]any
	if code == 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 1 || json.Unmarshal([]byte(out), &rec) != nil ||
		rec["level"] != "ERROR" || !strings.Contains(fmt.Sprint(rec["msg"]), "TRACFLOW_ADDR") {
		t.Errorf("JSON logs: exit %d, want one JSON error record:\n%s", code, out)
	}

	// The next start, with a password chosen, is a first start.
	s := startServer(t, "--data", data)
	if code, _ := login(t, s.url, adminEmail, adminPassword); code != 200 {
		t.Errorf("login after the failed start: %d", code)
	}
	if !strings.Contains(s.output(), "Welcome to Tracflow") {
		t.Errorf("the second start is not a first start:\n%s", s.output())
	}
}

var generated = regexp.MustCompile(`Password:\s+(\S+)`)

// TestLostGeneratedPassword: the generated first-start password was not
// seen; a start with TRACFLOW_ADMIN_PASSWORD sets it. Once the password was
// reset, the variable no longer applies, and admin reset-password is the
// way.
func TestLostGeneratedPassword(t *testing.T) {
	data := t.TempDir()
	s := startServerEnv(t, []string{"TRACFLOW_ADMIN_EMAIL=" + adminEmail}, "--data", data, "--no-demo")
	var gen string
	for deadline := time.Now().Add(10 * time.Second); gen == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := generated.FindStringSubmatch(s.output()); m != nil {
			gen = m[1]
		}
	}
	if gen == "" || loginStatus(t, s.url, adminEmail, gen) != 200 {
		t.Fatalf("no working generated password (%q) in:\n%s", gen, s.output())
	}
	s.kill()

	s = startServer(t, "--data", data) // TRACFLOW_ADMIN_PASSWORD set
	if loginStatus(t, s.url, adminEmail, adminPassword) != 200 {
		t.Fatalf("TRACFLOW_ADMIN_PASSWORD was not applied:\n%s", s.output())
	}
	if !strings.Contains(s.output(), "set the admin's password from TRACFLOW_ADMIN_PASSWORD") {
		t.Errorf("the start does not say it set the password:\n%s", s.output())
	}
	s.kill()

	// admin reset-password (the server stopped: SQLite has one user at a
	// time), then login with the new password.
	const fresh = "reset from the command line"
	code, out := runBinary(t, baseEnv(), fresh+"\n", "admin", "reset-password", adminEmail, "--data", data)
	if code != 0 {
		t.Fatalf("admin reset-password: exit %d\n%s", code, out)
	}
	s = startServer(t, "--data", data) // the variable is now ignored
	if loginStatus(t, s.url, adminEmail, fresh) != 200 || loginStatus(t, s.url, adminEmail, adminPassword) != 401 {
		t.Errorf("after reset-password the new password must work and the variable's must not:\n%s", s.output())
	}
	if !strings.Contains(s.output(), "TRACFLOW_ADMIN_PASSWORD is ignored") || !strings.Contains(s.output(), "tracflow admin reset-password") {
		t.Errorf("the start does not say the variable is ignored and what to do:\n%s", s.output())
	}
}

// TestServeSettingsFromTheEnvironmentAndAFile: the process reads its
// settings from TRACFLOW_* variables and a config file.
func TestServeSettingsFromTheEnvironmentAndAFile(t *testing.T) {
	data := t.TempDir()
	conf := data + "/tracflow.conf"
	if err := os.WriteFile(conf, []byte("log-format json\nno-demo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServerEnv(t, []string{"TRACFLOW_ADMIN_EMAIL=" + adminEmail, "TRACFLOW_ADMIN_PASSWORD=" + adminPassword,
		"TRACFLOW_CONFIG=" + conf, "TRACFLOW_DATA=" + data, "TRACFLOW_METRICS_TOKEN=from-env"})
	if _, err := os.Stat(data + "/tracflow.db"); err != nil {
		t.Errorf("TRACFLOW_DATA was not used: %v", err)
	}
	if code, _ := call(t, "GET", s.url+"/metrics", "", nil); code != http.StatusUnauthorized {
		t.Errorf("TRACFLOW_METRICS_TOKEN was not used: /metrics answered %d", code)
	}
	first := strings.SplitN(s.output(), "\n", 2)[0]
	if !json.Valid([]byte(first)) || strings.Contains(s.output(), "demo-source") {
		t.Errorf("the config file (JSON logs, no demo) was not used:\n%s", s.output())
	}
}

// loginStatus logs in at base and answers the status.
func loginStatus(t *testing.T, base, email, password string) int {
	t.Helper()
	code, _ := login(t, base, email, password)
	return code
}
