// Command tracflow is the Tracflow customer data platform: the collector
// server, the workflow engine and their tools in one binary.
//
// This file is the one place that chooses the plugins: a binary with other
// plugins is this file with another list.
package main

import (
	"os"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Options{Plugins: actions.Installed()}))
}
