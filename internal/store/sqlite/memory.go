package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

var _ store.Memory = (*Store)(nil)

func expiresUS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixMicro(), 1)
}

// PutMemory implements store.Memory, through the writer like every write.
func (s *Store) PutMemory(ctx context.Context, key string, value []byte, now, expires time.Time) error {
	if err := store.CheckMemory(key, value); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	return s.q.Do(ctx, func(t *wtx) error {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO plugin_memory (key, value, expires_us) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_us = excluded.expires_us`,
			key, string(value), expiresUS(expires)); err != nil {
			return fmt.Errorf("store: memory: %w", err)
		}
		if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM plugin_memory WHERE key IN
			(SELECT key FROM plugin_memory WHERE expires_us > 0 AND expires_us <= ? LIMIT ?)`,
			now.UnixMicro(), store.MemoryPruneBatch); err != nil {
			return fmt.Errorf("store: memory: %w", err)
		}
		return nil
	})
}

// GetMemory implements store.Memory.
func (s *Store) GetMemory(ctx context.Context, key string, now time.Time) ([]byte, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM plugin_memory WHERE key = ? AND (expires_us = 0 OR expires_us > ?)`,
		key, now.UnixMicro()).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: memory: %w", err)
	}
	return []byte(v), nil
}
