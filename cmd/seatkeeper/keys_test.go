package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func TestKeysRotate(t *testing.T) {
	t.Parallel()
	dbURL := storetest.URL(t, store.SQLite)
	migrateUp(t, dbURL)

	first := runCLI(t, nil, "keys", "rotate", "--database", dbURL)
	newKey := regexp.MustCompile(`signing with new key (key_\w+)`)
	m := newKey.FindStringSubmatch(first.stdout)
	if first.code != 0 || m == nil || strings.Contains(first.stdout, "retired") {
		t.Fatalf("first rotation: exit %d, stdout %q, stderr %q", first.code, first.stdout,
			first.stderr)
	}

	second := runCLI(t, nil, "keys", "--database", dbURL, "rotate")
	if second.code != 0 || !strings.Contains(second.stdout, "retired key "+m[1]) {
		t.Errorf("second rotation: exit %d, stdout %q, want %s retired", second.code,
			second.stdout, m[1])
	}

	if r := runCLI(t, nil, "keys", "--database", dbURL); r.code == 0 ||
		!strings.Contains(r.stderr, "rotate") {
		t.Errorf("keys without an action: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestTokenTTLMustBePositive(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "serve", "--token-ttl", "0s", "--database",
		storetest.URL(t, store.SQLite))
	if r.code == 0 || !strings.Contains(r.stderr, "token-ttl") {
		t.Errorf("--token-ttl 0s: exit %d, stderr %q", r.code, r.stderr)
	}
}
