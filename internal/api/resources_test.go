package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/resources"
	"github.com/tracflow/tracflow/internal/testenv"
	"github.com/tracflow/tracflow/plugin"
)

const (
	prodSecret = "prod-s3cret-value-4711"
	testSecret = "test-s3cret-value-0815"
)

func mailResource() map[string]any {
	return map[string]any{"id": "mail", "name": "Mail server", "type": "smtp-server", "tags": []any{"email"},
		"credentials": map[string]any{
			"production": map[string]any{"host": "smtp.example.com", "password": prodSecret, "port": 587},
			"test":       map[string]any{"host": "localhost", "password": testSecret},
		}}
}

func TestResourceRoutesRoles(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	builders := []string{api.RoleAdmin, api.RoleDeveloper}
	checkRoles(t, e, toks, "POST", "/resource", map[string]any{}, builders...)
	checkRoles(t, e, toks, "GET", "/resources", nil, builders...)
	checkRoles(t, e, toks, "GET", "/resource/none", nil, builders...)
	checkRoles(t, e, toks, "DELETE", "/resource/none", nil, builders...)
}

func TestResourceCredentialsInClearOnlyForAdmins(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	saved := e.Admin("POST", "/resource", mailResource()).MustOK(t)
	if !strings.Contains(string(saved.Raw), prodSecret) {
		t.Errorf("the admin does not get the saved credentials back: %s", saved.Raw)
	}
	for _, path := range []string{"/resource/mail", "/resources", "/resources?tag=email"} {
		clear := e.Admin("GET", path, nil).MustOK(t)
		if !strings.Contains(string(clear.Raw), prodSecret) || !strings.Contains(string(clear.Raw), testSecret) {
			t.Errorf("admin GET %s: credentials not in clear: %s", path, clear.Raw)
		}
		masked := e.Do("GET", path, toks[api.RoleDeveloper], nil).MustOK(t)
		if strings.Contains(string(masked.Raw), prodSecret) || strings.Contains(string(masked.Raw), testSecret) || strings.Contains(string(masked.Raw), "smtp.example.com") {
			t.Errorf("developer GET %s sees a secret: %s", path, masked.Raw)
		}
		if !strings.Contains(string(masked.Raw), `"password":"***"`) {
			t.Errorf("developer GET %s: credentials not masked key by key: %s", path, masked.Raw)
		}
	}
	if r := e.Admin("GET", "/resources?tag=other", nil).MustOK(t).Obj(); r["total"] != 0.0 {
		t.Errorf("resources?tag=other: %v", r)
	}
	// A developer saving a resource gets it back masked.
	r := e.Do("POST", "/resource", toks[api.RoleDeveloper], map[string]any{"name": "Key", "type": "api-key",
		"credentials": map[string]any{"production": map[string]any{"key": "dev-secret-123"}}}).MustOK(t)
	if strings.Contains(string(r.Raw), "dev-secret-123") {
		t.Errorf("developer's save answers the secret: %s", r.Raw)
	}
	id := r.Obj()["id"].(string)
	if c := obj(e.Admin("GET", "/resource/"+id, nil).MustOK(t).Body, "credentials", "production"); c["key"] != "dev-secret-123" {
		t.Errorf("stored: %v", c)
	}
}

func TestResourceSecretsAreEncryptedAtRest(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Admin("POST", "/resource", mailResource()).MustOK(t)
	// The stored configuration row.
	d, err := e.Store.GetConfig(context.Background(), resources.Kind, "mail")
	if err != nil {
		t.Fatal(err)
	}
	row, _ := json.Marshal(d)
	if strings.Contains(string(row), prodSecret) || strings.Contains(string(row), testSecret) || strings.Contains(string(row), "smtp.example.com") {
		t.Fatalf("the stored row holds credentials in clear: %s", row)
	}
	if _, ok := d["credentials"]; ok {
		t.Errorf("the stored row has a credentials field: %s", row)
	}
	// Every file of the data folder (database, WAL, key file).
	found := false
	filepath.WalkDir(e.Dir, func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		found = true
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{prodSecret, testSecret} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds a secret in clear", path)
			}
		}
		return nil
	})
	if !found {
		t.Fatal("no files in the data folder")
	}
}

func TestResourceUpdateKeepsMaskedValues(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	dev := toks[api.RoleDeveloper]
	e.Admin("POST", "/resource", mailResource()).MustOK(t)
	// Read masked, rename, save back: the secrets stay.
	m := e.Do("GET", "/resource/mail", dev, nil).MustOK(t).Obj()
	m["name"] = "Mail server (renamed)"
	e.Do("POST", "/resource", dev, m).MustOK(t)
	clear := e.Admin("GET", "/resource/mail", nil).MustOK(t).Obj()
	if clear["name"] != "Mail server (renamed)" || obj(clear, "credentials", "production")["password"] != prodSecret || obj(clear, "credentials", "test")["password"] != testSecret {
		t.Fatalf("after a masked save: %v", clear)
	}
	// Leaving credentials out keeps them too.
	e.Do("POST", "/resource", dev, map[string]any{"id": "mail", "name": "Mail", "type": "smtp-server"}).MustOK(t)
	if c := obj(e.Admin("GET", "/resource/mail", nil).MustOK(t).Body, "credentials", "test"); c["password"] != testSecret {
		t.Fatalf("after a save without credentials: %v", c)
	}
	// Pointing a masked password at another host is refused.
	m = e.Do("GET", "/resource/mail", dev, nil).MustOK(t).Obj()
	obj(m, "credentials", "production")["host"] = "evil.example.net"
	wantError(t, e.Do("POST", "/resource", dev, m), http.StatusUnprocessableEntity, "credentials.production.host")
	// A mask where nothing is stored.
	m = e.Do("GET", "/resource/mail", dev, nil).MustOK(t).Obj()
	obj(m, "credentials", "production")["user"] = "***"
	wantError(t, e.Do("POST", "/resource", dev, m), http.StatusUnprocessableEntity, "credentials.production.user")
	// Sending every value replaces the set.
	e.Do("POST", "/resource", dev, map[string]any{"id": "mail", "name": "Mail", "type": "smtp-server",
		"credentials": map[string]any{"production": map[string]any{"host": "smtp2.example.com", "password": "new"}}}).MustOK(t)
	c := obj(e.Admin("GET", "/resource/mail", nil).MustOK(t).Body, "credentials")
	if obj(c, "production")["host"] != "smtp2.example.com" || obj(c, "production")["port"] != nil || obj(c, "test")["password"] != testSecret {
		t.Errorf("after replacing the production set: %v", c)
	}
}

func TestResourceValidationAndDelete(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no name", map[string]any{"type": "x"}, "name"},
		{"name not a string", map[string]any{"name": 1, "type": "x"}, "name"},
		{"no type", map[string]any{"name": "x"}, "type"},
		{"credentials not an object", map[string]any{"name": "x", "type": "x", "credentials": "secret"}, "credentials"},
		{"unknown credential set", map[string]any{"name": "x", "type": "x", "credentials": map[string]any{"staging": map[string]any{}}}, "credentials.staging"},
		{"set not an object", map[string]any{"name": "x", "type": "x", "credentials": map[string]any{"test": "pw"}}, "credentials.test"},
		{"tags not a list", map[string]any{"name": "x", "type": "x", "tags": "a"}, "tags"},
		{"tag not a string", map[string]any{"name": "x", "type": "x", "tags": []any{1}}, "tags[0]"},
		{"enabled not a bool", map[string]any{"name": "x", "type": "x", "enabled": "yes"}, "enabled"},
		{"body a list", []any{}, "(body)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.Admin("POST", "/resource", c.body), http.StatusUnprocessableEntity, c.field)
		})
	}
	wantError(t, e.Admin("POST", "/resource", "nope"), http.StatusBadRequest, "")
	r := e.Admin("POST", "/resource", map[string]any{"name": "Minimal", "type": "api-key"}).MustOK(t).Obj()
	if r["id"] == "" || r["enabled"] != true || obj(r, "credentials", "production") == nil || obj(r, "credentials", "test") == nil {
		t.Errorf("minimal resource: %v", r)
	}
	e.Admin("DELETE", "/resource/"+r["id"].(string), nil).MustOK(t)
	wantError(t, e.Admin("GET", "/resource/"+r["id"].(string), nil), http.StatusNotFound, "")
	wantError(t, e.Admin("DELETE", "/resource/"+r["id"].(string), nil), http.StatusNotFound, "")
}

// reveal is a test plugin that answers the credentials of the resource
// named in its config under response "creds" (or the error).
type reveal struct {
	plugin.ActionRunner
	resource string
}

func (a *reveal) SetUp(_ context.Context, c plugin.Config) error {
	a.resource, _ = c["resource"].(string)
	return nil
}

func (a *reveal) Run(ctx context.Context, p plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.Resources == nil {
		return nil, errors.New("no resources attached")
	}
	c, err := a.Resources.Credentials(ctx, a.resource)
	if err != nil {
		return nil, err
	}
	a.Flow.Response["creds"] = c
	return plugin.Port("payload", p), nil
}

func TestPluginsGetTestCredentialsInDebugAndProductionOnesWhenTracking(t *testing.T) {
	list := func() []plugin.Installed {
		return append(actions.Installed(), plugin.Installed{Register: func() plugin.Plugin {
			return testPlugin("test.reveal", "Reveal", []string{"payload"}, func() plugin.Action { return &reveal{} })
		}})
	}
	e := testenv.New(t, testenv.Options{API: api.Options{Installed: list}})
	e.Admin("GET", "/install/plugins", nil).MustOK(t)
	e.Admin("POST", "/resource", mailResource()).MustOK(t)
	flowJS := testenv.FlowJSON("reveals", []testenv.Node{{ID: "start", Module: testenv.Start}, {ID: "r", Module: "test.reveal", Init: map[string]any{"resource": "mail"}}}, "start.payload>r")

	out := e.Admin("POST", "/flow/debug", map[string]any{"flow": flowDoc(t, flowJS), "event": map[string]any{"type": "x"}}).MustOK(t).Obj()
	if obj(out, "response", "creds")["password"] != testSecret {
		t.Errorf("debug run got %v, want the test credentials (errors %v)", obj(out, "response", "creds"), out["errors"])
	}
	e.Setup("web", flowJS, "x")
	r := e.Do("POST", "/track", "", trackBody("web", "", "", "x")).MustOK(t)
	if obj(r.Body, "response", "creds")["password"] != prodSecret {
		t.Errorf("tracked event got %s, want the production credentials", r.Raw)
	}
	// A disabled resource gives no credentials.
	res := mailResource()
	res["enabled"] = false
	e.Admin("POST", "/resource", res).MustOK(t)
	out = e.Admin("POST", "/flow/debug", map[string]any{"flow": flowDoc(t, flowJS), "event": map[string]any{"type": "x"}}).MustOK(t).Obj()
	if errs, _ := out["errors"].([]any); len(errs) != 1 || !strings.Contains(testenv.At(errs, "0.message").(string), "disabled") {
		t.Errorf("debug with a disabled resource: %v", out["errors"])
	}
}
