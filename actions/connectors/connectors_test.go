package connectors

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/plugintest"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestAPICall(t *testing.T) {
	standin.AllowLoopback(t)
	type seen struct {
		method, path, query, auth, ctype, body, cookie, custom string
	}
	var mu sync.Mutex // a timed-out call's handler still runs while the next subtest starts
	var seenReq seen
	received := func() seen { mu.Lock(); defer mu.Unlock(); return seenReq }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c, _ := r.Cookie("visitor")
		cv := ""
		if c != nil {
			cv = c.Value
		}
		mu.Lock()
		seenReq = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b), cv, r.Header.Get("X-Profile")}
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/users/p1":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc"})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"created": true}`))
		case "/v1/broken":
			w.WriteHeader(500)
			_, _ = w.Write([]byte("boom: your password was s3cr3t-pass"))
		case "/v1/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	resources := standin.Creds{"api1": {"url": srv.URL + "/v1/", "username": "joe", "password": "s3cr3t-pass",
		"headers": map[string]any{"X-Api-Key": "key-123"}}, "bare": {"url": srv.URL, "username": "joe", "password": "s3cr3t-pass"}}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("joe:s3cr3t-pass"))
	profile := plugin.Profile{"id": "p1", "traits": map[string]any{"email": "a@b.c"}}
	config := func(method, endpoint string, extra plugin.Config) plugin.Config {
		c := plugin.Config{"source": standin.Resource("api1"), "method": method, "endpoint": endpoint, "timeout": 5,
			"body":    map[string]any{"type": "application/json", "content": `{"email": "profile@traits.email", "n": 1, "missing": "event@properties.none"}`},
			"headers": map[string]any{"X-Profile": "profile@id"}, "cookies": map[string]any{"visitor": "event@id"}}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}

	t.Run("post", func(t *testing.T) {
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("post", "/users/{{profile@id}}", nil),
			Profile: profile, Event: plugin.Event{"id": "e1", "type": "t"}, Resources: resources})
		v := out.MustPort(t, "response")
		got := received()
		if got.method != "POST" || got.path != "/v1/users/p1" || got.auth != basic || got.ctype != "application/json" ||
			got.cookie != "e1" || got.custom != "p1" {
			t.Fatalf("the service received %+v", got)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(got.body), &body); err != nil || body["email"] != "a@b.c" || body["n"] != 1.0 ||
			body["missing"] != nil || len(body) != 3 {
			t.Fatalf("body %s", got.body)
		}
		if v["status"] != 201 || dotpath.At(v, "content.created") != true || dotpath.At(v, "cookies.sid") != "abc" ||
			dotpath.At(v, "headers.Content-Type") != "application/json" {
			t.Fatalf("response %v", v)
		}
		if strings.Contains(out.LogText(), "s3cr3t") {
			t.Errorf("console shows the password: %s", out.LogText())
		}
	})
	t.Run("get sends the body as query", func(t *testing.T) {
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("get", "/users/p1", nil),
			Profile: profile, Resources: resources})
		out.MustPort(t, "response")
		got := received()
		if got.method != "GET" || got.query != "email=a%40b.c&missing=&n=1" || got.body != "" {
			t.Fatalf("the service received %+v", got)
		}
	})
	t.Run("text body", func(t *testing.T) {
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("put", "/users/p1",
			plugin.Config{"body": map[string]any{"type": "text/plain", "content": "hi {{profile@traits.email}}"}}),
			Profile: profile, Resources: resources})
		out.MustPort(t, "response")
		got := received()
		if got.method != "PUT" || got.ctype != "text/plain" || got.body != "hi a@b.c" {
			t.Fatalf("the service received %+v", got)
		}
	})
	t.Run("strict missing data", func(t *testing.T) {
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("post", "/users/p1",
			plugin.Config{"set_default_null": false}), Profile: profile, Resources: resources})
		v := out.MustPort(t, "error")
		if !strings.Contains(v["message"].(string), "event@properties.none") {
			t.Fatalf("error %v", v)
		}
	})
	t.Run("server error", func(t *testing.T) {
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("post", "/broken", nil),
			Profile: profile, Resources: resources})
		v := out.MustPort(t, "error")
		if v["status"] != 500 || v["body"] != "boom: your password was ***" || !strings.Contains(v["message"].(string), "500") {
			t.Fatalf("error %v", v)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("post", "/slow", plugin.Config{"timeout": 0.3}),
			Profile: profile, Resources: resources})
		v := out.MustPort(t, "error")
		if !strings.Contains(v["message"].(string), "no answer within 300ms") || time.Since(start) > 1500*time.Millisecond {
			t.Fatalf("error %v after %s", v, time.Since(start))
		}
	})
	t.Run("endpoint cannot change the host", func(t *testing.T) {
		for _, ep := range []string{"{{event@properties.path}}", "@{{event@properties.host}}/x"} {
			mu.Lock()
			seenReq = seen{}
			mu.Unlock()
			// A base URL without a path: the endpoint follows the host at once.
			out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("post", ep, plugin.Config{"source": standin.Resource("bare")}), Profile: profile,
				Event:     plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"path": "@evil.example/steal", "host": "evil.example"}},
				Resources: resources})
			v := out.MustPort(t, "error")
			if got := received(); !strings.Contains(v["message"].(string), "leads away from the resource's host") || got.method != "" {
				t.Fatalf("%s: error %v, call %+v", ep, v, got)
			}
		}
	})
	t.Run("no resource", func(t *testing.T) {
		out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{Config: config("post", "/x", plugin.Config{"source": standin.Resource("")}),
			Resources: resources})
		if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no resource selected") {
			t.Fatalf("error %v", v)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		plugintest.SetUpFails(t, RegisterAPICall(), config("post", "/x", plugin.Config{"body": map[string]any{"type": "application/json", "content": "{nope"}}), "body.content")
		plugintest.SetUpFails(t, RegisterAPICall(), config("patch", "/x", nil), "method")
	})
}

func TestAPICallRefusesPrivateAddresses(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	out := plugintest.Run(t, RegisterAPICall(), plugintest.Case{
		Config:    plugin.Config{"source": standin.Resource("api1"), "method": "get", "endpoint": "/", "body": map[string]any{"type": "application/json", "content": "{}"}},
		Resources: standin.Creds{"api1": {"url": srv.URL}}})
	v := out.MustPort(t, "error")
	if hit || !strings.Contains(v["message"].(string), "--allow-private-outbound") {
		t.Fatalf("hit %v, error %v", hit, v)
	}
}

func TestSlackPost(t *testing.T) {
	standin.AllowLoopback(t)
	var path, auth, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		path, auth, body = r.URL.Path, r.Header.Get("Authorization"), string(b)
		var in map[string]any
		_ = json.Unmarshal(b, &in)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/down/"):
			w.WriteHeader(503)
		case in["channel"] == "#general":
			_, _ = w.Write([]byte(`{"ok": true, "channel": "C1", "ts": "1.2", "message": {"text": "x"}}`))
		default:
			_, _ = w.Write([]byte(`{"ok": false, "error": "channel_not_found"}`))
		}
	}))
	defer srv.Close()
	resources := standin.Creds{"slack": {"token": "xoxb-secret-1", "base_url": srv.URL + "/api"}}
	cfg := plugin.Config{"source": standin.Resource("slack"), "channel": "event@properties.channel", "message": "Hello {{profile@traits.name}}"}
	ev := func(ch string) plugin.Event {
		return plugin.Event{"id": "e", "type": "t", "properties": map[string]any{"channel": ch}}
	}
	out := plugintest.Run(t, RegisterSlackPost(), plugintest.Case{Config: cfg, Event: ev("#general"),
		Profile: plugin.Profile{"id": "p", "traits": map[string]any{"name": "Ann"}}, Resources: resources})
	v := out.MustPort(t, "response")
	if path != "/api/chat.postMessage" || auth != "Bearer xoxb-secret-1" || body != `{"channel":"#general","text":"Hello Ann"}` {
		t.Fatalf("Slack received %s %s %s", path, auth, body)
	}
	if v["ok"] != true || v["ts"] != "1.2" {
		t.Fatalf("response %v", v)
	}
	out = plugintest.Run(t, RegisterSlackPost(), plugintest.Case{Config: cfg, Event: ev("#nope"), Resources: resources})
	v = out.MustPort(t, "error")
	if !strings.Contains(v["message"].(string), "channel_not_found") || v["status"] != 200 {
		t.Fatalf("error %v", v)
	}
	resources["slack"]["base_url"] = srv.URL + "/api/down/"
	out = plugintest.Run(t, RegisterSlackPost(), plugintest.Case{Config: cfg, Event: ev("#general"), Resources: resources})
	if v = out.MustPort(t, "error"); v["status"] != 503 {
		t.Fatalf("error %v", v)
	}
	if strings.Contains(out.LogText(), "xoxb-secret-1") {
		t.Errorf("console shows the token")
	}
	plugintest.SetUpFails(t, RegisterSlackPost(), plugin.Config{"source": standin.Resource("slack"), "channel": "", "message": "x"}, "channel")
}

func TestSMTPSend(t *testing.T) {
	standin.AllowLoopback(t)
	srv := startSMTP(t, "mailer", "pa55word")
	good := map[string]any{"smtp": "127.0.0.1", "port": srv.port(), "username": "mailer", "password": "pa55word", "tls": "none", "timeout": 5}
	resources := standin.Creds{"mail": good}
	cfg := plugin.Config{"resource": standin.Resource("mail"), "mail": map[string]any{
		"send_from": "shop@example.com", "send_to": "profile@data.contact.email.main", "reply_to": "help@example.com",
		"title": "Hi {{profile@data.pii.firstname}}", "message": map[string]any{"type": "text/html", "content": "<p>Order {{payload@order}}</p>"}}}
	profile := plugin.Profile{"id": "p", "data": map[string]any{"contact": map[string]any{"email": map[string]any{"main": "ann@example.org"}},
		"pii": map[string]any{"firstname": "Ann"}}}
	out := plugintest.Run(t, RegisterSMTPSend(), plugintest.Case{Config: cfg, Profile: profile, Payload: plugin.Payload{"order": "A-1"}, Resources: resources})
	v := out.MustPort(t, "payload")
	if v["result"].(plugin.Payload)["order"] != "A-1" {
		t.Fatalf("payload %v", v)
	}
	m := srv.mails()
	if len(m) != 1 {
		t.Fatalf("the server received %d mails", len(m))
	}
	if m[0].from != "shop@example.com" || len(m[0].to) != 1 || m[0].to[0] != "ann@example.org" || m[0].user != "mailer" {
		t.Fatalf("mail %+v", m[0])
	}
	for _, want := range []string{"Subject: Hi Ann", "Reply-To: <help@example.com>", "text/html", "<p>Order A-1</p>"} {
		if !strings.Contains(m[0].data, want) {
			t.Errorf("message lacks %q:\n%s", want, m[0].data)
		}
	}

	// A wrong password goes to the error port, without the password.
	bad := map[string]any{}
	for k, v := range good {
		bad[k] = v
	}
	bad["password"] = "wrong-pass-99"
	resources["mail"] = bad
	out = plugintest.Run(t, RegisterSMTPSend(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources})
	v = out.MustPort(t, "error")
	if strings.Contains(v["message"].(string), "wrong-pass-99") || strings.Contains(out.LogText(), "wrong-pass-99") {
		t.Fatalf("the password leaked: %v", v)
	}
	if len(srv.mails()) != 1 {
		t.Fatal("a mail was sent with a wrong password")
	}
	// STARTTLS required but not offered: refused, nothing sent.
	resources["mail"] = map[string]any{"smtp": "127.0.0.1", "port": srv.port(), "username": "mailer", "password": "pa55word", "tls": "starttls", "timeout": 5}
	out = plugintest.Run(t, RegisterSMTPSend(), plugintest.Case{Config: cfg, Profile: profile, Resources: resources})
	out.MustPort(t, "error")
	// Tracardi's test config sets up (its empty resource fails at run time).
	out = plugintest.Run(t, RegisterSMTPSend(), plugintest.Case{Config: smtpTestInit, Resources: resources})
	if v := out.MustPort(t, "error"); !strings.Contains(v["message"].(string), "no resource selected") {
		t.Fatalf("error %v", v)
	}
	plugintest.SetUpFails(t, RegisterSMTPSend(), plugin.Config{"resource": standin.Resource("mail"), "mail": map[string]any{
		"send_from": "a@b.c", "send_to": "a@b.c", "title": "t", "message": map[string]any{"type": "text/rtf", "content": "x"}}}, "mail.message")
}

func TestResourceChecks(t *testing.T) {
	standin.AllowLoopback(t)
	srv := startSMTP(t, "mailer", "pa55word")
	ctx := t.Context()
	ok := map[string]any{"smtp": "127.0.0.1", "port": srv.port(), "username": "mailer", "password": "pa55word", "tls": "none"}
	if err := SMTPType.Check(ctx, ok); err != nil {
		t.Fatalf("smtp check: %v", err)
	}
	ok["password"] = "nope-nope"
	if err := SMTPType.Check(ctx, ok); err == nil {
		t.Fatal("smtp check passed with a wrong password")
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/auth.test" {
			if r.Header.Get("Authorization") == "Bearer good" {
				_, _ = w.Write([]byte(`{"ok": true}`))
			} else {
				_, _ = w.Write([]byte(`{"ok": false, "error": "invalid_auth"}`))
			}
			return
		}
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(401)
		}
	}))
	defer api.Close()
	if err := SlackType.Check(ctx, map[string]any{"token": "good", "base_url": api.URL + "/api"}); err != nil {
		t.Fatal(err)
	}
	if err := SlackType.Check(ctx, map[string]any{"token": "bad", "base_url": api.URL + "/api"}); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("slack bad token: %v", err)
	}
	if err := APIType.Check(ctx, map[string]any{"url": api.URL, "username": "u", "password": "p"}); err != nil {
		t.Fatal(err)
	}
	if err := APIType.Check(ctx, map[string]any{"url": api.URL}); err == nil {
		t.Fatal("api check passed on 401")
	}
}
