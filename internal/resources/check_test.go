package resources_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

func init() {
	plugin.RegisterResourceType(plugin.ResourceType{Type: "resources-test-api", Name: "Test API",
		Fields: plugin.NewConfigSpec().
			Field(plugin.NewStringField("url").Required().Pattern(`^https?://\S+$`, "expected an http(s) URL")).
			Field(plugin.NewIntField("port").Default(443).Min(1).Max(65535))})
}

// TestSaveChecksCredentialsOfKnownTypes: the credential sets of a resource
// whose type the server knows are read with the type's fields on save; each
// problem is a field error, and nothing is stored.
func TestSaveChecksCredentialsOfKnownTypes(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	s, err := resources.New(ctx, st, box(t))
	if err != nil {
		t.Fatal(err)
	}
	save := func(prod, test map[string]any) error {
		_, err := s.Save(ctx, store.Doc{"id": "r", "name": "R", "type": "resources-test-api",
			"credentials": map[string]any{"production": prod, "test": test}})
		return err
	}
	err = save(map[string]any{"port": 80}, map[string]any{"url": "ftp://x", "port": "many"})
	var fes plugin.FieldErrors
	if !errors.As(err, &fes) {
		t.Fatalf("err = %v", err)
	}
	got := map[string]bool{}
	for _, fe := range fes {
		got[fe.Field] = true
	}
	for _, f := range []string{"credentials.production.url", "credentials.test.url", "credentials.test.port"} {
		if !got[f] {
			t.Errorf("no error on %s: %v", f, fes)
		}
	}
	if _, err := s.Get(ctx, "r", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused resource was stored: %v", err)
	}
	// A good production set and an empty test set are accepted.
	if err := save(map[string]any{"url": "https://api.example.com"}, map[string]any{}); err != nil {
		t.Errorf("valid credentials: %v", err)
	}
	// Types this server does not know are stored as they are.
	if _, err := s.Save(ctx, store.Doc{"name": "T", "type": "some-tracardi-type", "credentials": map[string]any{"production": map[string]any{"x": 1}}}); err != nil {
		t.Errorf("unknown type: %v", err)
	}
}
