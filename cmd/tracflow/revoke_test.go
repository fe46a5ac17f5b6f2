package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/tracflow/tracflow/internal/store/storetest"
)

// login logs in at base; it answers the status and the token.
func login(t *testing.T, base, email, password string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(base+"/user/token", url.Values{"username": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, ""
	}
	var out struct {
		Token string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	tok := out.Token
	return resp.StatusCode, tok
}

// TestTwoServersRevokeAtOnce runs two `tracflow serve` processes on one
// PostgreSQL database: a user deleted, disabled or given other roles on one
// applies on the other with the very next request (no cache delay), and
// failed logins count on both.
func TestTwoServersRevokeAtOnce(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // a fresh schema; skips without a server
	t.Setenv("TRACFLOW_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	a := startServer(t, "--db", dsn, "--no-demo")
	admin := a.token()
	b := startServer(t, "--db", dsn, "--no-demo")

	const ann, pw = "ann@example.com", "ann's long password"
	if code, r := call(t, "POST", a.url+"/user", admin, map[string]any{"email": ann, "password": pw, "roles": []any{"developer"}}); code != 200 {
		t.Fatalf("create user on A: %d %v", code, r)
	}
	code, tok := login(t, b.url, ann, pw)
	if code != 200 {
		t.Fatalf("login on B: %d", code)
	}
	expect := func(step, method, path string, want int) {
		t.Helper()
		if code, r := call(t, method, b.url+path, tok, nil); code != want {
			t.Fatalf("%s: %s %s on B = %d %v, want %d", step, method, path, code, r, want)
		}
	}
	expect("developer", "GET", "/event-sources", 200) // cached on B from here on
	expect("developer", "GET", "/users", 403)

	// Role changes on A apply on B at once.
	if code, r := call(t, "POST", a.url+"/user/"+ann, admin, map[string]any{"roles": []any{"marketer"}}); code != 200 {
		t.Fatalf("role change on A: %d %v", code, r)
	}
	expect("made a marketer on A", "GET", "/event-sources", 403)
	if code, r := call(t, "POST", a.url+"/user/"+ann, admin, map[string]any{"roles": []any{"admin"}}); code != 200 {
		t.Fatalf("role change on A: %d %v", code, r)
	}
	expect("made an admin on A", "GET", "/users", 200)

	// Disabled on A: the token fails on B at once.
	if code, r := call(t, "POST", a.url+"/user/"+ann, admin, map[string]any{"disabled": true}); code != 200 {
		t.Fatalf("disable on A: %d %v", code, r)
	}
	expect("disabled on A", "GET", "/user/me", 401)
	call(t, "POST", a.url+"/user/"+ann, admin, map[string]any{"disabled": false})

	// Deleted on A: the token fails on B at once.
	if code, tok = login(t, b.url, ann, pw); code != 200 {
		t.Fatalf("login on B again: %d", code)
	}
	expect("logged in again", "GET", "/user/me", 200)
	if code, r := call(t, "DELETE", a.url+"/user/"+ann, admin, nil); code != 200 {
		t.Fatalf("delete on A: %d %v", code, r)
	}
	expect("deleted on A", "GET", "/user/me", 401)

	// A logout on A ends the token on B too.
	_, tokA := login(t, a.url, adminEmail, adminPassword)
	if code, _ := call(t, "GET", b.url+"/user/me", tokA, nil); code != 200 {
		t.Fatalf("A's token on B: %d", code)
	}
	call(t, "DELETE", a.url+"/user/token", tokA, nil)
	if code, _ := call(t, "GET", b.url+"/user/me", tokA, nil); code != 401 {
		t.Fatalf("token logged out on A still works on B: %d", code)
	}

	// Failed logins count across instances: 3 on A and 2 on B make 5, and
	// the sixth, on A, waits.
	for i, s := range []*server{a, a, a, b, b} {
		if code, _ := login(t, s.url, adminEmail, "wrong password"); code != 401 {
			t.Fatalf("failure %d: %d, want 401", i+1, code)
		}
	}
	if code, _ := login(t, a.url, adminEmail, adminPassword); code != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures over two instances: %d, want 429", code)
	}
}
