// Package stmtcache opens SQLite databases (modernc.org/sqlite) through
// database/sql with each connection keeping the statements it was given as
// text, so that a query run again is not parsed and planned again.
//
// modernc.org/sqlite prepares a statement for every Exec and Query that
// passes SQL text, and finalizes it afterwards. Code that prepares its
// statements once (the event store) does not need this; code that passes
// text, such as River's SQLite driver and the delivery log, spent about a
// seventh of the delivery process's CPU in SQLite's parser. Here each
// connection keeps up to maxStatements prepared statements by their text;
// SQLite prepares a kept statement again by itself when the schema changes.
//
// A statement is used by one call at a time: while a query's rows are open,
// the same text on the same connection runs uncached.
package stmtcache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"

	"modernc.org/sqlite"
)

// maxStatements bounds the statements one connection keeps.
const maxStatements = 256

// Open opens the SQLite database named by dsn (a modernc.org/sqlite DSN, as
// sql.Open("sqlite", dsn) takes) with cached statements.
func Open(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector{c}), nil
}

// connector hands out the driver's connections wrapped in conn.
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	begin, ok1 := dc.(driver.ConnBeginTx)
	prepare, ok2 := dc.(driver.ConnPrepareContext)
	execer, ok3 := dc.(driver.ExecerContext)
	queryer, ok4 := dc.(driver.QueryerContext)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		dc.Close()
		return nil, fmt.Errorf("stmtcache: the sqlite driver's connection (%T) lacks the context methods", dc)
	}
	return &conn{Conn: dc, begin: begin, prepare: prepare, execer: execer, queryer: queryer, stmts: map[string]*entry{}}, nil
}

// conn is a driver connection with its kept statements. database/sql uses a
// connection from one goroutine at a time, so it needs no lock.
type conn struct {
	driver.Conn
	begin   driver.ConnBeginTx
	prepare driver.ConnPrepareContext
	execer  driver.ExecerContext
	queryer driver.QueryerContext
	stmts   map[string]*entry
}

type entry struct {
	st    driver.Stmt
	exec  driver.StmtExecContext  // st's, asserted once
	query driver.StmtQueryContext // st's, asserted once
	busy  bool                    // its rows are open
}

var (
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
)

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.begin.BeginTx(ctx, opts)
}

// PrepareContext prepares a statement the caller owns and closes, as the
// driver does; it is not kept.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prepare.PrepareContext(ctx, query)
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.execer.ExecContext(ctx, query, args)
	}
	return e.exec.ExecContext(ctx, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.queryer.QueryContext(ctx, query, args)
	}
	r, err := e.query.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	e.busy = true
	return &rows{Rows: r, e: e}, nil
}

// statement returns the kept statement for query, preparing it when it is
// new; nil when it is in use.
func (c *conn) statement(ctx context.Context, query string) (*entry, error) {
	if e, ok := c.stmts[query]; ok {
		if e.busy {
			return nil, nil
		}
		return e, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	execSt, ok1 := st.(driver.StmtExecContext)
	querySt, ok2 := st.(driver.StmtQueryContext)
	if !ok1 || !ok2 {
		st.Close()
		return nil, nil // run uncached
	}
	if len(c.stmts) >= maxStatements {
		c.evict()
	}
	e := &entry{st: st, exec: execSt, query: querySt}
	c.stmts[query] = e
	return e, nil
}

// evict closes one kept statement that is not in use.
func (c *conn) evict() {
	for q, e := range c.stmts {
		if !e.busy {
			e.st.Close()
			delete(c.stmts, q)
			return
		}
	}
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close closes the kept statements, then the connection.
func (c *conn) Close() error {
	var errs []error
	for q, e := range c.stmts {
		errs = append(errs, e.st.Close())
		delete(c.stmts, q)
	}
	errs = append(errs, c.Conn.Close())
	return errors.Join(errs...)
}

// rows frees its statement for the next call when closed.
type rows struct {
	driver.Rows
	e *entry
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.e.busy = false
	return err
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *rows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
