package connectors

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestFullContactCheck(t *testing.T) {
	standin.AllowLoopback(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3/person.enrich" || r.Method != "POST" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer fc-good-key" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"status":401,"message":"Invalid authentication"}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"status":400,"message":"No query fields"}`))
	}))
	defer srv.Close()
	if err := checkFullContact(t.Context(), map[string]any{"token": "fc-good-key", "base_url": srv.URL}); err != nil {
		t.Errorf("a good key: %v", err)
	}
	if err := checkFullContact(t.Context(), map[string]any{"token": "fc-bad-key", "base_url": srv.URL}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a bad key: %v", err)
	}
}

func TestGoogleAnalyticsCheck(t *testing.T) {
	standin.AllowLoopback(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		q, _ := url.ParseQuery(string(b))
		if r.URL.Path != "/debug/collect" || q.Get("t") != "event" || q.Get("v") != "1" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		valid := strings.HasPrefix(q.Get("tid"), "UA-")
		msg := ""
		if !valid {
			msg = `{"messageType":"ERROR","description":"The value provided for parameter 'tid' is invalid.","parameter":"tid"}`
		}
		_, _ = w.Write([]byte(`{"hitParsingResult":[{"valid":` + map[bool]string{true: "true", false: "false"}[valid] + `,"parserMessage":[` + msg + `]}]}`))
	}))
	defer srv.Close()
	if err := checkGoogleAnalytics(t.Context(), map[string]any{"google_analytics_id": "UA-1234-1", "base_url": srv.URL}); err != nil {
		t.Errorf("a valid id: %v", err)
	}
	if err := checkGoogleAnalytics(t.Context(), map[string]any{"google_analytics_id": "G-XYZ", "base_url": srv.URL}); err == nil || !strings.Contains(err.Error(), "tid") {
		t.Errorf("an invalid id: %v", err)
	}
}
