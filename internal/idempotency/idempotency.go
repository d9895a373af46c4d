// Package idempotency remembers the answers of requests made with an
// Idempotency-Key in the store, so that every server sharing it answers a
// retry with the first answer, and two identical requests racing run once.
//
// A key lives a day (Lifetime), as Stripe's do: after it, finished or not,
// it is pruned, and a request with it runs afresh.
package idempotency

import (
	"context"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Lifetime is how long a key is remembered from its first use.
const Lifetime = 24 * time.Hour

// interrupted is how long a request may hold its key without an answer
// before it is taken for interrupted: its server stopped between the
// request's work and the stored answer. No request runs this long.
const interrupted = 10 * time.Minute

// Keys implements sk.IdempotencyKeys.
type Keys struct {
	DB    *store.DB
	Clock sk.Clock
}

var _ sk.IdempotencyKeys = (*Keys)(nil)

// Begin implements sk.IdempotencyKeys. A key used with another request is
// EINVALID; a key held by a request without an answer is ECONFLICT, saying
// whether that request still runs or was interrupted.
func (k *Keys) Begin(ctx context.Context, userID, key, hash string) (*sk.StoredResponse, error) {
	now := k.Clock.Now()
	var rec *store.IdempotencyRecord
	var claimed bool
	err := k.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		rec, claimed, err = tx.ClaimIdempotent(ctx, userID, key, hash, now, now.Add(-Lifetime))
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case claimed:
		return nil, nil
	case rec.Hash != hash:
		return nil, sk.Invalid("Idempotency-Key",
			"was used with another request; use a new key for a new request")
	case rec.Response != nil:
		return rec.Response, nil
	case now.Sub(rec.CreatedAt) > interrupted:
		return nil, sk.Errorf(sk.ECONFLICT, "The request first sent with this "+
			"Idempotency-Key at %s was interrupted before it answered, and may have "+
			"taken effect: check before sending it again with a new key.",
			rec.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil, sk.Errorf(sk.ECONFLICT,
		"A request with this Idempotency-Key is still being processed; retry shortly.")
}

// Finish implements sk.IdempotencyKeys.
func (k *Keys) Finish(ctx context.Context, userID, key string, r *sk.StoredResponse) error {
	return k.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.FinishIdempotent(ctx, userID, key, r)
	})
}

// Abort implements sk.IdempotencyKeys.
func (k *Keys) Abort(ctx context.Context, userID, key string) error {
	return k.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.DropIdempotent(ctx, userID, key)
	})
}

// Prune forgets every key older than Lifetime, finished or not, and returns
// how many. The background work runs it; Begin needs none of it to treat
// an expired key as new.
func (k *Keys) Prune(ctx context.Context) (int, error) {
	return k.DB.PruneIdempotent(ctx, k.Clock.Now().Add(-Lifetime))
}
