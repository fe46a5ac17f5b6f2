// Command plugindocs writes the plugin reference pages (docs/plugins/) from
// the installed plugins' specs:
//
//	go run ./internal/cmd/plugindocs -out docs/plugins
//
// `go generate ./actions` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/plugindocs"
)

func main() {
	out := flag.String("out", "docs/plugins", "folder to write the pages into")
	flag.Parse()
	if err := plugindocs.Write(*out, actions.Installed()); err != nil {
		fmt.Fprintln(os.Stderr, "plugindocs:", err)
		os.Exit(1)
	}
}
