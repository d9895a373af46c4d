package idempotency_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/idempotency"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestKeyLifecycle follows one key: claimed, held while its request runs,
// taken for interrupted when it never answered, replayed once finished,
// refused for another request, and forgotten after its lifetime.
func TestKeyLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		clock := &sk.DevClock{}
		keys := &idempotency.Keys{DB: db, Clock: clock}
		const user = "usr_idem"
		seedUser(t, db, user)

		begin := func(key, hash string) (*sk.StoredResponse, error) {
			t.Helper()
			return keys.Begin(ctx, user, key, hash)
		}
		if stored, err := begin("k", "h1"); stored != nil || err != nil {
			t.Fatalf("a new key: %v, %v; want it claimed", stored, err)
		}
		if _, err := begin("k", "h1"); sk.ErrorCode(err) != sk.ECONFLICT ||
			!strings.Contains(sk.ErrorMessage(err), "still being processed") {
			t.Errorf("a key whose request runs: %v", err)
		}
		clock.Advance(11 * time.Minute)
		if _, err := begin("k", "h1"); sk.ErrorCode(err) != sk.ECONFLICT ||
			!strings.Contains(sk.ErrorMessage(err), "interrupted") {
			t.Errorf("a key whose request never answered: %v", err)
		}

		if stored, err := begin("done", "h2"); stored != nil || err != nil {
			t.Fatalf("claiming a second key: %v, %v", stored, err)
		}
		answer := &sk.StoredResponse{Status: 201, Body: []byte(`{"ok":true}`)}
		if err := keys.Finish(ctx, user, "done", answer); err != nil {
			t.Fatal(err)
		}
		stored, err := begin("done", "h2")
		if err != nil || stored == nil || stored.Status != 201 || string(stored.Body) !=
			string(answer.Body) {
			t.Errorf("a finished key: %+v, %v; want the first answer", stored, err)
		}
		if _, err := begin("done", "other"); sk.ErrorCode(err) != sk.EINVALID {
			t.Errorf("a finished key with another request: %v, want EINVALID", err)
		}

		// A day on, both are forgotten: pruned, and free for a new request.
		clock.Advance(idempotency.Lifetime)
		if n, err := keys.Prune(ctx); err != nil || n != 2 {
			t.Errorf("pruning after a day: %d, %v; want both keys", n, err)
		}
		if stored, err := begin("done", "other"); stored != nil || err != nil {
			t.Errorf("a forgotten key: %v, %v; want it claimed afresh", stored, err)
		}
		if n, err := keys.Prune(ctx); err != nil || n != 0 {
			t.Errorf("pruning again: %d, %v; want none, the new claim is young", n, err)
		}
	})
}

// seedUser inserts the user whose keys these are.
func seedUser(t *testing.T, db *store.DB, id string) {
	t.Helper()
	now := sk.SystemClock{}.Now()
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.CreateUser(context.Background(), &store.UserRecord{
			User:         sk.User{ID: id, Email: id + "@example.com", Name: id, CreatedAt: now},
			PasswordHash: "x",
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
