//go:build !unix

package spool

// lock is a no-op where flock is not available: one process per data
// folder there.
func lock(string) (func() error, error) { return func() error { return nil }, nil }
