package main

import (
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestUnknownFlagsAfterTheAction runs migrate and keys with a flag they do
// not have, before and after the action: each run fails with exit code 2,
// names the flag and does nothing.
func TestUnknownFlagsAfterTheAction(t *testing.T) {
	t.Parallel()
	fresh := storetest.URL(t, store.SQLite)
	migrated := storetest.URL(t, store.SQLite)
	migrateUp(t, migrated)

	for _, args := range [][]string{
		{"migrate", "--database", fresh, "up", "--nonsense"},
		{"migrate", "up", "--database", fresh, "--nonsense"},
		{"migrate", "--database", fresh, "status", "--nonsense"},
		{"keys", "--database", migrated, "rotate", "--nonsense"},
		{"keys", "rotate", "--nonsense", "--database", migrated},
	} {
		r := runCLI(t, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "nonsense") || r.stdout != "" {
			t.Errorf("seatkeeper %s: exit %d, stdout %q, stderr %q; want exit 2, "+
				"the flag named and nothing done", strings.Join(args, " "), r.code,
				r.stdout, r.stderr)
		}
	}

	// Nothing was done: the fresh database has every migration to apply, and
	// the migrated one has no signing key yet to retire.
	if n := migrateUp(t, fresh); n == 0 {
		t.Error("a refused migrate up migrated the database")
	}
	r := runCLI(t, nil, "keys", "rotate", "--database", migrated)
	if r.code != 0 || strings.Contains(r.stdout, "retired") {
		t.Errorf("rotating after the refused runs: exit %d, stdout %q; want no key "+
			"retired, since a refused run made none", r.code, r.stdout)
	}
}
