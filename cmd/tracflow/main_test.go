package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// These tests run the real tracflow binary, as users do.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tracflow-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "tracflow")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building tracflow:", err)
		os.Exit(1)
	}
	// The delivery process runs at nice 10 alone (TestDeliveryProcessIdleClass
	// checks the idle class, serve's default): the tests of other packages
	// may keep every processor busy for long, and in the idle class it
	// would then get none, nor send the deliveries the tests wait for.
	os.Setenv("TRACFLOW_DELIVERY_IDLE", "false")
	code := m.Run()
	storetest.ReportSkipped()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `tracflow serve`.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	log    bytes.Buffer
	exited chan struct{}
}

const adminEmail, adminPassword = "admin@example.com", "e2e-password-1"

var listening = regexp.MustCompile(`(?:url=|"url":")(http://[0-9.:]+)`) // text or JSON logs

func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	return startServerEnv(t, []string{"TRACFLOW_ADMIN_EMAIL=" + adminEmail, "TRACFLOW_ADMIN_PASSWORD=" + adminPassword}, args...)
}

// startServerEnv starts `tracflow serve` with these variables added to the
// test's environment.
func startServerEnv(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, exited: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.kill() })
	select {
	case s.url = <-found:
	case <-s.exited:
		t.Fatalf("tracflow serve exited:\n%s", s.output())
	case <-time.After(60 * time.Second):
		t.Fatalf("tracflow serve did not start:\n%s", s.output())
	}
	return s
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func (s *server) kill() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) token() string {
	s.t.Helper()
	resp, err := http.PostForm(s.url+"/user/token", url.Values{"username": {adminEmail}, "password": {adminPassword}})
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	tok, _ := out["access_token"].(string)
	if tok == "" {
		s.t.Fatalf("login: %d %v", resp.StatusCode, out)
	}
	return tok
}

// call sends a JSON request and decodes the JSON answer.
func call(t testing.TB, method, url, token string, body any) (int, map[string]any) {
	if t != nil {
		t.Helper()
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, map[string]any{"error": err.Error()}
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestServeFirstStartDemo(t *testing.T) {
	s := startServer(t, "--data", t.TempDir())
	// The welcome text follows the "listening" line that startServer waits
	// for: give the reader a moment to collect it.
	out := s.output()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out, "demo-source") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		out = s.output()
	}
	for _, want := range []string{"Welcome to Tracflow", adminEmail, "curl -s " + s.url + "/track", "demo-source"} {
		if !strings.Contains(out, want) {
			t.Errorf("first start output lacks %q:\n%s", want, out)
		}
	}
	// The printed curl line's body, sent twice for one profile, counts 1 then 2.
	body := map[string]any{"source": map[string]any{"id": "demo-source"}, "events": []any{map[string]any{"type": "page-view"}}}
	code, r := call(t, "POST", s.url+"/track", "", body)
	if code != 200 {
		t.Fatalf("demo track: %d %v", code, r)
	}
	pid := dotpath.At(r, "profile.id")
	body["profile"] = map[string]any{"id": pid}
	_, r = call(t, "POST", s.url+"/track", "", body)
	if got := dotpath.At(r, "response.page_views.count"); got != 2.0 {
		t.Errorf("demo response = %v, want count 2", r["response"])
	}
}
