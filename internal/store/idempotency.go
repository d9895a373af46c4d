package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// IdempotencyRecord is an idempotency key as stored: the hash of the
// request that claimed it, when, and its answer once it finished.
type IdempotencyRecord struct {
	Hash      string
	Response  *sk.StoredResponse // nil while the request runs, or after a crash
	CreatedAt time.Time
}

// ClaimIdempotent claims the user's key at now for a request, identified by
// the hash of its method, route and body. A claim made at or before expired
// is dropped first, finished or not, so that an expired key is used afresh.
// It returns the claim that holds the key and whether it is this request's.
func (tx *Tx) ClaimIdempotent(ctx context.Context, userID, key, hash string,
	now, expired time.Time) (*IdempotencyRecord, bool, error) {
	_, err := tx.q.ExecContext(ctx, `
		DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at <= $3`,
		userID, key, expired)
	if err != nil {
		return nil, false, fmt.Errorf("dropping expired idempotency key: %w", err)
	}
	res, err := tx.q.ExecContext(ctx, `
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING`,
		userID, key, hash, now)
	if err != nil {
		return nil, false, fmt.Errorf("claiming idempotency key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("claiming idempotency key: %w", err)
	}
	if n == 1 {
		return &IdempotencyRecord{Hash: hash, CreatedAt: now}, true, nil
	}

	rec := &IdempotencyRecord{}
	var status sql.Null[int]
	var body sql.Null[string]
	err = tx.q.QueryRowContext(ctx, `
		SELECT request_hash, response_status, response_body, created_at
		FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).Scan(
		&rec.Hash, &status, &body, &rec.CreatedAt)
	if err != nil {
		return nil, false, fmt.Errorf("reading idempotency key: %w", err)
	}
	if status.Valid {
		rec.Response = &sk.StoredResponse{Status: status.V, Body: []byte(body.V)}
	}
	return rec, false, nil
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

// PruneIdempotent forgets every key claimed at or before expired, finished
// or not, and returns how many. It is one statement outside any
// transaction, as servers sharing the store may run it at once.
func (db *DB) PruneIdempotent(ctx context.Context, expired time.Time) (int, error) {
	res, err := db.sql.ExecContext(ctx,
		`DELETE FROM idempotency_keys WHERE created_at <= $1`, expired)
	return affected(res, err, "pruning idempotency keys")
}
