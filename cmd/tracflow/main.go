// Command tracflow is the Tracflow customer data platform: the collector
// server, the workflow engine and their tools in one binary.
package main

import (
	"os"

	"github.com/tracflow/tracflow/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
