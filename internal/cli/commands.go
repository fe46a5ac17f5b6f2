package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/peterbourgon/ff/v3"
)

// command is one entry of the command table. The dispatcher, the usage text
// and every --help come from it; adding a command is adding an entry.
type command struct {
	// name is the words that select the command: "serve", or "flow run"
	// for a subcommand of the "flow" group.
	name string
	// usage is what follows the name in a synopsis, e.g.
	// "FLOW.json --event EVENT.json [flags]".
	usage string
	// short is one line for the command list; long is the help's text.
	short, long string
	// env: every flag is also read from TRACFLOW_<FLAG> (dashes become
	// underscores), below the command line and above the config file.
	env bool
	// config: a --config FILE flag names a file of settings (see
	// configParser), below the command line and the environment.
	config bool
	// flags defines the command's flags on fs and returns the function
	// that runs the command with them, given the positional arguments.
	flags func(fs *flag.FlagSet) runFunc
}

// runFunc runs a command whose flags are parsed.
type runFunc func(e *env, args []string) error

// envPrefix prefixes the environment variable of a flag.
const envPrefix = "TRACFLOW"

// commands is the command table, in the order the usage lists it.
func commands() []*command {
	return []*command{
		serveCommand(),
		benchCommand(),
		flowRunCommand(),
		flowLintCommand(),
		pluginsListCommand(),
		pluginNewCommand(),
		backupCommand(),
		deliverCommand(),
		adminResetPasswordCommand(),
		healthcheckCommand(),
		versionCommand(),
	}
}

// envName is the environment variable that sets the flag.
func envName(flagName string) string {
	return envPrefix + "_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(flagName))
}

// lookup finds the command args start with (the longest name wins) and
// returns it with the remaining arguments. When no command matches, group
// is set if args[0] names a group of subcommands ("flow").
func lookup(table []*command, args []string) (c *command, rest []string, group string) {
	best := 0
	for _, cmd := range table {
		words := strings.Fields(cmd.name)
		if len(words) > len(args) || len(words) <= best {
			continue
		}
		match := true
		for i, w := range words {
			if args[i] != w {
				match = false
				break
			}
		}
		if match {
			c, rest, best = cmd, args[len(words):], len(words)
		}
	}
	if c != nil || len(args) == 0 {
		return c, rest, ""
	}
	if len(groupMembers(table, args[0])) > 0 {
		return nil, args[1:], args[0]
	}
	return nil, nil, ""
}

// groupMembers lists the subcommands of a group.
func groupMembers(table []*command, group string) []*command {
	var out []*command
	for _, c := range table {
		if strings.HasPrefix(c.name, group+" ") {
			out = append(out, c)
		}
	}
	return out
}

func isHelpArg(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

func (e *env) dispatch(args []string) error {
	table := commands()
	if len(args) == 0 {
		return &usageError{msg: "no command given", help: overview(table)}
	}
	switch {
	case args[0] == "help" || isHelpArg(args[0]):
		return e.help(table, args[1:])
	case args[0] == "--version" || args[0] == "-version":
		args = []string{"version"}
	}
	c, rest, group := lookup(table, args)
	if c != nil {
		return e.run(c, rest)
	}
	if group != "" {
		names := subNames(table, group)
		switch {
		case len(rest) == 0:
			return &usageError{msg: fmt.Sprintf("%s: say which: %s", group, names), help: groupHelp(table, group)}
		case isHelpArg(rest[0]):
			fmt.Fprint(e.stdout, groupHelp(table, group))
			return nil
		}
		return &usageError{msg: fmt.Sprintf("%s: unknown subcommand %q (try %s)", group, rest[0], names), help: groupHelp(table, group)}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), help: overview(table)}
}

// subNames lists a group's subcommands as "run or lint".
func subNames(table []*command, group string) string {
	var names []string
	for _, c := range groupMembers(table, group) {
		names = append(names, strings.TrimPrefix(c.name, group+" "))
	}
	if len(names) > 1 {
		return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	return strings.Join(names, "")
}

// help answers "tracflow help [COMMAND...]".
func (e *env) help(table []*command, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, overview(table))
		return nil
	}
	c, rest, group := lookup(table, args)
	switch {
	case c != nil && len(rest) == 0:
		fmt.Fprint(e.stdout, commandHelp(c))
		return nil
	case group != "" && len(rest) == 0:
		fmt.Fprint(e.stdout, groupHelp(table, group))
		return nil
	}
	return &usageError{msg: fmt.Sprintf("help: no command %q", strings.Join(args, " ")), help: overview(table)}
}

// newFlagSet returns the command's flag set with its flags defined, and the
// function that runs it. The flag package prints nothing: errors and help
// are written by the dispatcher.
func newFlagSet(c *command) (*flag.FlagSet, runFunc) {
	fs := flag.NewFlagSet("tracflow "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.config {
		fs.String("config", "", "a file of settings: one \"flag value\" per line (# starts a comment), or a JSON object; the command line and the environment override it")
	}
	return fs, c.flags(fs)
}

// run parses the command's flags (command line, then environment, then
// config file) and runs it.
func (e *env) run(c *command, args []string) error {
	fs, run := newFlagSet(c)
	pos, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, commandHelp(c))
		return nil
	}
	if err != nil {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
			msg = "unknown flag " + name
		}
		return &usageError{msg: c.name + ": " + msg, help: commandHelp(c)}
	}
	if c.env || c.config {
		var opts []ff.Option
		if c.env {
			opts = append(opts, ff.WithEnvVarPrefix(envPrefix))
		}
		if c.config {
			opts = append(opts, ff.WithConfigFileFlag("config"), ff.WithConfigFileParser(configParser))
		}
		// The command line is parsed already: ff adds what is not set there.
		if err := ff.Parse(fs, []string{}, opts...); err != nil {
			return usagef("%s: %v", c.name, err)
		}
	}
	return run(e, pos)
}

// configParser reads a config file: a JSON object ({"addr": "0.0.0.0:8686"})
// when it starts with "{", otherwise one "flag value" per line.
func configParser(r io.Reader, set func(name, value string) error) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		return ff.JSONParser(bytes.NewReader(b), set)
	}
	return ff.PlainParser(bytes.NewReader(b), set)
}

// overview is "tracflow help": every command with its line.
func overview(table []*command) string {
	var b strings.Builder
	b.WriteString("tracflow: an open customer data platform\n\nUsage:\n  tracflow COMMAND [flags] [arguments]\n\nCommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, c := range table {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.short)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "help [COMMAND]", "show a command's flags and what it does")
	tw.Flush()
	b.WriteString("\nRun \"tracflow help COMMAND\" or \"tracflow COMMAND --help\" for a command's flags.\n")
	return b.String()
}

// groupHelp is the help of every subcommand of a group.
func groupHelp(table []*command, group string) string {
	var parts []string
	for _, c := range groupMembers(table, group) {
		parts = append(parts, commandHelp(c))
	}
	return strings.Join(parts, "\n")
}

// commandHelp is a command's help: synopsis, text, and its flags with their
// defaults and environment variables.
func commandHelp(c *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: tracflow %s %s\n", c.name, c.usage)
	fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(firstNonEmpty(c.long, c.short)))
	fs, _ := newFlagSet(c)
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	if len(flags) == 0 {
		return b.String()
	}
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	b.WriteString("\nFlags:\n")
	for _, f := range flags {
		typ, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if typ != "" {
			fmt.Fprintf(&b, " %s", typ)
		}
		var notes []string
		switch {
		case zeroDefault(f.DefValue):
		case typ == "string":
			notes = append(notes, fmt.Sprintf("default %q", f.DefValue))
		default:
			notes = append(notes, "default "+f.DefValue)
		}
		if c.env {
			notes = append(notes, "env "+envName(f.Name))
		}
		fmt.Fprintf(&b, "\n        %s", usage)
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, "; "))
		}
		b.WriteString("\n")
	}
	if c.env {
		b.WriteString("\nEvery flag can also be set by its environment variable")
		if c.config {
			b.WriteString(" or in the --config file; the command line wins over the environment, which wins over the file")
		}
		b.WriteString(".\n")
	}
	return b.String()
}

func zeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "0s":
		return true
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
