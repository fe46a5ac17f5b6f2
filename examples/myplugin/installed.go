package myplugin

import "github.com/tracflow/tracflow/plugin"

// Installed is this package's installed list: what a tracflow binary gets
// from it. Pass it to tracflowcmd.Main (see cmd/tracflow/main.go).
func Installed() []plugin.Installed {
	return []plugin.Installed{
		{Register: Register},
	}
}
