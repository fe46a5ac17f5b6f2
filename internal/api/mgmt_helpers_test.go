package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

// roleUsers creates one user per role and returns their tokens by role.
func roleUsers(t *testing.T, e *testenv.Env) map[string]string {
	t.Helper()
	toks := map[string]string{}
	for _, role := range api.AllRoles {
		email := role + "-user@example.com"
		if _, err := e.Server.Auth().CreateUser(context.Background(), email, "password-"+role, "The "+role, []string{role}); err != nil {
			t.Fatal(err)
		}
		toks[role] = e.Login(email, "password-"+role)
	}
	return toks
}

// checkRoles calls a route with no token and as each role: no token must be
// 401; a role in allowed must pass the role check (any status but 401 and
// 403); any other role must be 403.
func checkRoles(t *testing.T, e *testenv.Env, toks map[string]string, method, path string, body any, allowed ...string) {
	t.Helper()
	if r := e.Do(method, path, "", body); r.Status != http.StatusUnauthorized {
		t.Errorf("%s %s without a token: %d, want 401: %s", method, path, r.Status, r.Raw)
	}
	if r := e.Do(method, path, "not-a-token", body); r.Status != http.StatusUnauthorized {
		t.Errorf("%s %s with a bad token: %d, want 401: %s", method, path, r.Status, r.Raw)
	}
	for _, role := range api.AllRoles {
		r := e.Do(method, path, toks[role], body)
		if slices.Contains(allowed, role) {
			if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want it allowed: %s", method, path, role, r.Status, r.Raw)
			}
		} else if r.Status != http.StatusForbidden {
			t.Errorf("%s %s as %s: %d, want 403: %s", method, path, role, r.Status, r.Raw)
		}
	}
}

// wantError checks an error answer: its status, and that one of its
// errors names field (when field is not empty).
func wantError(t *testing.T, r *testenv.Response, status int, field string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %s", r.Status, status, r.Raw)
		return
	}
	body := r.Obj()
	if d, _ := body["detail"].(string); d == "" {
		t.Errorf("no detail in the error answer: %s", r.Raw)
	}
	if field == "" {
		return
	}
	errs, _ := body["errors"].([]any)
	for _, x := range errs {
		if m, ok := x.(map[string]any); ok && m["field"] == field {
			if msg, _ := m["message"].(string); strings.TrimSpace(msg) == "" {
				t.Errorf("field %s has no message: %s", field, r.Raw)
			}
			return
		}
	}
	t.Errorf("no error names field %q: %s", field, r.Raw)
}

// obj reads a nested object of a decoded JSON value.
func obj(v any, path ...string) map[string]any {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}
