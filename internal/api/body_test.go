package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/testenv"
)

// TestOneBodyReader: every route that reads a JSON body answers a bad one
// in the same words, and a field's problem in the one field-error shape
// ({"detail", "errors": [{"field", "message"}]}).
func TestOneBodyReader(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	src := e.Setup("web", testenv.CounterFlow("count", "stats.views", "views"), "page-view")
	routes := []struct{ method, path, token string }{
		{"POST", "/track", ""},
		{"POST", "/collect/page-view/" + src, ""},
		{"POST", "/event/select", e.Token},
		{"POST", "/profile/select/histogram", e.Token},
		{"POST", "/rule", e.Token},
		{"POST", "/flow/draft", e.Token},
		{"POST", "/user", e.Token},
	}
	for _, rt := range routes {
		t.Run(strings.TrimPrefix(rt.path, "/"), func(t *testing.T) {
			for _, c := range []struct{ body, want string }{
				{"{not json", "request body is not valid JSON: "},
				{`{"where": ""} }`, "request body is not valid JSON: "},
			} {
				r := e.Do(rt.method, rt.path, rt.token, c.body)
				if d, _ := r.Obj()["detail"].(string); r.Status != http.StatusBadRequest || !strings.HasPrefix(d, c.want) || !strings.Contains(d, "(at byte ") {
					t.Errorf("%s: %d %s, want 400 %q... (at byte n)", c.body, r.Status, r.Raw, c.want)
				}
			}
			r := e.Do(rt.method, rt.path, rt.token, `{"where": "x\u0000"}`)
			wantError(t, r, http.StatusUnprocessableEntity, "where")
		})
	}
}

// TestFieldErrorsOneShape: form fields and query parameters are answered in
// the same field-error shape as bodies.
func TestFieldErrorsOneShape(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	wantError(t, e.Do("POST", "/user/token", "", "username=&password=x"), http.StatusUnprocessableEntity, "username")
	wantError(t, e.Do("POST", "/user/token", "", "username=a%40b.c&password="), http.StatusUnprocessableEntity, "password")
	wantError(t, e.Do("GET", "/users?limit=lots", e.Token, nil), http.StatusUnprocessableEntity, "limit")
	wantError(t, e.Do("GET", "/users?offset=-1", e.Token, nil), http.StatusUnprocessableEntity, "offset")
}
