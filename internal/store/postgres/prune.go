package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tracflow/tracflow/internal/store"
)

// Prune implements store.Store: one short statement.
func (s *Store) Prune(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	var q string
	switch kind {
	case store.KindEvent:
		q = `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE inserted_us < $1 ORDER BY inserted_us LIMIT $2 FOR UPDATE SKIP LOCKED)`
	case store.KindSession:
		q = `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE inserted_us < $1 ORDER BY inserted_us LIMIT $2 FOR UPDATE SKIP LOCKED)`
	default:
		return 0, fmt.Errorf("store: prune: unknown kind %q (event or session)", kind)
	}
	if s.closed.Load() {
		return 0, store.ErrClosed
	}
	tag, err := s.pool.Exec(ctx, q, before.UnixMicro(), limit)
	if err != nil {
		return 0, fmt.Errorf("store: prune %ss: %w", kind, err)
	}
	return int(tag.RowsAffected()), nil
}

// PruneProfiles implements store.Store: one transaction per page.
func (s *Store) PruneProfiles(ctx context.Context, before time.Time, limit int) ([]string, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	var ids []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rs, err := tx.Query(ctx, `DELETE FROM profiles WHERE id IN (SELECT id FROM profiles WHERE updated_us < $1
			ORDER BY updated_us LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id`, before.UnixMicro(), limit)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rs, pgx.RowTo[string])
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, q := range []string{`DELETE FROM profile_aliases WHERE profile_id = ANY($1)`,
			`DELETE FROM sessions WHERE profile_id = ANY($1)`, `DELETE FROM events WHERE profile_id = ANY($1)`} {
			if _, err := tx.Exec(ctx, q, ids); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: prune profiles: %w", err)
	}
	return ids, nil
}
