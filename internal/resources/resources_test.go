package resources_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
)

func newStore(t *testing.T) store.Store {
	t.Helper()
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func box(t *testing.T) *secrets.Box {
	t.Helper()
	b, err := secrets.New(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAnotherKeyIsRefusedAtStart(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	k1 := box(t)
	if _, err := resources.New(ctx, st, k1); err != nil {
		t.Fatal(err)
	}
	if _, err := resources.New(ctx, st, k1); err != nil {
		t.Fatalf("same key again: %v", err)
	}
	_, err := resources.New(ctx, st, box(t))
	if err == nil || !strings.Contains(err.Error(), secrets.EnvVar) {
		t.Fatalf("another key: %v", err)
	}
}

func TestCredentialsForRuns(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	s, err := resources.New(ctx, st, box(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(ctx, store.Doc{"id": "r", "name": "R", "type": "api-key", "credentials": map[string]any{
		"production": map[string]any{"key": "P"}, "test": map[string]any{"key": "T"}}}); err != nil {
		t.Fatal(err)
	}
	p, err := s.ForRuns(false).Credentials(ctx, "r")
	if err != nil || p["key"] != "P" {
		t.Fatalf("production: %v %v", p, err)
	}
	tc, err := s.ForRuns(true).Credentials(ctx, "r")
	if err != nil || tc["key"] != "T" {
		t.Fatalf("test: %v %v", tc, err)
	}
	// Callers get copies: changing one does not change the next answer.
	p["key"] = "changed"
	if again, _ := s.ForRuns(false).Credentials(ctx, "r"); again["key"] != "P" {
		t.Errorf("cached credentials were changed through an answer: %v", again)
	}
	if _, err := s.ForRuns(false).Credentials(ctx, "missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing resource: %v", err)
	}
	// A sealed value moved to another resource does not open there.
	d, _ := st.GetConfig(ctx, resources.Kind, "r")
	d["id"] = "copy"
	st.PutConfig(ctx, resources.Kind, "copy", d)
	if _, err := s.Get(ctx, "copy", true); err == nil {
		t.Error("credentials copied to another resource were decrypted")
	}
}
