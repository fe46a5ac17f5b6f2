package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracflow/tracflow/internal/jobs"
	"github.com/tracflow/tracflow/internal/secrets"
	"github.com/tracflow/tracflow/internal/store/open"
)

func backupCommand() *command {
	return &command{
		name:  "backup",
		usage: "[--data ./data] [--db sqlite:PATH] FILE",
		short: "copy the embedded database (and its secret key) while the server runs",
		long: `Writes a consistent copy of the embedded database while the server may be
running: SQLite's VACUUM INTO reads one snapshot (WAL readers never block the
writer), and the job queue's file likewise. It writes FILE (the database),
FILE's name with -jobs.db (the job queue) and FILE.key (the secret key file,
without which the copied resource credentials cannot be read, when there is
one). With PostgreSQL use pg_dump instead.`,
		env: true,
		flags: func(fs *flag.FlagSet) runFunc {
			var o backupOptions
			fs.StringVar(&o.data, "data", "./data", "the server's data folder")
			fs.StringVar(&o.db, "db", "", "the server's database, as serve's --db")
			return func(e *env, args []string) error { return e.backup(&o, args) }
		},
	}
}

// backupOptions are the flags of backup.
type backupOptions struct{ data, db string }

// backup writes a consistent copy of the embedded database and its job
// queue, and copies the secret key file beside it.
func (e *env) backup(o *backupOptions, pos []string) error {
	data, db := &o.data, &o.db
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef("backup: name one FILE to write")
	}
	out := pos[0]
	backend, path := open.Classify(*db, *data)
	switch backend {
	case open.PostgreSQL:
		return usagef("backup: the database is PostgreSQL: back it up with pg_dump (e.g. pg_dump -Fc -f tracflow.dump DSN), and keep %s with it", secrets.EnvVar)
	case open.Unknown:
		return usagef("backup: --db: unknown database %q", *db)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: the database %s: %w", path, err)
	}
	targets := []struct{ from, to string }{{path, out}, {jobs.QueueFile(path), jobs.QueueFile(out)}}
	for _, t := range targets {
		if _, err := os.Stat(t.to); err == nil {
			return usagef("backup: %s exists: name a new file", t.to)
		}
	}
	ctx := context.Background()
	for _, t := range targets {
		if _, err := os.Stat(t.from); errors.Is(err, fs.ErrNotExist) && t.from != path {
			continue // no queue yet
		}
		if err := vacuumInto(ctx, t.from, t.to); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", t.to)
	}
	if os.Getenv(secrets.EnvVar) != "" {
		fmt.Fprintf(e.stdout, "the secret key comes from %s: keep its value with the backup, or resource credentials cannot be read\n", secrets.EnvVar)
		return nil
	}
	key := filepath.Join(*data, secrets.KeyFile)
	b, err := os.ReadFile(key)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stdout, "no secret key file in %s: the backup holds no readable resource credentials\n", *data)
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: the secret key: %w", err)
	}
	if err := os.WriteFile(out+".key", b, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s (the secret key that encrypts resource credentials: restore it as %s, and keep it apart from the database copy)\n", out+".key", secrets.KeyFile)
	return nil
}

// vacuumInto copies the SQLite database at from into a new file to.
func vacuumInto(ctx context.Context, from, to string) error {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: from}).EscapedPath()+"?"+v.Encode())
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", from, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		_ = os.Remove(to) // a partial copy, if any; the copy's error is the one to report
		return fmt.Errorf("backup: copy %s into %s: %w", from, to, err)
	}
	if err := os.Chmod(to, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
