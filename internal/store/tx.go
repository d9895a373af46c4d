package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"
)

// maxAttempts bounds how often Tx runs a unit of work that keeps losing races.
const maxAttempts = 30

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a unit of work in progress. Its methods read and write inside the
// transaction; they are valid only during the function given to DB.Tx or
// DB.View.
type Tx struct {
	q       querier
	dialect Dialect
}

// Dialect reports which database the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Tx runs fn in a read-write transaction and commits it if fn returns nil.
// When the database reports that the transaction lost a race with another
// (a serialization failure or deadlock on PostgreSQL, SQLITE_BUSY on SQLite),
// Tx rolls back, waits a moment and runs fn again, so fn must not have
// effects outside the transaction. Any other error rolls back and is returned
// as it is.
//
// On PostgreSQL the transaction is SERIALIZABLE; on SQLite it holds the write
// lock from its first statement. Either way it behaves as if it ran alone.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelSerializable
	}
	return db.run(ctx, opts, fn)
}

// View runs fn in a read-only transaction that sees one consistent snapshot.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.run(ctx, opts, fn)
}

func (db *DB) run(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = db.attempt(ctx, opts, fn)
		if err == nil || !db.retryable(err) || attempt == maxAttempts {
			return clientError(err)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return fmt.Errorf("waiting to retry transaction: %w", err)
		}
	}
}

func (db *DB) attempt(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	sqlTx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer sqlTx.Rollback()

	if err := fn(&Tx{q: sqlTx, dialect: db.dialect}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// backoff grows with each attempt and is jittered so that the transactions
// that collided do not collide again.
func backoff(attempt int) time.Duration {
	base := time.Duration(1<<min(attempt, 7)) * time.Millisecond
	return base/2 + rand.N(base)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable reports whether err means that a transaction lost a race and
// would succeed if run again.
func (db *DB) retryable(err error) bool {
	return classify(err) == classRetry
}
