package plugin

import (
	"context"
	"errors"
	"time"
)

// SharedMemory is the key-value memory flows share across every Tracflow
// instance over the same database (the Write to memory and Read from
// memory plugins): JSON values under text keys, each kept until its time to
// live has passed. The run's Data provides it when the run has storage;
// reach it with State.SharedMemory.
type SharedMemory interface {
	// Remember stores value (a JSON value) under key, replacing what was
	// there, for ttl (0: until replaced).
	Remember(ctx context.Context, key string, value any, ttl time.Duration) error
	// Recall returns the value under key; found is false when there is
	// none or it expired.
	Recall(ctx context.Context, key string) (value any, found bool, err error)
}

// ErrNoSharedMemory is what SharedMemory answers in runs without storage.
var ErrNoSharedMemory = errors.New("no shared memory attached: this run has no storage (tracflow flow run, plugin unit tests)")

// SharedMemory returns the memory shared by all instances, or
// ErrNoSharedMemory when the run has none.
func (s *State) SharedMemory() (SharedMemory, error) {
	if s != nil {
		if m, ok := s.Data.(SharedMemory); ok {
			return m, nil
		}
	}
	return nil, ErrNoSharedMemory
}
