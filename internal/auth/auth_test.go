package auth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/store/sqlite"
	"github.com/tracflow/tracflow/plugin"
)

func TestParseTrustedProxies(t *testing.T) {
	ps, err := auth.ParseTrustedProxies(" 10.0.0.0/8,192.168.1.5 , fd00::/8,")
	if err != nil || len(ps) != 3 || ps[1].String() != "192.168.1.5/32" {
		t.Fatalf("ParseTrustedProxies = %v, %v", ps, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0"} {
		if _, err := auth.ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseTrustedProxies(%q) = %v, want an error naming it", bad, err)
		}
	}
}

// TestServiceErrors: the service's refusals are errors the HTTP layer tells
// apart with errors.Is/As: ErrUnauthenticated (401) for credentials that do
// not hold, plugin.FieldErrors (422) naming the field for a bad password.
func TestServiceErrors(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tracflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := auth.NewAuth(st, time.Hour)
	a.Cost = bcrypt.MinCost
	var fe plugin.FieldError
	if _, err := a.CreateUser(ctx, "ann@example.com", "short", "Ann", []string{auth.RoleAdmin}); !errors.As(err, &fe) || fe.Field != "password" {
		t.Errorf("a short password: %v, want a FieldError at password", err)
	}
	if _, err := a.CreateUser(ctx, "ann@example.com", "a long and fine passphrase", "Ann", []string{auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Login(ctx, "ann@example.com", "wrong passphrase here", "127.0.0.1"); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("a wrong password: %v, want ErrUnauthenticated", err)
	}
	tok, _, err := a.Login(ctx, "ANN@example.com", "a long and fine passphrase", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/user/me", nil)
	if _, err := a.Authenticate(req); !errors.Is(err, auth.ErrUnauthenticated) || !strings.Contains(err.Error(), "Bearer") {
		t.Errorf("no token: %v, want ErrUnauthenticated saying how to send one", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if u, err := a.Authenticate(req); err != nil || u.ID != "ann@example.com" {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}
	if err := a.CheckOwnPassword(ctx, "ann@example.com", "not it at all", "127.0.0.1"); !errors.As(err, &fe) || fe.Field != "current_password" {
		t.Errorf("a wrong current password: %v, want a FieldError at current_password", err)
	}
	if err := a.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(req); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("after logout: %v, want ErrUnauthenticated", err)
	}
}
