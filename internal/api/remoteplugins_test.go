package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

const (
	pluginSvcProdToken = "plugin-svc-prod-6502"
	pluginSvcTestToken = "plugin-svc-test-6809"
)

var (
	pluginSvcOnce sync.Once
	pluginSvcBin  string
	pluginSvcErr  error
)

// buildPluginService builds the example plugin service once per test run.
func buildPluginService(t *testing.T) string {
	t.Helper()
	pluginSvcOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tracflow-plugin-service")
		if err != nil {
			pluginSvcErr = err
			return
		}
		pluginSvcBin = filepath.Join(dir, "tracflow-plugin-service")
		cmd := exec.Command("go", "build", "-o", pluginSvcBin, "./examples/remoteplugin/cmd/tracflow-plugin-service")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			pluginSvcErr = &buildError{out: string(out), err: err}
		}
	})
	if pluginSvcErr != nil {
		t.Fatal(pluginSvcErr)
	}
	return pluginSvcBin
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// startPluginService starts the example service as a separate process
// expecting token, and returns its URL and a function that stops it.
func startPluginService(t *testing.T, token string) (string, func()) {
	t.Helper()
	cmd := exec.Command(buildPluginService(t), "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "TRACFLOW_PLUGIN_TOKEN="+token)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	select {
	case l := <-line:
		u, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			t.Fatalf("the plugin service said %q", l)
		}
		return u, stop
	case <-time.After(30 * time.Second):
		t.Fatal("the plugin service did not start")
	}
	return "", stop
}

// greetFlow is start → Greet (remote) → add response, with the error port
// to another add response.
func greetFlow(id string) string {
	node := func(nid, module string, init map[string]any, in, out []string) map[string]any {
		return map[string]any{"id": nid, "type": "flowNode", "position": map[string]any{"x": 0, "y": 0},
			"data": map[string]any{"spec": map[string]any{"module": module, "init": init, "inputs": in, "outputs": out}}}
	}
	f := map[string]any{"id": id, "name": "Greeting", "flowGraph": map[string]any{
		"nodes": []any{
			node("start", "tracardi.process_engine.action.v1.flow.start.start_action", map[string]any{"event_types": []any{}}, []string{}, []string{"payload"}),
			node("greet", "example.remote.greet", map[string]any{"name": "event@properties.name", "greeting": "Welcome"}, []string{"payload"}, []string{"greeted", "error"}),
			node("ok", "tracardi.process_engine.action.v1.internal.add_response.plugin", map[string]any{"key": "greet", "body": `{"message": "payload@message"}`, "default": true}, []string{"payload"}, []string{"payload"}),
			node("err", "tracardi.process_engine.action.v1.internal.add_response.plugin", map[string]any{"key": "greet_error", "body": `{"message": "payload@message"}`, "default": true}, []string{"payload"}, []string{"payload"}),
		},
		"edges": []any{
			map[string]any{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "greet", "targetHandle": "payload"},
			map[string]any{"id": "e2", "source": "greet", "sourceHandle": "greeted", "target": "ok", "targetHandle": "payload"},
			map[string]any{"id": "e3", "source": "greet", "sourceHandle": "error", "target": "err", "targetHandle": "payload"},
		},
	}}
	b, _ := json.Marshal(f)
	return string(b)
}

func greetTrack(src, name string) map[string]any {
	return map[string]any{"source": map[string]any{"id": src},
		"events": []any{map[string]any{"type": "signup", "properties": map[string]any{"name": name}}}}
}

// text returns what was logged.
func (s *syncBuffer) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRemotePluginEndToEnd starts the example plugin service as a separate
// process, points a microservice resource at it, presses Reinstall
// Plugins, and runs its Greet plugin in a flow through /track; on
// PostgreSQL a second instance runs the flow with the plugin another
// instance installed. Then the service stops, and only the remote node
// fails. Neither the database nor the log holds the service's tokens.
func TestRemotePluginEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { remotePluginEndToEnd(t, "") })
	t.Run("postgres", func(t *testing.T) { remotePluginEndToEnd(t, storetest.PostgresDSN(t)) })
}

func remotePluginEndToEnd(t *testing.T, dsn string) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prevLog := slog.Default()
	slog.SetDefault(logger)
	defer slog.SetDefault(prevLog)
	e := testenv.New(t, testenv.Options{DSN: dsn, API: api.Options{Log: logger}})
	url, stop := startPluginService(t, pluginSvcProdToken)

	// Test connection, then the plugins appear after Reinstall Plugins.
	e.Admin("POST", "/resource", map[string]any{"id": "plugins", "name": "Example plugins", "type": "microservice", "credentials": map[string]any{
		"production": map[string]any{"url": url, "token": pluginSvcProdToken, "timeout": 2},
		"test":       map[string]any{"url": url, "token": pluginSvcTestToken, "timeout": 2},
	}}).MustOK(t)
	if r := e.Admin("POST", "/resource/plugins/test", nil).MustOK(t); r.Obj()["ok"] != true {
		t.Fatalf("test connection: %s", r.Raw)
	}
	if r := e.Admin("POST", "/resource/plugins/test?set=test", nil); bytes.Contains(r.Raw, []byte(`"ok":true`)) || !bytes.Contains(r.Raw, []byte("401")) {
		t.Fatalf("test connection with the wrong token: %s", r.Raw)
	}
	if r := e.Admin("GET", "/flow/action/plugin/example.remote.greet", nil); r.Status != 404 {
		t.Fatalf("the remote plugin is there before Reinstall Plugins: %s", r.Raw)
	}
	rep := e.Admin("GET", "/install/plugins", nil).MustOK(t)
	if !bytes.Contains(rep.Raw, []byte(`"example.remote.greet"`)) || !bytes.Contains(rep.Raw, []byte(`"example.myplugin"`)) {
		t.Fatalf("reinstall: %s", rep.Raw)
	}
	pal := e.Admin("GET", "/flow/action/plugins?query=remote", nil).MustOK(t)
	var palette struct {
		Grouped map[string][]map[string]any `json:"grouped"`
	}
	_ = json.Unmarshal(pal.Raw, &palette)
	if g := palette.Grouped["Remote examples"]; len(g) != 1 || g[0]["id"] != "example.remote.greet" {
		t.Fatalf("palette: %s", pal.Raw)
	}
	rec := e.Admin("GET", "/flow/action/plugin/example.remote.greet", nil).MustOK(t)
	if !bytes.Contains(rec.Raw, []byte(`"server":{"resource":{"id":"plugins"`)) || !bytes.Contains(rec.Raw, []byte(`"remote":true`)) {
		t.Fatalf("record: %s", rec.Raw)
	}
	// The service checks configurations.
	if r := e.Admin("POST", "/plugin/example.remote.greet/config/validate", map[string]any{"name": "Ann", "greeting": []any{1}}); r.Status != 422 || !bytes.Contains(r.Raw, []byte(`"field":"greeting"`)) {
		t.Fatalf("validate: %d %s", r.Status, r.Raw)
	}

	src := e.Setup("web", greetFlow("greeting"), "signup")
	r := e.Do("POST", "/track", "", greetTrack(src, "Ann")).MustOK(t)
	resp, _ := r.Obj()["response"].(map[string]any)
	if g, _ := resp["greet"].(map[string]any); g == nil || g["message"] != "Welcome, Ann!" {
		t.Fatalf("track answer: %s", r.Raw)
	}
	pid, _ := r.Obj()["profile"].(map[string]any)["id"].(string)
	prof := e.Admin("GET", "/profile/"+pid, nil).MustOK(t)
	if !bytes.Contains(prof.Raw, []byte(`"greeted":true`)) {
		t.Fatalf("the profile change the remote plugin made was not saved: %s", prof.Raw)
	}
	// A failed run goes down the node's error port.
	r = e.Do("POST", "/track", "", greetTrack(src, "")).MustOK(t)
	if g, _ := r.Obj()["response"].(map[string]any)["greet_error"].(map[string]any); g == nil || !strings.Contains(g["message"].(string), "nobody to greet") {
		t.Fatalf("track answer for an empty name: %s", r.Raw)
	}

	if dsn != "" {
		// A second instance on the same database, which never pressed
		// Reinstall Plugins, runs the flow with the stored remote plugin.
		e2 := testenv.New(t, testenv.Options{DSN: dsn, DataDir: e.Dir, API: api.Options{Log: logger}})
		r := e2.Do("POST", "/track", "", greetTrack(src, "Bea")).MustOK(t)
		if g, _ := r.Obj()["response"].(map[string]any)["greet"].(map[string]any); g == nil || g["message"] != "Welcome, Bea!" {
			t.Fatalf("track answer on the second instance: %s", r.Raw)
		}
	}

	// The service stops: the remote node fails, the flow goes on and the
	// event is answered within the resource's timeout.
	stop()
	start := time.Now()
	r = e.Do("POST", "/track", "", greetTrack(src, "Cid")).MustOK(t)
	// The error names the call: "connection refused", or EOF on a
	// kept-alive connection the stopped service closed.
	if g, _ := r.Obj()["response"].(map[string]any)["greet_error"].(map[string]any); g == nil || !strings.Contains(g["message"].(string), "/plugin/run") {
		t.Fatalf("track answer with the service down: %s", r.Raw)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a stopped service held the event for %s", took)
	}
	// Reinstall Plugins with the service down reports it and keeps its plugins.
	rep = e.Admin("GET", "/install/plugins", nil).MustOK(t)
	if !bytes.Contains(rep.Raw, []byte("Example plugins")) || !bytes.Contains(rep.Raw, []byte(`"example.remote.greet"`)) {
		t.Fatalf("reinstall with the service down: %s", rep.Raw)
	}
	e.Admin("GET", "/flow/action/plugin/example.remote.greet", nil).MustOK(t)

	// No token in clear: not in the log, not in what is stored.
	for _, tok := range []string{pluginSvcProdToken, pluginSvcTestToken} {
		if strings.Contains(logs.text(), tok) {
			t.Errorf("the log holds %s", tok)
		}
	}
	assertNoSecretStored(t, e, pluginSvcProdToken, pluginSvcTestToken)

	// Deleting the resource and reinstalling removes its plugins.
	e.Admin("DELETE", "/resource/plugins", nil).MustOK(t)
	e.Admin("GET", "/install/plugins", nil).MustOK(t)
	if r := e.Admin("GET", "/flow/action/plugin/example.remote.greet", nil); r.Status != 404 {
		t.Fatalf("the plugin of a deleted service is still installed: %s", r.Raw)
	}
}

// assertNoSecretStored fails when a stored record (config documents of
// every kind, events, profiles, sessions) or a file of the data folder
// holds one of secrets.
func assertNoSecretStored(t *testing.T, e *testenv.Env, secrets ...string) {
	t.Helper()
	ctx := context.Background()
	for _, kind := range []string{"resource", "plugin", "flow", "flow-draft", "rule", "event-source", "debug"} {
		docs, err := e.Store.ListConfig(ctx, kind)
		if err != nil {
			continue
		}
		b, _ := json.Marshal(docs)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("stored %s records hold %s", kind, s)
			}
		}
	}
	_ = filepath.Walk(e.Dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %s in clear", p, s)
			}
		}
		return nil
	})
}
