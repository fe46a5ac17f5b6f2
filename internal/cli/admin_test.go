package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
	"github.com/tracflow/tracflow/internal/store/storetest"
	"github.com/tracflow/tracflow/internal/testenv"
)

// runIn runs the command with stdin.
func runIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Options{Plugins: actions.Installed(), Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// loginStatus tries a login on the server and returns the status code.
func loginStatus(t *testing.T, base, email, password string) int {
	t.Helper()
	resp, err := http.PostForm(base+"/user/token", url.Values{"username": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// testResetPassword resets the admin's password in a database with the
// command; login tries a password on that database.
func testResetPassword(t *testing.T, where []string, login func(password string) bool) {
	t.Setenv("TRACFLOW_ADMIN_PASSWORD", "")
	const next = "a new long passphrase 42"
	args := append([]string{"admin", "reset-password", testenv.AdminEmail}, where...)

	// A weak password changes nothing.
	code, _, errs := runIn(t, "short\n", args...)
	if code != 2 || !strings.Contains(errs, "password") {
		t.Fatalf("weak password: exit %d %q", code, errs)
	}
	// An unknown user changes nothing and the message lists the users.
	code, _, errs = runIn(t, next+"\n", "admin", "reset-password", "nobody@example.com", where[0], where[1])
	if code != 2 || !strings.Contains(errs, `no user "nobody@example.com"`) || !strings.Contains(errs, testenv.AdminEmail) {
		t.Fatalf("unknown user: exit %d %q", code, errs)
	}
	if !login(testenv.AdminPassword) {
		t.Fatalf("the old password stopped working after refused resets")
	}

	code, out, errs := runIn(t, next+"\n", args...)
	if code != 0 || !strings.Contains(out, "is changed") {
		t.Fatalf("reset: exit %d %q %q", code, out, errs)
	}
	if !login(next) {
		t.Errorf("login with the new password failed")
	}
	if login(testenv.AdminPassword) {
		t.Errorf("the old password still works")
	}

	// From the environment, as the server reads it.
	const third = "from the environment 7"
	t.Setenv("TRACFLOW_ADMIN_PASSWORD", third)
	if code, _, errs := runIn(t, "", args...); code != 0 {
		t.Fatalf("reset from TRACFLOW_ADMIN_PASSWORD: exit %d %q", code, errs)
	}
	if !login(third) {
		t.Errorf("login with the password from the environment failed")
	}
	// --password-stdin prefers standard input to the variable.
	if code, _, errs := runIn(t, next+"\n", append(args, "--password-stdin")...); code != 0 {
		t.Fatalf("reset --password-stdin: exit %d %q", code, errs)
	}
	if !login(next) {
		t.Errorf("login after --password-stdin failed")
	}
}

// TestAdminResetPasswordSQLite: the embedded database is opened by one
// process at a time, so each login opens it as the server would.
func TestAdminResetPasswordSQLite(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	withStore := func(f func(st store.Store)) {
		st, err := open.Open(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		f(st)
	}
	withStore(func(st store.Store) {
		if _, err := auth.NewAuth(st, time.Hour).CreateUser(ctx, testenv.AdminEmail, testenv.AdminPassword, "Admin", auth.AllRoles); err != nil {
			t.Fatal(err)
		}
	})
	testResetPassword(t, []string{"--data", dir}, func(password string) (ok bool) {
		withStore(func(st store.Store) {
			_, _, err := auth.NewAuth(st, time.Hour).Login(ctx, testenv.AdminEmail, password, "127.0.0.1")
			ok = err == nil
		})
		return ok
	})

	// While a server holds the database, the command says to stop it.
	withStore(func(store.Store) {
		code, _, errs := runIn(t, "a long enough password\n", "admin", "reset-password", testenv.AdminEmail, "--data", dir)
		if code != 1 || !strings.Contains(errs, "stop tracflow serve") {
			t.Errorf("database in use: exit %d %q", code, errs)
		}
	})
}

// TestAdminResetPasswordPostgres resets the password under a running
// server, which then logs the admin in with it.
func TestAdminResetPasswordPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	e := testenv.New(t, testenv.Options{DSN: dsn})
	testResetPassword(t, []string{"--db", dsn}, func(password string) bool {
		return loginStatus(t, e.URL, testenv.AdminEmail, password) == 200
	})
}

func TestAdminResetPasswordCreatesNoDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not-here")
	code, _, errs := runIn(t, "a long enough password\n", "admin", "reset-password", "admin@localhost", "--data", dir)
	if code != 2 || !strings.Contains(errs, "no database at "+filepath.Join(dir, "tracflow.db")) {
		t.Errorf("exit %d %q", code, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the command created %s: %v", dir, err)
	}
	if code, _, errs := runIn(t, "", "admin", "reset-password", "admin@localhost", "--data", t.TempDir()); code != 2 || !strings.Contains(errs, "no database") {
		t.Errorf("empty folder: exit %d %q", code, errs)
	}
	if code, _, errs := runIn(t, "x\n", "admin", "reset-password", "a@b", "secret-on-the-command-line"); code != 2 || !strings.Contains(errs, "exactly one EMAIL") {
		t.Errorf("a password argument: exit %d %q", code, errs)
	}
}
