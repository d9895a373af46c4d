package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// BeginIdempotent claims an idempotency key for a request, identified by
// the hash of its method, route and body. It returns nil for a new key (the
// request should run), the stored answer for a key whose request finished, or
// an error: EINVALID for a key used with another request, ECONFLICT for a
// request with the key still running.
func (tx *Tx) BeginIdempotent(ctx context.Context, userID, key, hash string, now time.Time) (
	*sk.StoredResponse, error) {
	res, err := tx.q.ExecContext(ctx, `
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING`,
		userID, key, hash, now)
	if err != nil {
		return nil, fmt.Errorf("claiming idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, err
	}

	var storedHash string
	var status sql.Null[int]
	var body sql.Null[string]
	err = tx.q.QueryRowContext(ctx, `
		SELECT request_hash, response_status, response_body FROM idempotency_keys
		WHERE user_id = $1 AND key = $2`, userID, key).Scan(&storedHash, &status, &body)
	if err != nil {
		return nil, fmt.Errorf("reading idempotency key: %w", err)
	}
	switch {
	case storedHash != hash:
		return nil, sk.Invalid("Idempotency-Key",
			"was used with another request; use a new key for a new request")
	case !status.Valid:
		return nil, sk.Errorf(sk.ECONFLICT,
			"A request with this Idempotency-Key is still being processed; retry shortly.")
	}
	return &sk.StoredResponse{Status: status.V, Body: []byte(body.V)}, nil
}

// FinishIdempotent stores the answer of the request that holds the key.
func (tx *Tx) FinishIdempotent(ctx context.Context, userID, key string,
	r *sk.StoredResponse) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE idempotency_keys SET response_status = $3, response_body = $4
		WHERE user_id = $1 AND key = $2`, userID, key, r.Status, string(r.Body))
	if err != nil {
		return fmt.Errorf("storing idempotent response: %w", err)
	}
	return nil
}

// DropIdempotent releases a key whose request failed on the server's side,
// so that a retry runs it again.
func (tx *Tx) DropIdempotent(ctx context.Context, userID, key string) error {
	_, err := tx.q.ExecContext(ctx,
		`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key)
	if err != nil {
		return fmt.Errorf("releasing idempotency key: %w", err)
	}
	return nil
}
