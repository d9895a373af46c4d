package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestBackupWhileWriting backs up an SQLite store three times while this
// process writes to it without pause, two rows per transaction. Each copy
// opens, is current without migrating, and holds a whole number of
// transactions: at least those committed before the backup began and at
// most those committed when it ended.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	dbURL := storetest.URL(t, store.SQLite)
	migrateUp(t, dbURL)
	db, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	var committed atomic.Int64
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { writePairs(ctx, t, db, &committed) })
	t.Cleanup(func() {
		stop()
		wg.Wait()
	})

	path := filepath.Join(t.TempDir(), "backup.db")
	for i := range 3 {
		before := committed.Load()
		r := runCLI(t, nil, "backup", path, "--database", dbURL)
		after := committed.Load()
		if r.code != 0 || !strings.Contains(r.stdout, "backed up") {
			t.Fatalf("backup %d: exit %d\nstdout %s\nstderr %s", i+1, r.code, r.stdout,
				r.stderr)
		}
		rows := copiedRows(t, path)
		if rows%2 != 0 || int64(rows) < 2*before || int64(rows) > 2*after {
			t.Errorf("backup %d holds %d rows; want an even number from %d to %d",
				i+1, rows, 2*before, 2*after)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the copy's mode: %v (%v), want -rw-------", info.Mode(), err)
	}
}

// writePairs queues two messages per transaction until ctx ends, counting
// the transactions that committed.
func writePairs(ctx context.Context, t *testing.T, db *store.DB, committed *atomic.Int64) {
	m := mail.Message{To: "ada@example.com", Subject: "Hello", Text: "Hi."}
	for ctx.Err() == nil {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for range 2 {
				if err := tx.EnqueueMail(ctx, m, sk.SystemClock{}.Now()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			if ctx.Err() == nil {
				t.Errorf("writing: %v", err)
			}
			return
		}
		committed.Add(1)
	}
}

// copiedRows opens a backup as a server would, checks that its schema is
// current without migrating, and counts the rows the writer made.
func copiedRows(t *testing.T, path string) int {
	t.Helper()
	ctx := context.Background()
	cp, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatalf("opening the copy: %v", err)
	}
	defer cp.Close()
	if err := cp.Ready(ctx); err != nil {
		t.Fatalf("the copy is not current: %v", err)
	}
	if n, err := cp.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("migrating the copy applied %d (%v), want none", n, err)
	}
	q, err := cp.Queues(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return q.MailUnsent
}

func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "seatkeeper.db")
	migrateUp(t, dbURL)

	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"postgres", []string{"backup", filepath.Join(dir, "b.db"), "--database",
			"postgres://postgres@127.0.0.1:1/none"}, "pg_dump"},
		{"no store", []string{"backup", "--database", "sqlite:" +
			filepath.Join(dir, "missing.db"), filepath.Join(dir, "b.db")}, "no SQLite store"},
		{"no path", []string{"backup", "--database", dbURL}, "usage: seatkeeper backup PATH"},
		{"two paths", []string{"backup", "a.db", "b.db", "--database", dbURL},
			"one PATH"},
		{"onto itself", []string{"backup", strings.TrimPrefix(dbURL, "sqlite:"),
			"--database", dbURL}, "the store itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.args...)
			if r.code == 0 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want non-zero and %q", r.code, r.stderr,
					tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("backing up a missing store created it")
	}
}
