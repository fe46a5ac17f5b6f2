// Package cli implements the tracflow command.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/plugin"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // the input is unusable (bad flags, bad JSON, invalid flow)
)

const usage = `tracflow: an open customer data platform

Usage:
  tracflow serve [--addr 127.0.0.1:8686] [--data ./data] [--db postgres://...]
                                   run the server: collector, API and web editor
  tracflow bench --source ID [--url URL] [--duration 20s] [--concurrency 32]
                                   load /track and print events/s and latency
  tracflow backup [--data ./data] FILE
                                   copy the embedded database (and its secret key) while the server runs
  tracflow flow run FLOW.json --event EVENT.json [--profile PROFILE.json] [--session SESSION.json] [--debug]
  tracflow flow lint FLOW.json
  tracflow plugins list [--json]
  tracflow help

Run "tracflow COMMAND -h" for a command's flags.
`

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is an input problem: exit 2 with one line on stderr.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Main runs the command line args and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	err := e.dispatch(args)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	fmt.Fprintln(stderr, "tracflow: "+msg)
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFail
}

func (e *env) dispatch(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usagef("no command given")
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	case "flow":
		if len(args) < 2 {
			return usagef("flow: say \"run\" or \"lint\"")
		}
		switch args[1] {
		case "run":
			return e.flowRun(args[2:])
		case "lint":
			return e.flowLint(args[2:])
		}
		return usagef("flow: unknown subcommand %q (try run or lint)", args[1])
	case "plugins":
		if len(args) < 2 || args[1] != "list" {
			return usagef("plugins: say \"list\"")
		}
		return e.pluginsList(args[2:])
	}
	for _, c := range extraCommands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprint(e.stderr, usage)
	return usagef("unknown command %q", args[0])
}

// extraCommands are registered by other files of the package (serve, bench).
var extraCommands []command

type command struct {
	name string
	run  func(e *env, args []string) error
}

// Registry returns a registry with the installed plugins.
func Registry() (*plugin.Registry, plugin.InstallReport) {
	reg := plugin.NewRegistry()
	rep := reg.Install(actions.Installed())
	return reg, rep
}

// parseFlags parses args with fs, allowing flags after positional arguments
// ("flow run f.json --debug"). It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
