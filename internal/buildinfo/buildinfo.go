// Package buildinfo says which build of Tracflow is running: its version,
// commit and build date, set at link time with -ldflags or read from the
// version control information the Go toolchain records.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Set at link time, e.g.
//
//	go build -ldflags "-X github.com/tracflow/tracflow/internal/buildinfo.Version=v1.2.0 \
//	  -X github.com/tracflow/tracflow/internal/buildinfo.Commit=abc123 \
//	  -X github.com/tracflow/tracflow/internal/buildinfo.Date=2026-01-02T03:04:05Z"
//
// Empty values are filled from debug.ReadBuildInfo where it knows them.
var (
	Version string
	Commit  string
	Date    string
)

// Info describes a build.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	// Modified is true when the build's working tree had uncommitted
	// changes (known only from the toolchain's VCS information).
	Modified bool `json:"modified,omitempty"`
}

// Get returns the running build's information. Fields nothing knows are
// "unknown" (the version: "devel").
func Get() Info {
	return fill(Info{Version: Version, Commit: Commit, Date: Date, GoVersion: runtime.Version()}, readBuildInfo())
}

var readBuildInfo = func() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// fill completes in from the toolchain's build information bi (may be nil).
func fill(in Info, bi *debug.BuildInfo) Info {
	if bi != nil {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Commit == "" {
					in.Commit = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	if in.Version == "" {
		in.Version = "devel"
	}
	if in.Commit == "" {
		in.Commit = "unknown"
	}
	if in.Date == "" {
		in.Date = "unknown"
	}
	return in
}
