package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/tracflow/tracflow/internal/auth"
	"github.com/tracflow/tracflow/internal/password"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/open"
)

func adminResetPasswordCommand() *command {
	return &command{
		name:  "admin reset-password",
		usage: "EMAIL [--db postgres://...] [--data ./data] [--password-stdin]",
		short: "set a user's password in the database (for a lost admin password)",
		long: `Sets the password of the user EMAIL directly in the database, and logs out that
user's sessions. Use it when the admin's password is lost. It works on the
embedded SQLite database (in --data; stop the server first, as only one process
opens it) and on PostgreSQL (--db; the servers may run), and applies the same
password rules as the server.

The new password is never taken from the command line. It is read from
TRACFLOW_ADMIN_PASSWORD when that is set (unless --password-stdin), otherwise
from standard input: typed twice at a terminal, or the first line of a pipe:

  printf '%s\n' "$NEW_PASSWORD" | tracflow admin reset-password admin@localhost --password-stdin`,
		env: true,
		flags: func(fs *flag.FlagSet) runFunc {
			var o resetOptions
			fs.StringVar(&o.data, "data", "./data", "data folder of the embedded database (as given to serve)")
			fs.StringVar(&o.db, "db", "", "database: empty for the embedded SQLite in --data, or postgres://... (as given to serve)")
			fs.BoolVar(&o.stdin, "password-stdin", false, "read the password from standard input even when TRACFLOW_ADMIN_PASSWORD is set")
			return func(e *env, args []string) error { return e.resetPassword(&o, args) }
		},
	}
}

// resetOptions are the flags of admin reset-password.
type resetOptions struct {
	data, db string
	stdin    bool
}

func (e *env) resetPassword(o *resetOptions, args []string) error {
	if len(args) != 1 {
		return usagef("admin reset-password: give exactly one EMAIL (the password is read from standard input or TRACFLOW_ADMIN_PASSWORD, never from the command line)")
	}
	email := args[0]
	backend, file := open.Classify(o.db, o.data)
	if backend == open.SQLite {
		// Never create an empty database here: a wrong --data is a mistake.
		if _, err := os.Stat(file); err != nil {
			return usagef("admin reset-password: no database at %s (%v): give the --data folder (or --db) the server uses", file, err)
		}
	}
	pw, err := e.newPassword(o.stdin, email)
	if err != nil {
		return err
	}
	if err := password.Validate(pw, email); err != nil {
		return usagef("admin reset-password: the new %v", err)
	}
	ctx := context.Background()
	st, err := open.Open(ctx, o.db, o.data)
	if err != nil {
		if backend == open.SQLite {
			return fmt.Errorf("opening the database: %w (the embedded database has one user at a time: stop tracflow serve, then run this again)", err)
		}
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	accounts := auth.NewAuth(st, time.Hour)
	u, err := accounts.UpdateUser(ctx, email, auth.UserChange{Password: &pw}, "")
	if errors.Is(err, store.ErrNotFound) {
		return usagef("admin reset-password: no user %q in this database%s", email, knownUsers(ctx, st))
	}
	if err != nil {
		return fmt.Errorf("admin reset-password: %w", err)
	}
	fmt.Fprintf(e.stdout, "The password of %s is changed; their sessions are logged out.\n", u.Email)
	return nil
}

// knownUsers lists the stored users' e-mails, for an error message.
func knownUsers(ctx context.Context, st store.Store) string {
	docs, err := st.ListConfig(ctx, auth.KindUser)
	if err != nil || len(docs) == 0 {
		return ""
	}
	var ids []string
	for _, d := range docs {
		if id, _ := d["id"].(string); id != "" {
			ids = append(ids, id)
		}
	}
	return "; its users are: " + strings.Join(ids, ", ")
}

// newPassword reads the new password: TRACFLOW_ADMIN_PASSWORD unless
// fromStdin, else standard input (at a terminal: typed twice, not echoed).
func (e *env) newPassword(fromStdin bool, email string) (string, error) {
	if v := os.Getenv("TRACFLOW_ADMIN_PASSWORD"); v != "" && !fromStdin {
		return v, nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(e.stderr, "New password for %s: ", email)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", usagef("admin reset-password: the two passwords differ; nothing changed")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("admin reset-password: no password on standard input (pipe it in, or set TRACFLOW_ADMIN_PASSWORD)")
	}
	return line, nil
}
