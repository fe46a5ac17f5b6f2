package connectors

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

// TestGolden runs start → Remote API call, Slack and SMTP → responses
// through the engine against local stand-ins: testdata/answers with
// services that accept, testdata/failures with a CRM answering 500, a
// Slack refusing the token and a mail server refusing the login.
func TestGolden(t *testing.T) {
	standin.AllowLoopback(t)
	var mu sync.Mutex
	seen := map[string]string{}
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A fixed Date, so the headers the node passes on are the same
		// in every run.
		w.Header().Set("Date", "Thu, 14 Mar 2024 15:09:26 GMT")
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen["crm"] = r.Method + " " + r.URL.Path + " " + r.Header.Get("Authorization") + " " + string(b)
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/broken/") {
			w.WriteHeader(500)
			_, _ = w.Write([]byte("database down"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": "c-9", "created": true}`))
	}))
	defer crm.Close()
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen["slack"] = r.URL.Path + " " + r.Header.Get("Authorization") + " " + string(b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer xoxb-good" {
			_, _ = w.Write([]byte(`{"ok": false, "error": "invalid_auth"}`))
			return
		}
		var in map[string]any
		_ = json.Unmarshal(b, &in)
		_, _ = w.Write([]byte(`{"ok": true, "channel": "C1", "ts": "1700000000.000100"}`))
	}))
	defer slack.Close()
	mail := startSMTP(t, "shop", "mail-pass-1")
	resources := standin.Creds{
		"crm":        {"url": crm.URL, "headers": map[string]any{"Authorization": "Bearer crm-token"}},
		"crm-broken": {"url": crm.URL + "/broken"},
		"slack":      {"token": "xoxb-good", "base_url": slack.URL},
		"slack-bad":  {"token": "xoxb-revoked", "base_url": slack.URL},
		"mail":       {"smtp": "127.0.0.1", "port": mail.port(), "username": "shop", "password": "mail-pass-1", "tls": "none", "timeout": 5},
		"mail-bad":   {"smtp": "127.0.0.1", "port": mail.port(), "username": "shop", "password": "nope-nope", "tls": "none", "timeout": 5},
	}
	list := []plugin.Installed{
		{Register: flow.RegisterStart}, {Register: data.RegisterResponse},
		{Register: RegisterAPICall}, {Register: RegisterSlackPost}, {Register: RegisterSMTPSend},
	}
	start := time.Now()
	plugintest.Golden(t, "testdata", list, plugintest.GoldenOptions{Resources: resources,
		Vars: map[string]string{"CRM": crm.URL, "SLACK": slack.URL, "SMTP": mail.addr}})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
	// What the services received (the last case, failures, overwrote the
	// first's; both checked by the want files through the answers).
	if got := seen["slack"]; !strings.HasPrefix(got, "/chat.postMessage Bearer xoxb-revoked ") ||
		!strings.Contains(got, `"text":"ann@example.org bought for 120"`) || !strings.Contains(got, `"channel":"#sales"`) {
		t.Errorf("Slack received %q", got)
	}
	if got := seen["crm"]; got != `POST /broken/contacts/p-1  {"email":"ann@example.org","event":"purchase"}` {
		t.Errorf("CRM received %q", got)
	}
	if m := mail.mails(); len(m) != 1 || m[0].to[0] != "ann@example.org" || !strings.Contains(m[0].data, "Order of 120 received.") {
		t.Errorf("mail server received %+v", m)
	}
}
