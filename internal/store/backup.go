package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of an SQLite store to path, replacing
// the file there if any, while this and other processes go on reading and
// writing the store. The copy is one snapshot of committed data (SQLite's
// VACUUM INTO, which needs no lock that writers wait for), checked, synced
// to disk, and only then moved to path, so that path never holds half a
// copy. The file is readable by its owner only: it holds the signing keys.
//
// PostgreSQL stores are backed up with pg_dump; Backup refuses them.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("backing up: only an SQLite store can be backed up this way; " +
			"back up PostgreSQL with pg_dump")
	}
	if err := db.checkNotSelf(ctx, path); err != nil {
		return err
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backing up: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())

	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO $1`, tmp.Name()); err != nil {
		return fmt.Errorf("backing up: copying the store: %w", err)
	}
	if err := checkCopy(ctx, tmp.Name()); err != nil {
		return err
	}
	if err := syncFile(tmp.Name()); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("backing up: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

// checkNotSelf refuses a path that is the store's own file, which the
// rename at the end would replace.
func (db *DB) checkNotSelf(ctx context.Context, path string) error {
	var file string
	err := db.sql.QueryRowContext(ctx,
		`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file)
	if err != nil {
		return fmt.Errorf("backing up: finding the store's file: %w", err)
	}
	self, errSelf := os.Stat(file)
	target, errTarget := os.Stat(path)
	if errSelf == nil && errTarget == nil && os.SameFile(self, target) {
		return fmt.Errorf("backing up: %s is the store itself; name another file", path)
	}
	return nil
}

// checkCopy opens the copy on its own and has SQLite check its structure.
func checkCopy(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("backing up: opening the copy: %w", err)
	}
	defer conn.Close()

	var result string
	if err := conn.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&result); err != nil {
		return fmt.Errorf("backing up: checking the copy: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("backing up: the copy is damaged: %s", result)
	}
	return nil
}

// syncFile flushes a file, or a directory's entries, to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backing up: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backing up: syncing %s: %w", path, err)
	}
	return nil
}

// Tidy reclaims the space of rows that bulk changes left dead and refreshes
// the planner's statistics: VACUUM ANALYZE on PostgreSQL, ANALYZE on
// SQLite. PostgreSQL's autovacuum does the same in its own time; a tool
// that has just written a great deal (the scale fixture) calls Tidy so that
// the store answers at once as it will in steady state. The counters that
// triggers keep (license_counts) leave a dead row at every change, and
// until a vacuum every read of them steps over all of those.
func (db *DB) Tidy(ctx context.Context) error {
	statement := `ANALYZE`
	if db.dialect == Postgres {
		statement = `VACUUM ANALYZE`
	}
	if _, err := db.sql.ExecContext(ctx, statement); err != nil {
		return fmt.Errorf("tidying the store: %w", err)
	}
	return nil
}
