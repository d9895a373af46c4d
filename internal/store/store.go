// Package store keeps Seatkeeper's data in SQLite or PostgreSQL. One
// implementation serves both: the SQL is shared wherever the dialects agree,
// and the differences (connection, migrations, error classification) are
// confined to this file and dialect.go.
//
// Every change runs inside DB.Tx, which retries a transaction that lost a
// race (serialization failure, deadlock, SQLITE_BUSY) so that callers see a
// unit of work that either happened entirely or not at all.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	sk "github.com/seatkeeper/seatkeeper"
)

// Dialect names the SQL database behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open store.
type DB struct {
	sql     *sql.DB
	dialect Dialect

	// current is set once the schema has been seen at the newest version;
	// a schema never moves back, so Ready need not ask again.
	current atomic.Bool

	// stmts holds the statements that Read prepared, by query.
	stmts sync.Map
}

// Open connects to the database that url names: "sqlite:PATH" (or a bare
// path) for an embedded SQLite file, "postgres://…" or "postgresql://…" for
// PostgreSQL. It does not migrate; call Migrate for that.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err = openPostgres(rawURL)
	default:
		db, err = openSQLite(strings.TrimPrefix(rawURL, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}

	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("connecting to %s database: %w", db.dialect, err)
	}
	return db, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("opening sqlite database: empty path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("creating directory for sqlite database: %w", err)
		}
	}

	// Every write transaction begins IMMEDIATE: it takes the write lock at
	// BEGIN, so two writers never deadlock upgrading from a read lock.
	// Read-only transactions begin DEFERRED and read a WAL snapshot.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	conn, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening sqlite database: %w", err)
	}

	// SQLite has one writer at a time; a few connections serve readers.
	conn.SetMaxOpenConns(8)
	conn.SetMaxIdleConns(8)
	conn.SetConnMaxIdleTime(0)
	return &DB{sql: conn, dialect: SQLite}, nil
}

func openPostgres(rawURL string) (*DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parsing postgres url: %w", err)
	}
	conn := stdlib.OpenDB(*cfg)
	conn.SetMaxOpenConns(20)
	conn.SetMaxIdleConns(10)
	conn.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: conn, dialect: Postgres}, nil
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes every connection.
func (db *DB) Close() error {
	db.closeStatements()
	return db.sql.Close()
}

// Stats reports the connection pool's statistics.
func (db *DB) Stats() sql.DBStats { return db.sql.Stats() }

// Ready reports an error unless the database answers and its schema is at the
// newest migration this binary knows.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging database: %w", err)
	}
	if db.current.Load() {
		return nil
	}

	pending, err := db.hasPendingMigrations(ctx)
	if err != nil {
		return err
	}
	if pending {
		return sk.Errorf(sk.EUNAVAILABLE, "The database schema is not current; run migrations.")
	}
	db.current.Store(true)
	return nil
}
