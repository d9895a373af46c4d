package store

import (
	"context"
	"database/sql"
)

// Read runs fn's statements without an explicit transaction: each statement
// is its own unit and sees its own snapshot. It is for reads of a single
// statement on hot paths, where BEGIN and COMMIT would add two round trips
// to the database and give nothing; anything that reads twice and needs the
// two reads to agree uses View.
//
// The statements are prepared once per connection and kept, so that SQLite,
// whose driver caches nothing, does not parse and plan them at every call.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	return clientError(fn(&Tx{q: prepared{db}, dialect: db.dialect}))
}

// prepared runs queries through the DB's prepared statements, preparing
// each query the first time it comes.
type prepared struct{ db *DB }

func (p prepared) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := p.db.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := p.db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := p.db.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result,
	error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows,
	error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext falls back to an unprepared query when preparing fails, so
// that the error reaches the caller through the row like any other.
func (p prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return p.db.sql.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// closeStatements closes the statements that Read prepared.
func (db *DB) closeStatements() {
	db.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
}
