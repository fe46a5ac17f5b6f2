// Package tracflowcmd is the tracflow command as a library: a program that
// calls Main is a complete tracflow binary (server, workflow engine and
// tools) whose palette holds exactly the plugins it is given.
//
// Tracflow's own binary is cmd/tracflow/main.go:
//
//	package main
//
//	import (
//		"github.com/tracflow/tracflow/actions"
//		"github.com/tracflow/tracflow/tracflowcmd"
//	)
//
//	func main() { tracflowcmd.Main(actions.Installed()) }
//
// A binary with plugins of your own is the same file with one more list:
// each plugin package offers an installed list, its register functions with
// the test config of each plugin, the way package actions does for the
// built-ins:
//
//	func main() { tracflowcmd.Main(actions.Installed(), myplugin.Installed()) }
//
// The lists are explicit on purpose: what a binary installs is read in its
// main.go, not gathered from imports, and every entry carries the config its
// tests set the plugin up with. `tracflow plugin new NAME` writes such a
// plugin package with its test and main.go (see docs/plugins.md).
package tracflowcmd

import (
	"os"

	"github.com/tracflow/tracflow/internal/cli"
	"github.com/tracflow/tracflow/plugin"
)

// Main runs the tracflow command on the process's arguments with the
// plugins of the given lists, in order, and exits with its code: 0 done,
// 1 failed, 2 unusable input. It does not return.
func Main(lists ...[]plugin.Installed) {
	os.Exit(Run(os.Args[1:], lists...))
}

// Run runs the tracflow command on args (without the program name) with the
// plugins of the given lists, on the process's standard input and output,
// and returns the exit code. A plugin that cannot be installed (a module
// name another plugin has, a missing port description) is reported by the
// commands that install plugins, and the others work.
func Run(args []string, lists ...[]plugin.Installed) int {
	return cli.Main(args, cli.Options{Plugins: Plugins(lists...)})
}

// Plugins joins installed lists into one, in order.
func Plugins(lists ...[]plugin.Installed) []plugin.Installed {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	all := make([]plugin.Installed, 0, n)
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}
