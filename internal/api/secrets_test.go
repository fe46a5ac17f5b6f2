package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin/outbound"
)

const (
	esProdPassword = "es-prod-password-9931"
	esTestPassword = "es-test-password-7720"
)

// esFlow is start → Query Elasticsearch → add response (result or error).
func esFlow(id string) string {
	node := func(nid, module string, init map[string]any, in, out []string) map[string]any {
		return map[string]any{"id": nid, "type": "flowNode", "position": map[string]any{"x": 0, "y": 0},
			"data": map[string]any{"spec": map[string]any{"module": "tracardi.process_engine.action.v1." + module, "init": init, "inputs": in, "outputs": out}}}
	}
	f := map[string]any{"id": id, "name": "Search", "flowGraph": map[string]any{
		"nodes": []any{
			node("start", "flow.start.start_action", map[string]any{"event_types": []any{}}, []string{}, []string{"payload"}),
			node("es", "connectors.elasticsearch.query.plugin", map[string]any{"source": map[string]any{"id": "es", "name": "ES"},
				"index": map[string]any{"id": "crm", "name": "crm"}, "query": `{"query":{"match_all":{}}}`}, []string{"payload"}, []string{"result", "error"}),
			node("ok", "internal.add_response.plugin", map[string]any{"key": "es", "body": `{"hits": "payload@hits.total.value"}`, "default": true}, []string{"payload"}, []string{"payload"}),
			node("err", "internal.add_response.plugin", map[string]any{"key": "es_error", "body": `{"message": "payload@message", "body": "payload@body"}`, "default": true}, []string{"payload"}, []string{"payload"}),
		},
		"edges": []any{
			map[string]any{"id": "e1", "source": "start", "sourceHandle": "payload", "target": "es", "targetHandle": "payload"},
			map[string]any{"id": "e2", "source": "es", "sourceHandle": "result", "target": "ok", "targetHandle": "payload"},
			map[string]any{"id": "e3", "source": "es", "sourceHandle": "error", "target": "err", "targetHandle": "payload"},
		},
	}}
	b, _ := json.Marshal(f)
	return string(b)
}

// TestNoCredentialInLogsStorageOrDebug runs a connector through /track and
// a debug run, once answered and once refused by a service that echoes
// what it was sent (as a misbehaving proxy would), with the server logging
// at debug level; then neither the log, nor the answers, nor the debug
// info, nor any stored record holds a credential in clear.
func TestNoCredentialInLogsStorageOrDebug(t *testing.T) {
	prev := outbound.SetAllowLoopback(true)
	defer outbound.SetAllowLoopback(prev)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	prevLog := slog.Default()
	slog.SetDefault(logger)
	defer slog.SetDefault(prevLog)
	e := testenv.New(t, testenv.Options{API: api.Options{Log: logger}})

	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, _ := r.BasicAuth()
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if fail || (pass != esProdPassword && pass != esTestPassword) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"error":"upstream refused","seen":{"password":"` + pass + `","body":` + string(b) + `}}`))
			return
		}
		_, _ = w.Write([]byte(`{"hits":{"total":{"value":3},"hits":[]}}`))
	}))
	defer srv.Close()
	e.Admin("POST", "/resource", map[string]any{"id": "es", "name": "ES", "type": "elasticsearch", "credentials": map[string]any{
		"production": map[string]any{"url": srv.URL, "username": "elastic", "password": esProdPassword},
		"test":       map[string]any{"url": srv.URL, "username": "elastic", "password": esTestPassword},
	}}).MustOK(t)
	if r := e.Admin("POST", "/resource/es/test", nil).MustOK(t); r.Obj()["ok"] != true {
		t.Fatalf("test connection: %s", r.Raw)
	}
	src := e.Setup("web", esFlow("search"), "search")
	var answers [][]byte
	r := e.Do("POST", "/track", "", trackBody(src, "", "", "search")).MustOK(t)
	if !bytes.Contains(r.Raw, []byte(`"es":{"hits":3}`)) {
		t.Fatalf("track answer: %s", r.Raw)
	}
	answers = append(answers, r.Raw)
	var flow map[string]any
	_ = json.Unmarshal([]byte(esFlow("search")), &flow)
	d := e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "search"}}).MustOK(t)
	answers = append(answers, d.Raw)

	fail = true
	r = e.Do("POST", "/track", "", trackBody(src, "", "", "search")).MustOK(t)
	if !bytes.Contains(r.Raw, []byte(`"es_error"`)) || !bytes.Contains(r.Raw, []byte("502")) {
		t.Fatalf("track answer with the service failing: %s", r.Raw)
	}
	answers = append(answers, r.Raw)
	d = e.Admin("POST", "/flow/debug", map[string]any{"flow": flow, "event": map[string]any{"type": "search"}}).MustOK(t)
	answers = append(answers, d.Raw)
	answers = append(answers, e.Admin("POST", "/resource/es/test", nil).MustOK(t).Raw)
	if !bytes.Contains(answers[len(answers)-1], []byte(`"ok":false`)) {
		t.Fatalf("test connection of a failing service: %s", answers[len(answers)-1])
	}

	secrets := []string{esProdPassword, esTestPassword}
	for i, a := range answers {
		for _, s := range secrets {
			if bytes.Contains(a, []byte(s)) {
				t.Errorf("answer %d holds %s: %s", i, s, a)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs.text(), s) {
			t.Errorf("the log holds %s", s)
		}
	}
	// Stored events (with their console logs), profiles and sessions.
	ctx := context.Background()
	for _, kind := range []string{store.KindEvent, store.KindProfile, store.KindSession} {
		page, err := e.Store.Select(ctx, &store.Query{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(page.Docs)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("stored %ss hold %s", kind, s)
			}
		}
	}
	assertNoSecretStored(t, e, secrets...)
}
