package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/testenv"
)

func TestUserRoutesNeedAdmin(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	checkRoles(t, e, toks, "GET", "/users", nil, api.RoleAdmin)
	checkRoles(t, e, toks, "GET", "/user/nobody@example.com", nil, api.RoleAdmin)
	checkRoles(t, e, toks, "DELETE", "/user/nobody@example.com", nil, api.RoleAdmin)
	checkRoles(t, e, toks, "POST", "/user", map[string]any{}, api.RoleAdmin)
}

func TestUserCreateListGetDelete(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	r := e.Admin("POST", "/user", map[string]any{"email": "Ann@Example.com", "password": "long enough", "full_name": "Ann", "roles": []any{"marketer", "developer", "marketer"}}).MustOK(t)
	u := r.Obj()
	if u["id"] != "ann@example.com" || u["full_name"] != "Ann" || len(u["roles"].([]any)) != 2 {
		t.Fatalf("created user: %s", r.Raw)
	}
	if strings.Contains(string(r.Raw), "password") || strings.Contains(string(r.Raw), "$2a$") {
		t.Errorf("the answer carries the password or its hash: %s", r.Raw)
	}
	wantError(t, e.Admin("POST", "/user", map[string]any{"email": "ann@example.com", "password": "another one", "roles": []any{"admin"}}), http.StatusConflict, "")

	list := e.Admin("GET", "/users", nil).MustOK(t)
	if list.Obj()["total"] != 2.0 {
		t.Errorf("users: %s", list.Raw)
	}
	if strings.Contains(string(list.Raw), "password") || strings.Contains(string(list.Raw), "$2a$") {
		t.Errorf("the user list carries password hashes: %s", list.Raw)
	}
	if r := e.Admin("GET", "/users?query=ANN", nil).MustOK(t); r.Obj()["total"] != 1.0 {
		t.Errorf("users?query=ANN: %s", r.Raw)
	}
	wantError(t, e.Admin("GET", "/users?limit=0", nil), http.StatusUnprocessableEntity, "limit")

	if r := e.Admin("GET", "/user/ANN@example.com", nil).MustOK(t); r.Obj()["email"] != "ann@example.com" {
		t.Errorf("get user: %s", r.Raw)
	}
	wantError(t, e.Admin("GET", "/user/nobody@example.com", nil), http.StatusNotFound, "")

	// The new user can log in with the roles given; deleting the user
	// revokes the token at once.
	tok := e.Login("ann@example.com", "long enough")
	if r := e.Do("GET", "/user/me", tok, nil).MustOK(t); r.Obj()["id"] != "ann@example.com" {
		t.Fatalf("me: %s", r.Raw)
	}
	e.Admin("DELETE", "/user/ann@example.com", nil).MustOK(t)
	if r := e.Do("GET", "/user/me", tok, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("token of a deleted user: %d %s", r.Status, r.Raw)
	}
	toks, _ := e.Store.ListConfig(context.Background(), api.KindToken)
	for _, d := range toks {
		if d["user"] == "ann@example.com" {
			t.Errorf("a token of the deleted user is still stored: %v", d)
		}
	}
	wantError(t, e.Admin("DELETE", "/user/ann@example.com", nil), http.StatusNotFound, "")
	wantError(t, e.Admin("DELETE", "/user/"+testenv.AdminEmail, nil), http.StatusConflict, "")
}

func TestCreateUserValidation(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	good := func(change map[string]any) map[string]any {
		b := map[string]any{"email": "bob@example.com", "password": "12345678", "full_name": "Bob", "roles": []any{"developer"}}
		for k, v := range change {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"bad e-mail", good(map[string]any{"email": "not an address"}), 422, "email"},
		{"e-mail with a name", good(map[string]any{"email": "Bob <bob@example.com>"}), 422, "email"},
		{"e-mail without a domain", good(map[string]any{"email": "bob@"}), 422, "email"},
		{"no e-mail", good(map[string]any{"email": nil}), 422, "email"},
		{"e-mail not a string", good(map[string]any{"email": 5}), 422, "email"},
		{"short password", good(map[string]any{"password": "1234567"}), 422, "password"},
		{"no password", good(map[string]any{"password": nil}), 422, "password"},
		{"password too long for bcrypt", good(map[string]any{"password": strings.Repeat("x", 73)}), 422, "password"},
		{"unknown role", good(map[string]any{"roles": []any{"developer", "superuser"}}), 422, "roles[1]"},
		{"no roles", good(map[string]any{"roles": []any{}}), 422, "roles"},
		{"roles missing", good(map[string]any{"roles": nil}), 422, "roles"},
		{"roles not a list", good(map[string]any{"roles": "admin"}), 422, "roles"},
		{"full name not a string", good(map[string]any{"full_name": 1}), 422, "full_name"},
		{"body a list", []any{1}, 422, "(body)"},
		{"body not JSON", "{", 400, ""},
		{"empty body", "", 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.Admin("POST", "/user", c.body), c.status, c.field)
		})
	}
	// Every bad field is reported at once.
	r := e.Admin("POST", "/user", map[string]any{"email": "x", "password": "1", "roles": []any{"boss"}})
	for _, f := range []string{"email", "password", "roles[0]"} {
		wantError(t, r, 422, f)
	}
	e.Admin("POST", "/user", good(nil)).MustOK(t)
}

// clock is a settable clock for the auth service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestTokenExpirySlides(t *testing.T) {
	e := testenv.New(t, testenv.Options{API: api.Options{TokenTTL: time.Hour}})
	c := &clock{t: time.Now()}
	e.Server.Auth().SetClock(c.now)
	tok := e.Login(testenv.AdminEmail, testenv.AdminPassword)
	for i := 0; i < 3; i++ {
		c.advance(50 * time.Minute) // less than the TTL since the last use
		if r := e.Do("GET", "/user/me", tok, nil); r.Status != 200 {
			t.Fatalf("use %d, 50 minutes after the previous one: %d %s", i+1, r.Status, r.Raw)
		}
	}
	c.advance(61 * time.Minute)
	r := e.Do("GET", "/user/me", tok, nil)
	wantError(t, r, http.StatusUnauthorized, "")
	if !strings.Contains(r.Obj()["detail"].(string), "expired") {
		t.Errorf("detail does not say the token expired: %s", r.Raw)
	}
	// An expired token stays expired (it was dropped from storage too).
	c.advance(-30 * time.Minute)
	if r := e.Do("GET", "/user/me", tok, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("expired token accepted again: %d", r.Status)
	}
}

func TestLogoutRevokesToken(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	tok := e.Login(testenv.AdminEmail, testenv.AdminPassword)
	e.Do("DELETE", "/user/token", tok, nil).MustOK(t)
	wantError(t, e.Do("GET", "/user/me", tok, nil), http.StatusUnauthorized, "")
	// The test's other token still works.
	e.Admin("GET", "/user/me", nil).MustOK(t)
}

func TestLoginThrottledPerAccountOverHTTP(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for i := 0; i < 5; i++ {
		if r := loginForm(t, e, testenv.AdminEmail, "wrong"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Raw)
		}
	}
	r := loginForm(t, e, testenv.AdminEmail, testenv.AdminPassword)
	wantError(t, r, http.StatusTooManyRequests, "")
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Tokens issued before keep working.
	e.Admin("GET", "/user/me", nil).MustOK(t)
}

func loginForm(t *testing.T, e *testenv.Env, user, pw string) *testenv.Response {
	t.Helper()
	resp, err := http.PostForm(e.URL+"/user/token", url.Values{"username": {user}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := &testenv.Response{Status: resp.StatusCode, Header: resp.Header}
	out.Raw, _ = io.ReadAll(resp.Body)
	if err := json.Unmarshal(out.Raw, &out.Body); err != nil {
		t.Errorf("login answered non-JSON: %q", out.Raw)
	}
	return out
}

func TestLoginThrottledPerAccountAndPerAddress(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	a := e.Server.Auth()
	c := &clock{t: time.Now()}
	a.SetClock(c.now)
	ctx := context.Background()
	if _, err := a.CreateUser(ctx, "carol@example.com", "carol's password", "Carol", []string{"marketer"}); err != nil {
		t.Fatal(err)
	}

	// Per account: failures from many addresses throttle the account
	// everywhere.
	for i := 0; i < 5; i++ {
		if _, _, err := a.Login(ctx, "carol@example.com", "wrong", "10.0.0."+string(rune('1'+i))); err == nil || err == api.ErrThrottled {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, _, err := a.Login(ctx, "carol@example.com", "carol's password", "10.9.9.9"); err != api.ErrThrottled {
		t.Fatalf("account after 5 failures: %v, want ErrThrottled", err)
	}
	// Other accounts from those addresses are not throttled.
	if _, _, err := a.Login(ctx, testenv.AdminEmail, testenv.AdminPassword, "10.0.0.1"); err != nil {
		t.Fatalf("another account: %v", err)
	}

	// Per address: failures on many accounts from one address throttle
	// the address, and only it.
	for i := 0; i < 5; i++ {
		if _, _, err := a.Login(ctx, "guess"+string(rune('a'+i))+"@example.com", "wrong", "192.0.2.7"); err == nil || err == api.ErrThrottled {
			t.Fatalf("address failure %d: %v", i+1, err)
		}
	}
	if _, _, err := a.Login(ctx, testenv.AdminEmail, testenv.AdminPassword, "192.0.2.7"); err != api.ErrThrottled {
		t.Fatalf("address after 5 failures: %v, want ErrThrottled", err)
	}
	if _, _, err := a.Login(ctx, testenv.AdminEmail, testenv.AdminPassword, "192.0.2.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}

	// The window passes.
	c.advance(16 * time.Minute)
	if _, _, err := a.Login(ctx, "carol@example.com", "carol's password", "192.0.2.7"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestUpdateUser(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	checkRoles(t, e, toks, "POST", "/user/nobody@example.com", map[string]any{}, api.RoleAdmin)

	e.Admin("POST", "/user", map[string]any{"email": "bob@example.com", "password": "first password", "roles": []any{"marketer"}}).MustOK(t)
	bob := e.Login("bob@example.com", "first password")
	if r := e.Do("GET", "/event-sources", bob, nil); r.Status != http.StatusForbidden {
		t.Fatalf("marketer reads sources: %d", r.Status)
	}
	// New roles take effect on the user's existing token.
	u := e.Admin("POST", "/user/bob@example.com", map[string]any{"roles": []any{"developer"}, "full_name": "Bob B."}).MustOK(t).Obj()
	if u["full_name"] != "Bob B." || len(u["roles"].([]any)) != 1 || u["roles"].([]any)[0] != "developer" {
		t.Errorf("updated user: %v", u)
	}
	e.Do("GET", "/event-sources", bob, nil).MustOK(t)
	// A new password revokes the user's tokens.
	e.Admin("POST", "/user/bob@example.com", map[string]any{"password": "second password"}).MustOK(t)
	if r := e.Do("GET", "/user/me", bob, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("old token after a password change: %d", r.Status)
	}
	bob = e.Login("bob@example.com", "second password")
	// Disabling logs the user out and refuses logins.
	e.Admin("POST", "/user/bob@example.com", map[string]any{"disabled": true}).MustOK(t)
	if r := e.Do("GET", "/user/me", bob, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("token of a disabled user: %d", r.Status)
	}
	resp, err := http.PostForm(e.URL+"/user/token", url.Values{"username": {"bob@example.com"}, "password": {"second password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("login of a disabled user: %d, want 401", resp.StatusCode)
	}
	// Bad input names the field; admins cannot lock themselves out.
	wantError(t, e.Admin("POST", "/user/bob@example.com", map[string]any{"roles": []any{"boss"}}), http.StatusUnprocessableEntity, "roles[0]")
	wantError(t, e.Admin("POST", "/user/bob@example.com", map[string]any{"password": "short"}), http.StatusUnprocessableEntity, "password")
	wantError(t, e.Admin("POST", "/user/bob@example.com", map[string]any{"nickname": "b"}), http.StatusUnprocessableEntity, "nickname")
	wantError(t, e.Admin("POST", "/user/nobody@example.com", map[string]any{"full_name": "x"}), http.StatusNotFound, "")
	wantError(t, e.Admin("POST", "/user/"+testenv.AdminEmail, map[string]any{"disabled": true}), http.StatusConflict, "")
	wantError(t, e.Admin("POST", "/user/"+testenv.AdminEmail, map[string]any{"roles": []any{"developer"}}), http.StatusConflict, "")
}

func TestChangeOwnPassword(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	other := e.Login("marketer-user@example.com", "password-marketer")
	tok := toks[api.RoleMarketer]
	wantError(t, e.Do("POST", "/user/me/password", tok, map[string]any{"current_password": "wrong", "new_password": "a new password"}), http.StatusUnprocessableEntity, "current_password")
	wantError(t, e.Do("POST", "/user/me/password", tok, map[string]any{"current_password": "password-marketer", "new_password": "short"}), http.StatusUnprocessableEntity, "new_password")
	e.Do("POST", "/user/me/password", tok, map[string]any{"current_password": "password-marketer", "new_password": "a new password"}).MustOK(t)
	e.Do("GET", "/user/me", tok, nil).MustOK(t) // this session stays
	if r := e.Do("GET", "/user/me", other, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the other session survived the password change: %d", r.Status)
	}
	e.Login("marketer-user@example.com", "a new password")
	if r := e.Do("POST", "/user/me/password", "", map[string]any{}); r.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.Status)
	}
}
