package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin/outbound"
)

const (
	crmProdToken = "crm-prod-token-5150"
	crmTestToken = "crm-test-token-8086"
)

// connectorFlow is start → Remote API call → add response, in Tracardi's
// export format.
func connectorFlow(id string, timeout float64) string {
	node := func(nid, module string, init map[string]any, in, out []string) map[string]any {
		return map[string]any{"id": nid, "type": "flowNode", "position": map[string]any{"x": 0, "y": 0},
			"data": map[string]any{"spec": map[string]any{"module": "tracardi.process_engine.action.v1." + module, "init": init, "inputs": in, "outputs": out}}}
	}
	f := map[string]any{"id": id, "name": "CRM sync", "flowGraph": map[string]any{
		"nodes": []any{
			node("start", "flow.start.start_action", map[string]any{"event_types": []any{}}, []string{}, []string{"payload"}),
			node("api", "connectors.api_call.plugin", map[string]any{"source": map[string]any{"id": "crm", "name": "CRM"}, "method": "post",
				"endpoint": "/contacts/{{event@type}}", "timeout": timeout, "body": map[string]any{"type": "application/json", "content": `{"n": "event@properties.n"}`}},
				[]string{"payload"}, []string{"response", "error"}),
			node("ok", "internal.add_response.plugin", map[string]any{"key": "crm", "body": `{"content": "payload@content"}`, "default": true}, []string{"payload"}, []string{"payload"}),
			node("err", "internal.add_response.plugin", map[string]any{"key": "crm_error", "body": `{"status": "payload@status", "message": "payload@message"}`, "default": true}, []string{"payload"}, []string{"payload"}),
		},
		"edges": []any{
			map[string]any{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "api", "targetHandle": "payload"},
			map[string]any{"id": "e2", "source": "api", "sourceHandle": "response", "target": "ok", "targetHandle": "payload"},
			map[string]any{"id": "e3", "source": "api", "sourceHandle": "error", "target": "err", "targetHandle": "payload"},
		},
	}}
	b, _ := json.Marshal(f)
	return string(b)
}

// TestConnectorCredentialsPerRun runs a flow with the Remote API call
// through /track (production credentials) and /flow/debug (test
// credentials) against a stand-in, on each storage backend, then checks
// that no credential is stored in clear.
func TestConnectorCredentialsPerRun(t *testing.T) {
	prev := outbound.SetAllowLoopback(true)
	defer outbound.SetAllowLoopback(prev)
	onEachBackend(t, connectorCredentialsPerRun)
}

func connectorCredentialsPerRun(t *testing.T, e *testenv.Env) {
	var mu sync.Mutex
	var auths, paths []string
	slow := make(chan struct{})
	defer close(slow)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		auths, paths = append(auths, r.Header.Get("Authorization")), append(paths, r.URL.Path+" "+string(b))
		mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/slow/"):
			select {
			case <-slow:
			case <-r.Context().Done():
			}
		case strings.HasPrefix(r.URL.Path, "/down/"):
			w.WriteHeader(500)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"synced": true}`))
		}
	}))
	defer srv.Close()
	e.Admin("POST", "/resource", map[string]any{"id": "crm", "name": "CRM", "type": "api", "credentials": map[string]any{
		"production": map[string]any{"url": srv.URL, "headers": map[string]any{"Authorization": "Bearer " + crmProdToken}},
		"test":       map[string]any{"url": srv.URL, "headers": map[string]any{"Authorization": "Bearer " + crmTestToken}},
	}}).MustOK(t)
	src := e.Setup("web", connectorFlow("crm-sync", 5), "signup")

	r := e.Do("POST", "/track", "", trackBody(src, "", "", "signup")).MustOK(t)
	if got := r.At("response.crm"); got == nil || got.(map[string]any)["content"].(map[string]any)["synced"] != true {
		t.Fatalf("track answer: %s", r.Raw)
	}
	mu.Lock()
	if len(auths) != 1 || auths[0] != "Bearer "+crmProdToken || paths[0] != `/contacts/signup {"n":1}` {
		t.Fatalf("the CRM received %v %v", auths, paths)
	}
	mu.Unlock()

	var flow map[string]any
	_ = json.Unmarshal([]byte(connectorFlow("crm-sync", 5)), &flow)
	d := e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "signup", "properties": map[string]any{"n": 2}}}).MustOK(t)
	mu.Lock()
	if len(auths) != 2 || auths[1] != "Bearer "+crmTestToken {
		t.Fatalf("a debug run used %v, want the test credentials", auths)
	}
	mu.Unlock()
	if bytes.Contains(d.Raw, []byte(crmTestToken)) || bytes.Contains(d.Raw, []byte(crmProdToken)) {
		t.Errorf("the debug answer shows a credential: %s", d.Raw)
	}

	// A service that fails, or never answers, sends the flow down the error
	// port within the node's timeout; the event is still answered.
	e.Admin("POST", "/resource", map[string]any{"id": "crm", "name": "CRM", "type": "api", "credentials": map[string]any{
		"production": map[string]any{"url": srv.URL + "/down", "headers": map[string]any{"Authorization": "Bearer " + crmProdToken}},
		"test":       map[string]any{"url": srv.URL + "/slow"},
	}}).MustOK(t)
	r = e.Do("POST", "/track", "", trackBody(src, "", "", "signup")).MustOK(t)
	if got, _ := r.Obj()["response"].(map[string]any)["crm_error"].(map[string]any); got == nil || got["status"] != 500.0 {
		t.Fatalf("track answer with the CRM down: %s", r.Raw)
	}
	_ = json.Unmarshal([]byte(connectorFlow("crm-sync", 0.3)), &flow)
	start := time.Now()
	d = e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "signup"}}).MustOK(t)
	if took := time.Since(start); took > 3*time.Second || !strings.Contains(string(d.Raw), "no answer within 300ms") {
		t.Fatalf("a silent CRM: %s after %s", d.Raw, took)
	}

	// The stored resource holds its credentials sealed, on either backend.
	doc, err := e.Store.GetConfig(context.Background(), "resource", "crm")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(doc); bytes.Contains(b, []byte(crmProdToken)) || bytes.Contains(b, []byte(crmTestToken)) || !bytes.Contains(b, []byte("credentials_sealed")) {
		t.Errorf("the stored resource: %s", b)
	}
	// Nothing the server stored holds a credential in clear (the embedded
	// database's files; PostgreSQL's are not ours to read).
	err = filepath.Walk(e.Dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range []string{crmProdToken, crmTestToken} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %s in clear", p, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
