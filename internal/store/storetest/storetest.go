// Package storetest gives tests a fresh, migrated store of every dialect
// available: SQLite always, PostgreSQL when SEATKEEPER_TEST_POSTGRES holds a
// connection URL. Each store lives in its own SQLite file or PostgreSQL
// schema, created for the test and dropped after it, so tests may run in
// parallel and a crashed run leaves nothing that the next one trips over.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/seatkeeper/seatkeeper/internal/store"
)

// PostgresEnv names the environment variable that enables PostgreSQL tests.
const PostgresEnv = "SEATKEEPER_TEST_POSTGRES"

// Run calls fn once per available dialect, each in a subtest named after the
// dialect and with a store of its own.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Dialects lists the dialects this test run covers.
func Dialects() []store.Dialect {
	if os.Getenv(PostgresEnv) == "" {
		return []store.Dialect{store.SQLite}
	}
	return []store.Dialect{store.SQLite, store.Postgres}
}

// Open returns a fresh, migrated store of the dialect, closed and removed
// when the test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), URL(t, d))
	if err != nil {
		t.Fatalf("opening %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })

	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrating %s store: %v", d, err)
	}
	return db
}

// URL returns the address of a fresh, empty database of the dialect, for
// tests that open it themselves (a server process, a migration test).
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "seatkeeper.db")
	}
	return postgresSchema(t)
}

// OpenSQL opens the database at a URL of URL's kind directly, bypassing the
// store, for tests that check what the store holds with their own queries.
func OpenSQL(t testing.TB, databaseURL string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", databaseURL
	if path, ok := strings.CutPrefix(databaseURL, "sqlite:"); ok {
		driver, dsn = "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("opening %s: %v", databaseURL, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// postgresSchema creates a schema with a random name and returns a URL whose
// connections use it, dropping it when the test ends.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set", PostgresEnv)
	}

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening postgres: %v", err)
	}
	defer admin.Close()

	schema := "sktest_" + rand.Text()[:16]
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		drop, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("reopening postgres to drop %s: %v", schema, err)
			return
		}
		defer drop.Close()
		if _, err := drop.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parsing %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
