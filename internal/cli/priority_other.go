//go:build !linux

package cli

import "syscall"

// lowerPriority is Linux's only; elsewhere the delivery process runs at the
// server's priority.
func lowerPriority(int) error { return nil }

func childAttr() *syscall.SysProcAttr { return nil }
