package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/query"
	"github.com/tracflow/tracflow/internal/store/rows"
)

var _ store.Querier = (*Store)(nil)

// dialect: JSON values are read with #> (a text[] path, which indexes lists
// by whole-number segments as dot notation does), as JSON text.
var dialect = &query.Dialect{
	Arg:     func(n int) string { return "$" + strconv.Itoa(n) },
	Extract: func(ph string) string { return "(doc #> " + ph + "::text[])::text" },
	PathArg: func(path []string) any { return path },
	Whole:   "doc::text",
	NoLimit: "ALL",
}

// Select implements store.Querier.
func (s *Store) Select(ctx context.Context, q *store.Query) (*store.Page, error) {
	p, err := query.Compile(q)
	if err != nil {
		return nil, err
	}
	if p.Fast() {
		return s.selectFast(ctx, p)
	}
	c := p.Collect()
	if err := s.scan(ctx, p, c.Add); err != nil {
		return nil, err
	}
	docs, err := s.docsByID(ctx, p, c.PageIDs())
	if err != nil {
		return nil, err
	}
	return &store.Page{Total: c.Total, Docs: docs}, nil
}

// selectFast reads the count and the page in one round trip and snapshot.
func (s *Store) selectFast(ctx context.Context, p *query.Plan) (*store.Page, error) {
	page := &store.Page{Docs: []store.Doc{}}
	b := &pgx.Batch{}
	cb := p.Builder(dialect)
	b.Queue(cb.Count(), cb.Args...).QueryRow(func(r pgx.Row) error { return r.Scan(&page.Total) })
	pb := p.Builder(dialect)
	b.Queue(pb.Page(), pb.Args...).Query(func(rs pgx.Rows) error {
		for rs.Next() {
			d, err := rows.Unmarshal(rs.RawValues()[0])
			if err != nil {
				return err
			}
			page.Docs = append(page.Docs, d)
		}
		return rs.Err()
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("store: select %s: %w", p.Table.Name, err)
	}
	return page, nil
}

// scan runs the plan's scan statement and hands every row to add.
func (s *Store) scan(ctx context.Context, p *query.Plan, add func(*query.Row) error) error {
	b := p.Builder(dialect)
	rs, err := s.pool.Query(ctx, b.Scan(), b.Args...)
	if err != nil {
		return fmt.Errorf("store: scan %s: %w", p.Table.Name, err)
	}
	defer rs.Close()
	row := p.NewRow()
	dest, fill := p.Targets(row)
	for i := range row.JSON {
		dest = append(dest, &row.JSON[i])
	}
	for rs.Next() {
		if err := rs.Scan(dest...); err != nil {
			return fmt.Errorf("store: scan %s: %w", p.Table.Name, err)
		}
		fill()
		if err := add(row); err != nil {
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("store: scan %s: %w", p.Table.Name, err)
	}
	return nil
}

// docsByID loads the page's documents, in the order of ids.
func (s *Store) docsByID(ctx context.Context, p *query.Plan, ids []string) ([]store.Doc, error) {
	byID := make(map[string]store.Doc, len(ids))
	const chunk = 1000
	for start := 0; start < len(ids); start += chunk {
		b := p.Builder(dialect)
		rs, err := s.pool.Query(ctx, b.Docs(ids[start:min(start+chunk, len(ids))]), b.Args...)
		if err != nil {
			return nil, fmt.Errorf("store: select %s: %w", p.Table.Name, err)
		}
		for rs.Next() {
			raw := rs.RawValues()
			d, err := rows.Unmarshal(raw[1])
			if err != nil {
				rs.Close()
				return nil, err
			}
			byID[string(raw[0])] = d
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, fmt.Errorf("store: select %s: %w", p.Table.Name, err)
		}
	}
	return query.Order(ids, byID), nil
}

// Histogram implements store.Querier.
func (s *Store) Histogram(ctx context.Context, q *store.Query, width time.Duration) ([]store.Bucket, error) {
	w, err := query.WidthUS(width)
	if err != nil {
		return nil, err
	}
	hq := *q
	hq.Sort, hq.Limit, hq.Offset = nil, 0, 0
	p, err := query.Compile(&hq)
	if err != nil {
		return nil, err
	}
	if !p.Fast() {
		bk := p.CountBuckets(w)
		if err := s.scan(ctx, p, bk.Add); err != nil {
			return nil, err
		}
		return bk.Result(), nil
	}
	b := p.Builder(dialect)
	rs, err := s.pool.Query(ctx, b.Histogram(w), b.Args...)
	if err != nil {
		return nil, fmt.Errorf("store: histogram %s: %w", p.Table.Name, err)
	}
	defer rs.Close()
	out := []store.Bucket{}
	for rs.Next() {
		var start, n int64
		if err := rs.Scan(&start, &n); err != nil {
			return nil, fmt.Errorf("store: histogram %s: %w", p.Table.Name, err)
		}
		out = append(out, query.BucketRow(start, n))
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: histogram %s: %w", p.Table.Name, err)
	}
	return out, nil
}
