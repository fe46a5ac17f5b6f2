package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/internal/store"
)

// Prune implements store.Store. It runs as one write of the group-commit
// writer.
func (s *Store) Prune(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	var q string
	switch kind {
	case store.KindEvent:
		q = `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE inserted_us < ? ORDER BY inserted_us LIMIT ?)`
	case store.KindSession:
		q = `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE inserted_us < ? ORDER BY inserted_us LIMIT ?)`
	default:
		return 0, fmt.Errorf("store: prune: unknown kind %q (event or session)", kind)
	}
	if s.closed.Load() {
		return 0, store.ErrClosed
	}
	var n int64
	err := s.q.Do(ctx, func(t *wtx) error {
		res, err := t.tx.ExecContext(t.ctx, q, before.UnixMicro(), limit)
		if err != nil {
			return fmt.Errorf("store: prune %ss: %w", kind, err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// PruneProfiles implements store.Store.
func (s *Store) PruneProfiles(ctx context.Context, before time.Time, limit int) ([]string, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	var ids []string
	err := s.q.Do(ctx, func(t *wtx) error {
		ids = ids[:0]
		rs, err := t.tx.QueryContext(t.ctx, `SELECT id FROM profiles WHERE updated_us < ? ORDER BY updated_us LIMIT ?`, before.UnixMicro(), limit)
		if err != nil {
			return fmt.Errorf("store: prune profiles: %w", err)
		}
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				rs.Close()
				return fmt.Errorf("store: prune profiles: %w", err)
			}
			ids = append(ids, id)
		}
		rs.Close()
		for _, id := range ids {
			t.pending[id] = ""
			for _, i := range [...]int{wDeleteEvents, wDeleteSessions, wDeleteAliases, wDeleteProfile} {
				if _, err := t.exec(i, id); err != nil {
					return fmt.Errorf("store: prune profile %q: %w", id, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
