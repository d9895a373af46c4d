package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder of numbered SQL files per dialect.
//
//go:embed migrations
var migrations embed.FS

// Migration is one schema version and whether it has been applied.
type Migration struct {
	Version int64
	Name    string
	Applied bool
}

func (db *DB) migrator(ctx context.Context) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("finding %s migrations: %w", db.dialect, err)
	}

	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := db.migrationLock(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}

	p, err := goose.NewProvider(dialect, db.sql, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("preparing migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.migrator(ctx)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("migrating %s database: %w", db.dialect, err)
	}
	return len(results), nil
}

// Migrations lists every migration this binary knows, oldest first, with
// whether the database has it.
func (db *DB) Migrations(ctx context.Context) ([]Migration, error) {
	p, err := db.migrator(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading migration status: %w", err)
	}

	list := make([]Migration, len(statuses))
	for i, s := range statuses {
		list[i] = Migration{
			Version: s.Source.Version,
			Name:    s.Source.Path,
			Applied: s.State == goose.StateApplied,
		}
	}
	return list, nil
}

func (db *DB) hasPendingMigrations(ctx context.Context) (bool, error) {
	p, err := db.migrator(ctx)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("checking for pending migrations: %w", err)
	}
	return pending, nil
}

// migrationLock returns an advisory lock that lets one of several servers
// starting at once migrate while the others wait. Its ID is derived from the
// schema, so that databases in other schemas (parallel tests) never wait on
// each other.
func (db *DB) migrationLock(ctx context.Context) (lock.SessionLocker, error) {
	var schema string
	if err := db.sql.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("reading current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("seatkeeper migrations " + schema))

	return lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64()>>1)),
		lock.WithLockTimeout(1, 300),
	)
}
