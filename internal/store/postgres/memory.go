package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tracflow/tracflow/internal/store"
)

var _ store.Memory = (*Store)(nil)

func expiresUS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixMicro(), 1)
}

// PutMemory implements store.Memory. Every instance over the database
// sees the value at once.
func (s *Store) PutMemory(ctx context.Context, key string, value []byte, now, expires time.Time) error {
	if err := store.CheckMemory(key, value); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO plugin_memory (key, value, expires_us) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_us = excluded.expires_us`,
		key, string(value), expiresUS(expires)); err != nil {
		return fmt.Errorf("store: memory: %w", err)
	}
	// Concurrent writers may pick the same expired rows; deleting a row
	// twice is harmless.
	if _, err := s.pool.Exec(ctx, `DELETE FROM plugin_memory WHERE key IN
		(SELECT key FROM plugin_memory WHERE expires_us > 0 AND expires_us <= $1 LIMIT $2)`,
		now.UnixMicro(), store.MemoryPruneBatch); err != nil {
		return fmt.Errorf("store: memory: %w", err)
	}
	return nil
}

// GetMemory implements store.Memory.
func (s *Store) GetMemory(ctx context.Context, key string, now time.Time) ([]byte, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM plugin_memory WHERE key = $1 AND (expires_us = 0 OR expires_us > $2)`,
		key, now.UnixMicro()).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: memory: %w", err)
	}
	return []byte(v), nil
}
