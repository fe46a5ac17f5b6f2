package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeOperations starts the binary with JSON logs at debug level and a
// metrics token, as an operator would run it behind Prometheus.
func TestServeOperations(t *testing.T) {
	s := startServer(t, "--data", t.TempDir(), "--log-format", "json", "--log-level", "debug", "--metrics-token", "scrape-token")
	if code, r := call(t, "GET", s.url+"/healthz", "", nil); code != 200 || r["status"] != "ok" {
		t.Errorf("healthz: %d %v", code, r)
	}
	if code, r := call(t, "GET", s.url+"/readyz", "", nil); code != 200 || r["status"] != "ready" {
		t.Errorf("readyz: %d %v", code, r)
	}
	if code, _ := call(t, "GET", s.url+"/metrics", "", nil); code != http.StatusUnauthorized {
		t.Errorf("metrics without the token: %d, want 401", code)
	}
	body := map[string]any{"source": map[string]any{"id": "demo-source"}, "events": []any{map[string]any{"type": "page-view"}}}
	if code, r := call(t, "POST", s.url+"/track", "", body); code != 200 {
		t.Fatalf("track: %d %v", code, r)
	}
	// Four events: the page view and its visit's profile-created, session-opened, visit-started.
	req, _ := http.NewRequest("GET", s.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(text), `tracflow_events_total{status="processed"} 4`) || !strings.Contains(string(text), `tracflow_build_info{commit="`) {
		t.Errorf("metrics: %d\n%s", resp.StatusCode, text)
	}
	// Every line on stderr is one JSON record, the welcome included; the
	// collector request is logged at debug.
	var sawTrack, sawWelcome bool
	for _, line := range strings.Split(strings.TrimSpace(s.output()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line is not one JSON record: %q", line)
			continue
		}
		if m["msg"] == "request" && m["route"] == "/track" && m["level"] == "DEBUG" && m["status"] == 200.0 {
			sawTrack = true
		}
		if m["admin_email"] == adminEmail && m["demo_source"] == "demo-source" && strings.HasPrefix(fmt.Sprint(m["try"]), "curl -s "+s.url+"/track") {
			sawWelcome = true
		}
	}
	if !sawTrack {
		t.Errorf("no debug log line for POST /track:\n%s", s.output())
	}
	if !sawWelcome {
		t.Errorf("no welcome record with the admin and the curl line:\n%s", s.output())
	}
}

// TestServeMetricsAddr: --metrics-addr serves /metrics, and only that, on an
// address of its own, without a token; on the API's address /metrics still
// asks for one (an admin's API token here).
func TestServeMetricsAddr(t *testing.T) {
	s := startServer(t, "--data", t.TempDir(), "--no-demo", "--metrics-addr", "127.0.0.1:0")
	// The metrics address is logged after the API's "listening" line.
	re := regexp.MustCompile(`metrics=(http://[0-9.:]+/metrics)`)
	m := re.FindStringSubmatch(s.output())
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		m = re.FindStringSubmatch(s.output())
	}
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", s.output())
	}
	get := func(url, token string) (int, string) {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(m[1], ""); code != 200 || !strings.Contains(body, "tracflow_store_commits_total") {
		t.Errorf("metrics address: %d %.200s", code, body)
	}
	if code, _ := get(strings.TrimSuffix(m[1], "/metrics")+"/healthz", ""); code != http.StatusNotFound {
		t.Errorf("the metrics address served /healthz: %d", code)
	}
	if code, _ := get(s.url+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics on the API address without a token: %d, want 401", code)
	}
	if code, _ := get(s.url+"/metrics", s.token()); code != 200 {
		t.Errorf("/metrics on the API address with an admin token: %d, want 200", code)
	}
}
