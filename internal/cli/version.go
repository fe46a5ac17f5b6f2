package cli

import (
	"flag"
	"fmt"

	"github.com/tracflow/tracflow/internal/buildinfo"
)

func versionCommand() *command {
	return &command{
		name:  "version",
		usage: "[--json]",
		short: "print the version, commit, build date and Go version",
		long: `Prints this binary's version, the commit and date it was built from and the Go
version that built it. Release builds set them at link time (-ldflags -X); other
builds take what the Go toolchain recorded, or say "devel" and "unknown".`,
		flags: func(fs *flag.FlagSet) runFunc {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("version: unexpected argument %q", args[0])
				}
				bi := buildinfo.Get()
				if *asJSON {
					return writeJSON(e, bi)
				}
				modified := ""
				if bi.Modified {
					modified = " (with uncommitted changes)"
				}
				fmt.Fprintf(e.stdout, "tracflow %s\ncommit   %s%s\nbuilt    %s\ngo       %s\n", bi.Version, bi.Commit, modified, bi.Date, bi.GoVersion)
				return nil
			}
		},
	}
}
