package ratelimit_test

import (
	"context"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

var rule = ratelimit.Rule{Name: "test", Limit: 3, Window: time.Hour}

// TestAcquireAndRelease takes attempts up to the limit, gives one back, and
// is refused past it, with the wait until the window ends; a refused
// attempt moves no later key.
func TestAcquireAndRelease(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		l := &ratelimit.Limiter{DB: db, Clock: &sk.DevClock{}}
		client := ratelimit.Key{Rule: rule, Subject: "203.0.113.9"}
		roomier := ratelimit.Rule{Name: "roomier", Limit: rule.Limit + 1, Window: rule.Window}
		account := ratelimit.Key{Rule: roomier, Subject: "ada@example.com"}

		var last *ratelimit.Attempt
		for i := range rule.Limit {
			a, err := l.Acquire(ctx, client, account)
			if err != nil {
				t.Fatalf("attempt %d of %d: %v", i+1, rule.Limit, err)
			}
			last = a
		}
		if err := last.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Acquire(ctx, client, account); err != nil {
			t.Fatalf("the attempt a release gave back: %v", err)
		}

		_, err := l.Acquire(ctx, client, account)
		if e, ok := err.(*sk.Error); !ok || e.Code != sk.ERATELIMITED || e.RetryAfter <= 0 ||
			e.RetryAfter > int(rule.Window.Seconds()) {
			t.Fatalf("past the limit: %#v, want ERATELIMITED with a wait within the window", err)
		}
		// The refusal stopped at the client's key: the account's, one roomier,
		// has room for one more attempt from elsewhere, and no more.
		if _, err := l.Acquire(ctx, account); err != nil {
			t.Errorf("the account after the client's refusal: %v", err)
		}
		if _, err := l.Acquire(ctx, account); sk.ErrorCode(err) != sk.ERATELIMITED {
			t.Errorf("the account past its limit: %v", err)
		}
	})
}

// TestPrune deletes the counters of windows long over, and only those.
func TestPrune(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		clock := &sk.DevClock{}
		l := &ratelimit.Limiter{DB: db, Clock: clock}
		old := ratelimit.Key{Rule: rule, Subject: "old"}
		if err := l.Hit(ctx, old, old, old); err != nil {
			t.Fatal(err)
		}
		clock.Advance(ratelimit.Retention + time.Hour)
		fresh := ratelimit.Key{Rule: rule, Subject: "fresh"}
		if err := l.Hit(ctx, fresh); err != nil {
			t.Fatal(err)
		}

		if n, err := l.Prune(ctx); err != nil || n != 1 {
			t.Errorf("prune = %d, %v; want the old counter alone", n, err)
		}
		if err := l.Check(ctx, old); err != nil {
			t.Errorf("a pruned counter still limits: %v", err)
		}
		if err := l.Hit(ctx, fresh, fresh); err != nil {
			t.Errorf("the fresh counter after pruning: %v", err)
		}
		if err := l.Check(ctx, fresh); sk.ErrorCode(err) != sk.ERATELIMITED {
			t.Errorf("the fresh counter lost its hits to pruning: %v", err)
		}
	})
}
