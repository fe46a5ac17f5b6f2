package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/auth"
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
	r := e.Admin("POST", "/user", map[string]any{"email": "Ann@Example.com", "password": "long enough now", "full_name": "Ann", "roles": []any{"marketer", "developer", "marketer"}}).MustOK(t)
	u := r.Obj()
	if u["id"] != "ann@example.com" || u["full_name"] != "Ann" || len(u["roles"].([]any)) != 2 {
		t.Fatalf("created user: %s", r.Raw)
	}
	if strings.Contains(string(r.Raw), "password") || strings.Contains(string(r.Raw), "$2a$") {
		t.Errorf("the answer carries the password or its hash: %s", r.Raw)
	}
	wantError(t, e.Admin("POST", "/user", map[string]any{"email": "ann@example.com", "password": "another one here", "roles": []any{"admin"}}), http.StatusConflict, "")

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
	tok := e.Login("ann@example.com", "long enough now")
	if r := e.Do("GET", "/user/me", tok, nil).MustOK(t); r.Obj()["id"] != "ann@example.com" {
		t.Fatalf("me: %s", r.Raw)
	}
	e.Admin("DELETE", "/user/ann@example.com", nil).MustOK(t)
	if r := e.Do("GET", "/user/me", tok, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("token of a deleted user: %d %s", r.Status, r.Raw)
	}
	toks, _ := e.Store.ListConfig(context.Background(), auth.KindToken)
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
		b := map[string]any{"email": "bob@example.com", "password": "tram-ink-owl-42", "full_name": "Bob", "roles": []any{"developer"}}
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
		{"short password", good(map[string]any{"password": "tram-ink-ow"}), 422, "password"},
		{"no password", good(map[string]any{"password": nil}), 422, "password"},
		{"password too long", good(map[string]any{"password": strings.Repeat("xy", 128) + "z"}), 422, "password"},
		{"common password", good(map[string]any{"password": "qwerty123456"}), 422, "password"},
		{"common password with digits added", good(map[string]any{"password": "football2024!"}), 422, "password"},
		{"the e-mail as password", good(map[string]any{"password": "Bob@Example.com"}), 422, "password"},
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
	// Long passwords (past bcrypt's 72 bytes) and any script work; length
	// counts characters, not bytes.
	long := strings.Repeat("long passphrase ", 15) // 240 characters
	e.Admin("POST", "/user", map[string]any{"email": "long@example.com", "password": long, "roles": []any{"developer"}}).MustOK(t)
	e.Login("long@example.com", long)
	if r := loginForm(t, e, "long@example.com", long[:72]); r.Status != http.StatusUnauthorized {
		t.Errorf("the first 72 bytes of a long password log in: %d", r.Status)
	}
	kanji := "東京都渋谷区神宮前六丁目" // 12 characters, 36 bytes
	e.Admin("POST", "/user", map[string]any{"email": "kanji@example.com", "password": kanji, "roles": []any{"developer"}}).MustOK(t)
	e.Login("kanji@example.com", kanji)
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

func TestLoginThrottledPerAccountAndAddress(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	a := e.Server.Auth()
	c := &clock{t: time.Now()}
	a.SetClock(c.now)
	ctx := context.Background()
	if _, err := a.CreateUser(ctx, "carol@example.com", "carol's password", "Carol", []string{"marketer"}); err != nil {
		t.Fatal(err)
	}
	throttled := func(err error) bool { return errors.Is(err, auth.ErrThrottled) }

	// An attacker at one address fails 5 times on carol's account...
	for i := range 5 {
		if _, _, err := a.Login(ctx, "carol@example.com", "wrong", "192.0.2.66"); err == nil || throttled(err) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// ...and is held back there, for 5 seconds at first.
	_, _, err := a.Login(ctx, "carol@example.com", "carol's password", "192.0.2.66")
	var te *auth.ThrottledError
	if !errors.As(err, &te) || te.RetryAfter != 5*time.Second {
		t.Fatalf("6th attempt from the attacker's address: %v, want throttled for 5s", err)
	}
	// Carol, at her own address, is not locked out; nor is another
	// account at the attacker's address.
	if _, _, err := a.Login(ctx, "carol@example.com", "carol's password", "10.0.0.1"); err != nil {
		t.Fatalf("the real user at another address: %v", err)
	}
	if _, _, err := a.Login(ctx, testenv.AdminEmail, testenv.AdminPassword, "192.0.2.66"); err != nil {
		t.Fatalf("another account from the attacker's address: %v", err)
	}
	// The wait doubles with each failure, up to 15 minutes.
	wait := 5 * time.Second
	for range 10 {
		c.advance(wait)
		if _, _, err := a.Login(ctx, "carol@example.com", "wrong", "192.0.2.66"); err == nil || throttled(err) {
			t.Fatalf("attempt after waiting %v: %v", wait, err)
		}
		wait = min(2*wait, 15*time.Minute)
		_, _, err := a.Login(ctx, "carol@example.com", "wrong", "192.0.2.66")
		if !errors.As(err, &te) || te.RetryAfter != wait {
			t.Fatalf("attempt right after: %v, want throttled for %v", err, wait)
		}
	}
	if wait != 15*time.Minute {
		t.Fatalf("the wait grew to %v, want capped at 15m", wait)
	}
	// A success clears the count.
	c.advance(wait)
	if _, _, err := a.Login(ctx, "carol@example.com", "carol's password", "192.0.2.66"); err != nil {
		t.Fatalf("after the wait, the right password: %v", err)
	}
	for i := range 5 {
		if _, _, err := a.Login(ctx, "carol@example.com", "wrong", "192.0.2.66"); err == nil || throttled(err) {
			t.Fatalf("failure %d after a success: %v", i+1, err)
		}
	}
}

// TestLoginThrottleHTTP: 429 with Retry-After, per client address, with
// X-Forwarded-For believed only from trusted proxies.
func TestLoginThrottleHTTP(t *testing.T) {
	proxies, err := auth.ParseTrustedProxies("127.0.0.1/32, ::1")
	if err != nil {
		t.Fatal(err)
	}
	e := testenv.New(t, testenv.Options{API: api.Options{TrustedProxies: proxies}})
	post := func(user, pw, xff string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", e.URL+"/user/token", strings.NewReader(url.Values{"username": {user}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	// The client names itself first; the proxy (trusted) appended the
	// attacker's real address.
	for range 5 {
		if r := post(testenv.AdminEmail, "wrong", "10.1.1.1, 203.0.113.9"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", r.StatusCode)
		}
	}
	r := post(testenv.AdminEmail, testenv.AdminPassword, "10.1.1.1, 203.0.113.9")
	if ra := r.Header.Get("Retry-After"); r.StatusCode != http.StatusTooManyRequests || ra != "5" && ra != "4" {
		t.Fatalf("6th attempt: %d Retry-After %q, want 429 and 5 seconds", r.StatusCode, ra)
	}
	// The forged left-most entry changes nothing: still the same client.
	if r := post(testenv.AdminEmail, testenv.AdminPassword, "10.9.9.9, 203.0.113.9"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For escaped the throttle: %d", r.StatusCode)
	}
	// The admin behind the same proxy, from another address, logs in.
	if r := post(testenv.AdminEmail, testenv.AdminPassword, "198.51.100.4"); r.StatusCode != http.StatusOK {
		t.Fatalf("the admin from another address: %d", r.StatusCode)
	}

	// Without trusted proxies the header is ignored: every request is the
	// peer's, whatever it claims.
	e2 := testenv.New(t, testenv.Options{})
	e.URL = e2.URL
	for i := range 5 {
		post(testenv.AdminEmail, "wrong", fmt.Sprintf("203.0.113.%d", i))
	}
	if r := post(testenv.AdminEmail, testenv.AdminPassword, "198.51.100.4"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("an untrusted peer changed its address with X-Forwarded-For: %d", r.StatusCode)
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
	wantError(t, e.Admin("POST", "/user/bob@example.com", map[string]any{"password": "password1234"}), http.StatusUnprocessableEntity, "password")
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
	wantError(t, e.Do("POST", "/user/me/password", tok, map[string]any{"current_password": "password-marketer", "new_password": "letmein12345"}), http.StatusUnprocessableEntity, "new_password")
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

// TestChangeOwnPasswordThrottled: wrong current passwords count as failed
// logins of the account from that address.
func TestChangeOwnPasswordThrottled(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	toks := roleUsers(t, e)
	tok := toks[api.RoleMarketer]
	for range 5 {
		wantError(t, e.Do("POST", "/user/me/password", tok, map[string]any{"current_password": "guess", "new_password": "a new password"}), http.StatusUnprocessableEntity, "current_password")
	}
	r := e.Do("POST", "/user/me/password", tok, map[string]any{"current_password": "password-marketer", "new_password": "a new password"})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("6th try: %d %s, want 429 with Retry-After", r.Status, r.Raw)
	}
	// Logins of that account from that address wait too.
	if lr := loginForm(t, e, "marketer-user@example.com", "password-marketer"); lr.Status != http.StatusTooManyRequests {
		t.Fatalf("login after 5 wrong current passwords: %d", lr.Status)
	}
}
