//go:build !linux

package cli

import (
	"os"
	"syscall"
)

// lowerPriority is Linux's only; elsewhere the delivery process runs at the
// server's priority.
func lowerPriority(int, bool) error { return nil }

func childAttr() *syscall.SysProcAttr { return nil }

// selfExe is the file to start this program again from.
func selfExe() (string, error) { return os.Executable() }
