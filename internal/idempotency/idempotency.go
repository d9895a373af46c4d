// Package idempotency remembers the answers of requests made with an
// Idempotency-Key in the store, so that every server sharing it answers a
// retry with the first answer, and two identical requests racing run once.
package idempotency

import (
	"context"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Keys implements sk.IdempotencyKeys.
type Keys struct {
	DB    *store.DB
	Clock sk.Clock
}

var _ sk.IdempotencyKeys = (*Keys)(nil)

// Begin implements sk.IdempotencyKeys.
func (k *Keys) Begin(ctx context.Context, userID, key, hash string) (*sk.StoredResponse, error) {
	var stored *sk.StoredResponse
	err := k.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		stored, err = tx.BeginIdempotent(ctx, userID, key, hash, k.Clock.Now())
		return err
	})
	return stored, err
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
