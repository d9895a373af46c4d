package main

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/fixture"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// BenchmarkColdStart starts serve on an SQLite store that holds the scale
// fixture and times it from the start of the process to the first 200 of
// /readyz: opening the store, checking its migrations, writing the plan
// catalogue, loading the signing key and listening. The operations issue's
// target is under a second.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	databaseURL := "sqlite:" + filepath.Join(b.TempDir(), "fixture.db")
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := fixture.Fill(ctx, db, fixture.Default, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	db.Close()

	b.ResetTimer()
	for range b.N {
		s := startServer(b, serveFlags(databaseURL)...)
		waitStatus(b, s.url("/readyz"), http.StatusOK)
		b.StopTimer()
		if code := s.stop(b); code != 0 {
			b.Fatalf("serve exited with %d", code)
		}
		b.StartTimer()
	}
}
