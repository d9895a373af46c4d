package product_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/product"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func service(db *store.DB, clock sk.Clock) *product.Service {
	return product.New(product.Config{DB: db, Clock: clock, Issuer: "https://example.com",
		Logger: slog.New(slog.DiscardHandler)})
}

// TestFirstKeyRace starts many servers at once on an empty database: they
// make one signing key between them, and all of them publish it.
func TestFirstKeyRace(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		const servers = 8
		var wg sync.WaitGroup
		errs := make([]error, servers)
		for i := range servers {
			wg.Go(func() {
				errs[i] = service(db, sk.SystemClock{}).EnsureKey(context.Background())
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("server %d: %v", i, err)
			}
		}

		keys, err := service(db, sk.SystemClock{}).PublicKeys(context.Background())
		if err != nil || len(keys) != 1 {
			t.Fatalf("PublicKeys = %+v, %v; want one key", keys, err)
		}
		k := keys[0]
		if k.KeyType != "OKP" || k.Curve != "Ed25519" || k.Alg != "EdDSA" || k.Use != "sig" ||
			len(k.X) != 43 || !sk.HasPrefix(k.KeyID, sk.PrefixSigningKey) {
			t.Errorf("published key %+v", k)
		}
	})
}

// TestRotationKeepsRetiredKeysWhileNeeded rotates twice and checks which
// keys are published as the clock moves past the tokens' lifetime.
func TestRotationKeepsRetiredKeysWhileNeeded(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		clock := &sk.DevClock{}
		s := service(db, clock)
		if err := s.EnsureKey(ctx); err != nil {
			t.Fatal(err)
		}
		first, _ := s.PublicKeys(ctx)

		second, retired, err := s.RotateKey(ctx)
		if err != nil || retired != first[0].KeyID {
			t.Fatalf("RotateKey = %v, retired %q; want %s retired", err, retired, first[0].KeyID)
		}
		clock.Advance(4 * 24 * time.Hour)
		third, _, err := s.RotateKey(ctx)
		if err != nil {
			t.Fatal(err)
		}

		published := func() []string {
			keys, err := s.PublicKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.KeyID)
			}
			return ids
		}
		want := []string{third.KeyID, second.KeyID, first[0].KeyID}
		if got := published(); !slices.Equal(got, want) {
			t.Errorf("after two rotations: %v, want %v (newest first)", got, want)
		}
		clock.Advance(3*24*time.Hour + 2*time.Minute) // the first retired 7 days ago
		if got := published(); !slices.Equal(got, want[:2]) {
			t.Errorf("a week after the first rotation: %v, want %v", got, want[:2])
		}
		clock.Advance(4 * 24 * time.Hour)
		if got := published(); !slices.Equal(got, want[:1]) {
			t.Errorf("a week after the second rotation: %v, want %v", got, want[:1])
		}
	})
}
