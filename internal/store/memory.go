package store

import (
	"context"
	"fmt"
	"time"
)

// Limits of the shared memory.
const (
	// MaxMemoryKey is the longest key, in bytes.
	MaxMemoryKey = 1024
	// MaxMemoryValue is the largest value, in bytes.
	MaxMemoryValue = 1 << 20
	// MemoryPruneBatch is how many expired entries a write deletes at most.
	MemoryPruneBatch = 100
)

// Memory is the key-value memory flows share across every instance over
// the same database (the Write to memory and Read from memory plugins).
// Both backends implement it; callers type-assert a Store to it.
type Memory interface {
	// PutMemory stores value (JSON text, at most MaxMemoryValue bytes)
	// under key (1 to MaxMemoryKey bytes), replacing any value there, until
	// expires (the zero time: no expiry). It also deletes up to
	// MemoryPruneBatch entries that expired before now, so that expired
	// entries do not pile up.
	PutMemory(ctx context.Context, key string, value []byte, now, expires time.Time) error
	// GetMemory returns the value under key, or ErrNotFound when there is
	// none or it expired before now.
	GetMemory(ctx context.Context, key string, now time.Time) ([]byte, error)
}

// CheckMemory checks a shared-memory entry against the limits.
func CheckMemory(key string, value []byte) error {
	if key == "" || len(key) > MaxMemoryKey {
		return fmt.Errorf("store: memory key must be 1 to %d bytes, got %d", MaxMemoryKey, len(key))
	}
	if len(value) > MaxMemoryValue {
		return fmt.Errorf("store: memory value of %d bytes is larger than %d", len(value), MaxMemoryValue)
	}
	return nil
}
