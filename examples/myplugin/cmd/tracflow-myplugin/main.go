// Command tracflow-myplugin is Tracflow with its built-in plugins and the
// plugin of the developer guide (docs/plugins.md).
package main

import (
	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/examples/myplugin"
	"github.com/tracflow/tracflow/tracflowcmd"
)

func main() { tracflowcmd.Main(actions.Installed(), myplugin.Installed()) }
