package api_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/testenv"
)

// publicRoute reports whether a route may be called without a token: the
// collector (its sources are its keys), logging in, the operations
// endpoints (probes and scrapers do not log in) and the API's own
// documentation. Every other route must name its roles.
func publicRoute(rt api.Route) bool {
	switch rt.Tag {
	case "collector", "operations", "documentation":
		return true
	}
	return rt.Method == "POST" && rt.Path == "/user/token"
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// concretePath fills a route's wildcards with an id that names nothing.
func concretePath(p string) string {
	return wildcard.ReplaceAllStringFunc(strings.ReplaceAll(p, "{$}", ""), func(string) string { return "no-such-id" })
}

// mintToken stores a token for a user, valid until expires, the way a login
// stores it (only its SHA-256 is kept). Tests get fresh tokens this way
// without a password hash per request, and expired ones without waiting.
func mintToken(t *testing.T, e *testenv.Env, userID string, expires time.Time) string {
	t.Helper()
	var raw [32]byte
	rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(tok))
	h := hex.EncodeToString(sum[:])
	doc := store.Doc{"id": h, "user": userID, "expires": float64(expires.Unix())}
	if err := e.Store.PutConfig(context.Background(), auth.KindToken, h, doc); err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestEveryRouteChecksTokensAndRoles walks the whole route table, including
// routes added after this test was written: a route that needs roles
// answers 401 without a token and with an expired one, 403 to every role it
// does not name, and lets every role it names through (neither 401 nor
// 403). A route without roles must be one that is public on purpose.
func TestEveryRouteChecksTokensAndRoles(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	users := map[string]string{} // role -> user id
	for _, role := range api.AllRoles {
		u, err := e.Server.Auth().CreateUser(context.Background(), "only-"+role+"@example.com", "a long password for "+role, "Only "+role, []string{role})
		if err != nil {
			t.Fatal(err)
		}
		users[role] = u.ID
	}
	// Tokens of the refused roles can be shared: a 403 changes nothing.
	refusedTok := map[string]string{}
	for role, id := range users {
		refusedTok[role] = mintToken(t, e, id, time.Now().Add(time.Hour))
	}
	routes := e.Server.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes in the table", len(routes))
	}
	for _, rt := range routes {
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			path := concretePath(rt.Path)
			var body any
			switch rt.Method {
			case "POST", "PUT", "PATCH":
				body = map[string]any{}
			}
			if len(rt.Roles) == 0 {
				if !publicRoute(rt) {
					t.Fatalf("%s %s has no roles: anyone may call it; name the roles that may", rt.Method, rt.Path)
				}
				return
			}
			for _, role := range rt.Roles {
				if !slices.Contains(api.AllRoles, role) {
					t.Errorf("unknown role %q", role)
				}
			}
			if r := e.Do(rt.Method, path, "", body); r.Status != http.StatusUnauthorized {
				t.Errorf("without a token: %d, want 401: %s", r.Status, r.Raw)
			} else if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without a WWW-Authenticate header")
			}
			expired := mintToken(t, e, users[rt.Roles[0]], time.Now().Add(-time.Minute))
			if r := e.Do(rt.Method, path, expired, body); r.Status != http.StatusUnauthorized {
				t.Errorf("with an expired token of an allowed role: %d, want 401: %s", r.Status, r.Raw)
			}
			for _, role := range api.AllRoles {
				if slices.Contains(rt.Roles, role) {
					tok := mintToken(t, e, users[role], time.Now().Add(time.Hour))
					if r := e.Do(rt.Method, path, tok, body); r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
						t.Errorf("as %s (allowed): %d: %s", role, r.Status, r.Raw)
					}
					continue
				}
				r := e.Do(rt.Method, path, refusedTok[role], body)
				if r.Status != http.StatusForbidden {
					t.Errorf("as %s (not allowed): %d, want 403: %s", role, r.Status, r.Raw)
				} else if d, _ := r.Obj()["detail"].(string); !strings.Contains(d, rt.Roles[0]) {
					t.Errorf("the 403 does not say which roles may: %s", r.Raw)
				}
			}
		})
	}
}
