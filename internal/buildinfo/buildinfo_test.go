package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFill(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	cases := []struct {
		name string
		in   Info
		bi   *debug.BuildInfo
		want Info
	}{
		{"nothing known", Info{}, nil, Info{Version: "devel", Commit: "unknown", Date: "unknown"}},
		{"from the toolchain's VCS stamp", Info{}, vcs, Info{Version: "devel", Commit: "abc123", Date: "2026-01-02T03:04:05Z", Modified: true}},
		{"ldflags win", Info{Version: "v1.2.0", Commit: "def", Date: "d"}, vcs, Info{Version: "v1.2.0", Commit: "def", Date: "d", Modified: true}},
		{"go install's module version", Info{}, &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}, Info{Version: "v0.3.0", Commit: "unknown", Date: "unknown"}},
	}
	for _, c := range cases {
		if got := fill(c.in, c.bi); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestGetUsesLinkTimeValues(t *testing.T) {
	old := Version
	Version = "v9.9.9"
	defer func() { Version = old }()
	if got := Get(); got.Version != "v9.9.9" || got.GoVersion != runtime.Version() {
		t.Errorf("Get() = %+v", got)
	}
}
