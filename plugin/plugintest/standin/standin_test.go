package standin_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/tracflow/tracflow/plugin/outbound"
	"github.com/tracflow/tracflow/plugin/plugintest/standin"
)

func TestServerRecordsAndAnswers(t *testing.T) {
	srv := standin.Start(t, func(r *http.Request, body string) (int, string) {
		if body == "" {
			return http.StatusBadRequest, `{"error":"empty"}`
		}
		return http.StatusCreated, `{"ok":true}`
	})
	resp, err := outbound.Default().Do(context.Background(), outbound.Request{Method: "POST", URL: srv.URL + "/v1/items?x=1",
		Header: http.Header{"Authorization": {"Bearer k"}, "Content-Type": {"application/json"}}, Body: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatalf("the stand-in is not reachable through the outbound client: %v", err)
	}
	if resp.Status != http.StatusCreated || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("answer %d %s, want 201 {\"ok\":true}", resp.Status, resp.Body)
	}
	got := srv.Last(t)
	if got.Method != "POST" || got.Path != "/v1/items" || got.Query != "x=1" || got.Auth != "Bearer k" ||
		got.Type != "application/json" || got.Body != `{"a":1}` || got.Header.Get("Authorization") != "Bearer k" {
		t.Fatalf("recorded %+v", got)
	}
	if n := len(srv.All()); n != 1 {
		t.Fatalf("%d requests recorded, want 1", n)
	}
}

func TestCreds(t *testing.T) {
	c := standin.Creds{"crm": {"api_key": "k"}}
	if m, err := c.Credentials(context.Background(), "crm"); err != nil || m["api_key"] != "k" {
		t.Fatalf("got %v, %v", m, err)
	}
	if _, err := c.Credentials(context.Background(), "nope"); !errors.Is(err, standin.ErrNoResource) {
		t.Fatalf("a missing resource gave %v, want ErrNoResource", err)
	}
	if r := standin.Resource("crm"); r["id"] != "crm" || r["name"] != "crm" {
		t.Fatalf("Resource gave %v", r)
	}
}
