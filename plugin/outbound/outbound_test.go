package outbound

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func loopbackOK(t *testing.T) {
	t.Helper()
	prev := SetAllowLoopback(true)
	t.Cleanup(func() { SetAllowLoopback(prev) })
}

func TestDenied(t *testing.T) {
	for _, tc := range []struct {
		ip     string
		denied bool
	}{
		{"127.0.0.1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"0.0.0.0", true}, {"100.64.0.1", true}, {"224.0.0.1", true},
		{"255.255.255.255", true}, {"::1", true}, {"fe80::1", true}, {"fc00::1", true}, {"::", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true}, {"64:ff9b::a00:1", true},
		{"8.8.8.8", false}, {"93.184.216.34", false}, {"2606:4700::1111", false}, {"::ffff:8.8.8.8", false},
	} {
		if got := Denied(netip.MustParseAddr(tc.ip)); got != tc.denied {
			t.Errorf("Denied(%s) = %v, want %v", tc.ip, got, tc.denied)
		}
	}
}

func TestLoopbackDeniedByDefault(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	// Through a name, too: the check runs on the address dialled, after
	// resolution, so a name pointing at a private address is refused.
	for _, u := range []string{srv.URL + "/x", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/x"} {
		_, err := Default().Do(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrDenied) {
			t.Fatalf("%s: err %v, want ErrDenied", u, err)
		}
		if !strings.Contains(err.Error(), "--allow-private-outbound") {
			t.Errorf("error %q does not say how to allow it", err)
		}
	}
	if hit {
		t.Fatal("the denied server was reached")
	}
}

func TestAllowPrivateSetting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	prev := SetAllowPrivate(true)
	defer SetAllowPrivate(prev)
	res, err := Default().Do(context.Background(), Request{URL: srv.URL})
	if err != nil || res.Status != 204 {
		t.Fatalf("allowed: %v %v", res, err)
	}
	SetAllowPrivate(false)
	if _, err := Default().Do(context.Background(), Request{URL: srv.URL}); !errors.Is(err, ErrDenied) {
		t.Fatalf("after turning the setting off: %v", err)
	}
}

func TestRequestShape(t *testing.T) {
	loopbackOK(t)
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b := make([]byte, 100)
		n, _ := r.Body.Read(b)
		body = string(b[:n])
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1"})
		w.Header().Set("X-Answer", "yes")
		w.WriteHeader(201)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	res, err := Default().Do(context.Background(), Request{Method: "post", URL: srv.URL + "/a?b=1",
		Header: http.Header{"Authorization": {"Bearer t"}}, Cookies: map[string]string{"c": "d"},
		JSON: map[string]any{"x": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/a" || got.URL.RawQuery != "b=1" ||
		got.Header.Get("Authorization") != "Bearer t" || got.Header.Get("Content-Type") != "application/json" ||
		got.Header.Get("User-Agent") != UserAgent || body != `{"x":1}` {
		t.Fatalf("request %s %s %v body %q", got.Method, got.URL, got.Header, body)
	}
	if c, _ := got.Cookie("c"); c == nil || c.Value != "d" {
		t.Errorf("cookie not sent: %v", got.Header)
	}
	if !res.OK() || res.Content().(map[string]any)["ok"] != true || res.CookieMap()["sid"] != "s1" || res.HeaderMap()["X-Answer"] != "yes" {
		t.Fatalf("response %+v", res)
	}
}

func TestTimeout(t *testing.T) {
	loopbackOK(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	_, err := Default().Do(context.Background(), Request{URL: srv.URL + "/secret-token-path", Timeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "secret-token-path") {
		t.Errorf("error %q shows the URL's path", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestBodyBound(t *testing.T) {
	loopbackOK(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("a", 2000)))
	}))
	defer srv.Close()
	_, err := New(1000).Do(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
	if res, err := New(2000).Do(context.Background(), Request{URL: srv.URL}); err != nil || len(res.Body) != 2000 {
		t.Fatalf("exact size: %v", err)
	}
}

func TestErrorPayloadRedacts(t *testing.T) {
	err := StatusError(&Response{Status: 401, Body: []byte(`{"error":"bad token xoxb-123456"}` + strings.Repeat(" ", 1000))})
	p := ErrorPayload(err, "xoxb-123456")
	if p["status"] != 401 || strings.Contains(p["body"].(string), "xoxb-123456") || len(p["body"].(string)) > MaxErrorBody+4 {
		t.Fatalf("payload %v", p)
	}
	h := RedactHeaders(map[string]string{"Authorization": "Bearer x", "X-Api-Key": "k", "Accept": "a"})
	if h["Authorization"] != "***" || h["X-Api-Key"] != "***" || h["Accept"] != "a" {
		t.Fatalf("headers %v", h)
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"ftp://x/y", "http:///nohost", "://"} {
		if _, err := Default().Do(context.Background(), Request{URL: u}); err == nil {
			t.Errorf("%q: no error", u)
		}
	}
}

func TestSkipTLSVerify(t *testing.T) {
	loopbackOK(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	if _, err := Default().Do(context.Background(), Request{URL: srv.URL}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a self-signed certificate was accepted: %v", err)
	}
	res, err := Default().Do(context.Background(), Request{URL: srv.URL, SkipTLSVerify: true})
	if err != nil || string(res.Body) != "ok" {
		t.Fatalf("with SkipTLSVerify: %v", err)
	}
	// The deny-list still applies without certificate checks.
	SetAllowLoopback(false)
	if _, err := Default().Do(context.Background(), Request{URL: srv.URL, SkipTLSVerify: true}); !errors.Is(err, ErrDenied) {
		t.Fatalf("loopback reached without the check: %v", err)
	}
}
