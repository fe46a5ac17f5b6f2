package bootstrap_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/bootstrap"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"golang.org/x/crypto/bcrypt"
)

func TestFirstStartChecksTheAdminPassword(t *testing.T) {
	ctx := context.Background()
	st, err := open.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat := catalog.New(st, registry.NewRegistry(), nil)
	accounts := auth.NewAuth(st, time.Hour)
	accounts.Cost = bcrypt.MinCost
	for _, c := range []struct{ pw, want string }{
		{"a", "too short"},
		{"password1234", "commonly used"},
		{"admin@example.com", "e-mail"},
	} {
		_, err := bootstrap.FirstStart(ctx, st, cat, accounts, "admin@example.com", c.pw, false)
		if err == nil || !strings.Contains(err.Error(), "TRACFLOW_ADMIN_PASSWORD") || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("first start with TRACFLOW_ADMIN_PASSWORD=%q: %v; want an error naming the variable and saying %q", c.pw, err, c.want)
		}
		if users, _ := st.ListConfig(ctx, auth.KindUser); len(users) != 0 {
			t.Fatalf("a refused admin password still created %d user(s)", len(users))
		}
	}
	res, err := bootstrap.FirstStart(ctx, st, cat, accounts, "admin@example.com", "correct horse battery staple", false)
	if err != nil || res == nil || res.GeneratedPassword != "" {
		t.Fatalf("first start with a good password: %+v, %v", res, err)
	}
	// A generated password passes the rules too.
	st2, err := open.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	res, err = bootstrap.FirstStart(ctx, st2, catalog.New(st2, registry.NewRegistry(), nil), auth.NewAuth(st2, time.Hour), "", "", false)
	if err != nil || res.GeneratedPassword == "" {
		t.Fatalf("first start with a generated password: %+v, %v", res, err)
	}
}

func newStore(t *testing.T) (store.Store, *auth.Auth) {
	t.Helper()
	st, err := open.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	accounts := auth.NewAuth(st, time.Hour)
	accounts.Cost = bcrypt.MinCost
	return st, accounts
}

func canLogin(t *testing.T, accounts *auth.Auth, email, password string) bool {
	t.Helper()
	_, _, err := accounts.Login(context.Background(), email, password, "127.0.0.1")
	return err == nil
}

// TestAdminPasswordAppliesUntilChanged: a later start with
// TRACFLOW_ADMIN_PASSWORD sets the admin's password while it is still the one
// a start set (a generated password nobody saw), and not once the admin
// changed it.
func TestAdminPasswordAppliesUntilChanged(t *testing.T) {
	ctx := context.Background()
	st, accounts := newStore(t)
	first, err := bootstrap.FirstStart(ctx, st, nil, accounts, "", "", false)
	if err != nil || first == nil || first.GeneratedPassword == "" {
		t.Fatalf("first start: %+v %v", first, err)
	}
	if again, err := bootstrap.FirstStart(ctx, st, nil, accounts, "", "other password 123", false); again != nil || err != nil {
		t.Fatalf("a second first start: %+v %v", again, err)
	}

	did, who, err := bootstrap.AdminPassword(ctx, st, accounts, "")
	if did != bootstrap.PasswordUnchanged || who != "" || err != nil {
		t.Fatalf("no variable: %v %v", did, err)
	}
	const chosen = "chosen after a lost start"
	did, who, err = bootstrap.AdminPassword(ctx, st, accounts, chosen)
	if did != bootstrap.PasswordApplied || who != "admin@localhost" || err != nil {
		t.Fatalf("lost generated password: %v %q %v", did, who, err)
	}
	if !canLogin(t, accounts, "admin@localhost", chosen) || canLogin(t, accounts, "admin@localhost", first.GeneratedPassword) {
		t.Fatal("the chosen password does not replace the generated one")
	}
	// The same variable on the next start: nothing to do.
	if did, _, _ = bootstrap.AdminPassword(ctx, st, accounts, chosen); did != bootstrap.PasswordUnchanged {
		t.Errorf("same password again: %v", did)
	}
	// Another one while the admin still has not changed it: applied.
	if did, _, _ = bootstrap.AdminPassword(ctx, st, accounts, "a second choice 456"); did != bootstrap.PasswordApplied {
		t.Errorf("a new variable before any change: %v", did)
	}
	// A weak one is refused and changes nothing.
	if _, _, err = bootstrap.AdminPassword(ctx, st, accounts, "a"); err == nil {
		t.Error("a one-letter password was applied")
	}
	if !canLogin(t, accounts, "admin@localhost", "a second choice 456") {
		t.Error("a refused password changed the admin's")
	}

	// The admin changes the password through the API: the variable no
	// longer applies.
	mine := "the admin's own choice"
	if _, err := accounts.UpdateUser(ctx, "admin@localhost", auth.UserChange{Password: &mine}, ""); err != nil {
		t.Fatal(err)
	}
	did, _, err = bootstrap.AdminPassword(ctx, st, accounts, chosen)
	if did != bootstrap.PasswordIgnored || err != nil {
		t.Errorf("after the admin's change: %v %v", did, err)
	}
	if !canLogin(t, accounts, "admin@localhost", mine) {
		t.Error("a start overwrote the password the admin chose")
	}
}
