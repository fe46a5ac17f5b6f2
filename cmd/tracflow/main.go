// Command tracflow is the Tracflow customer data platform: the collector
// server, the workflow engine and their tools in one binary, with the
// built-in plugins. A binary with more plugins is this file with more lists
// (see package tracflowcmd and docs/plugins.md).
package main

import (
	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/tracflowcmd"
)

func main() { tracflowcmd.Main(actions.Installed()) }
