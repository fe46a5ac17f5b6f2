// Package cli implements the tracflow command: a table of commands (see
// commands.go), the dispatcher that runs them and the help generated from
// the table.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // the input is unusable (bad flags, bad JSON, invalid flow)
)

// Options is what a tracflow binary is built with. A binary with other
// plugins passes its own list: the command, the server and the catalog use
// only what they are given here.
type Options struct {
	// Plugins are the plugins compiled into the binary: the registry that
	// runs flows and the list Reinstall Plugins installs. Tracflow's own
	// binary passes actions.Installed().
	Plugins []plugin.Installed
	// Stdin, Stdout and Stderr default to the process's.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	plugins        []plugin.Installed
}

// usageError is an input problem: exit 2 with one line on stderr, followed
// by help when the command line itself was wrong (an unknown command or flag).
type usageError struct {
	msg  string
	help string
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// reportedError is a failure already written to the log (JSON logs stay
// JSON only): Main exits without printing it again (2 when it wraps a
// usageError, else 1).
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

// Main runs the command line args (without the program name) and returns the
// exit code: 0 done, 1 failed, 2 unusable input.
func Main(args []string, opt Options) int {
	e := &env{stdin: opt.Stdin, stdout: opt.Stdout, stderr: opt.Stderr, plugins: opt.Plugins}
	if e.stdin == nil {
		e.stdin = os.Stdin
	}
	if e.stdout == nil {
		e.stdout = os.Stdout
	}
	if e.stderr == nil {
		e.stderr = os.Stderr
	}
	err := e.dispatch(args)
	if err == nil {
		return exitOK
	}
	var re *reportedError
	var ue *usageError
	if errors.As(err, &re) {
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitFail
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	fmt.Fprintln(e.stderr, "tracflow: "+msg)
	if errors.As(err, &ue) {
		if ue.help != "" {
			fmt.Fprint(e.stderr, "\n"+ue.help)
		}
		return exitUsage
	}
	return exitFail
}

// registry returns a registry with the binary's plugins.
func (e *env) registry() (*registry.Registry, registry.InstallReport) {
	reg := registry.NewRegistry()
	rep := reg.Install(e.plugins)
	return reg, rep
}

// installed returns the binary's plugin list (for Reinstall Plugins).
func (e *env) installed() []plugin.Installed { return e.plugins }

// parseFlags parses args with fs, allowing flags after positional arguments
// ("flow run f.json --debug"). It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
