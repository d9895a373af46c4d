package store

import "context"

// Exec runs raw SQL in the transaction, for tests that probe the schema.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := tx.q.ExecContext(ctx, query, args...)
	return err
}

// QueryInt runs a query that returns one integer.
func (tx *Tx) QueryInt(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// Scan runs a query that returns one row into dest.
func (tx *Tx) Scan(ctx context.Context, dest []any, query string, args ...any) error {
	return tx.q.QueryRowContext(ctx, query, args...).Scan(dest...)
}
