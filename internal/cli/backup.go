package cli

import (
	"context"
	"database/sql"
	"errors"
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

func init() {
	extraCommands = append(extraCommands, command{name: "backup", run: (*env).backup})
}

// backup writes a consistent copy of the embedded database while the
// server may be running: SQLite's VACUUM INTO reads one snapshot (WAL
// readers never block the writer), and the job queue's file likewise. The
// secret key file, without which the copied resource credentials cannot be
// read, is copied beside it.
func (e *env) backup(args []string) error {
	fset := e.newFlagSet("backup")
	data := fset.String("data", envOr("TRACFLOW_DATA", "./data"), "the server's data folder (env TRACFLOW_DATA)")
	db := fset.String("db", envOr("TRACFLOW_DB", ""), "the server's database, as serve's --db (env TRACFLOW_DB)")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: tracflow backup [--data ./data] [--db sqlite:PATH] FILE")
		fmt.Fprintln(e.stderr, "Writes FILE (the database), FILE's name with -jobs.db (the job queue) and FILE.key (the secret key file, when there is one).")
		fset.PrintDefaults()
	}
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		fset.Usage()
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
		os.Remove(to)
		return fmt.Errorf("backup: copy %s into %s: %w", from, to, err)
	}
	if err := os.Chmod(to, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
