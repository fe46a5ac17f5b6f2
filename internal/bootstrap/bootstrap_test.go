package bootstrap_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/internal/api"
	"github.com/tracflow/tracflow/internal/bootstrap"
	"github.com/tracflow/tracflow/internal/catalog"
	"github.com/tracflow/tracflow/internal/registry"
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
	auth := api.NewAuth(st, time.Hour)
	auth.Cost = bcrypt.MinCost
	for _, c := range []struct{ pw, want string }{
		{"a", "too short"},
		{"password1234", "commonly used"},
		{"admin@example.com", "e-mail"},
	} {
		_, err := bootstrap.FirstStart(ctx, st, cat, auth, "admin@example.com", c.pw, false)
		if err == nil || !strings.Contains(err.Error(), "TRACFLOW_ADMIN_PASSWORD") || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("first start with TRACFLOW_ADMIN_PASSWORD=%q: %v; want an error naming the variable and saying %q", c.pw, err, c.want)
		}
		if users, _ := st.ListConfig(ctx, api.KindUser); len(users) != 0 {
			t.Fatalf("a refused admin password still created %d user(s)", len(users))
		}
	}
	res, err := bootstrap.FirstStart(ctx, st, cat, auth, "admin@example.com", "correct horse battery staple", false)
	if err != nil || res == nil || res.GeneratedPassword != "" {
		t.Fatalf("first start with a good password: %+v, %v", res, err)
	}
	// A generated password passes the rules too.
	st2, err := open.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	res, err = bootstrap.FirstStart(ctx, st2, catalog.New(st2, registry.NewRegistry(), nil), api.NewAuth(st2, time.Hour), "", "", false)
	if err != nil || res.GeneratedPassword == "" {
		t.Fatalf("first start with a generated password: %+v, %v", res, err)
	}
}
