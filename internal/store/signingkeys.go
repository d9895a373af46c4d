package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// SigningKeyRecord is a key that signs license tokens, as stored: the public
// key and the private key's seed in base64url. PrivateKey is empty when only
// the public part was read.
type SigningKeyRecord struct {
	ID         string
	PublicKey  string
	PrivateKey string
	CreatedAt  time.Time
	RetiredAt  *time.Time
}

// CurrentSigningKey returns the key that signs tokens now, or ENOTFOUND
// before the first key is made.
func (tx *Tx) CurrentSigningKey(ctx context.Context) (*SigningKeyRecord, error) {
	k := &SigningKeyRecord{}
	err := tx.q.QueryRowContext(ctx, `
		SELECT id, public_key, private_key, created_at FROM signing_keys WHERE is_current`).Scan(
		&k.ID, &k.PublicKey, &k.PrivateKey, &k.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No signing key has been made yet.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading signing key: %w", err)
	}
	return k, nil
}

// InsertSigningKey stores a new current key. While another key is current
// the schema refuses it: a unique violation, which IsUniqueViolation tells.
func (tx *Tx) InsertSigningKey(ctx context.Context, k *SigningKeyRecord) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO signing_keys (id, public_key, private_key, is_current, created_at)
		VALUES ($1, $2, $3, TRUE, $4)`, k.ID, k.PublicKey, k.PrivateKey, k.CreatedAt)
	if err != nil {
		return fmt.Errorf("inserting signing key: %w", err)
	}
	return nil
}

// RetireSigningKey stops the current key from signing, as of now, and
// returns its ID ("" if there was none).
func (tx *Tx) RetireSigningKey(ctx context.Context, now time.Time) (string, error) {
	var id string
	err := tx.q.QueryRowContext(ctx, `
		UPDATE signing_keys SET is_current = FALSE, retired_at = $1 WHERE is_current
		RETURNING id`, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("retiring signing key: %w", err)
	}
	return id, nil
}

// VerificationKeys returns the public part of the current key and of the
// keys retired after since, newest first.
func (tx *Tx) VerificationKeys(ctx context.Context, since time.Time) (
	[]SigningKeyRecord, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, public_key, created_at, retired_at FROM signing_keys
		WHERE is_current OR retired_at > $1
		ORDER BY created_at DESC, id DESC`, since)
	if err != nil {
		return nil, fmt.Errorf("listing signing keys: %w", err)
	}
	defer rows.Close()

	var list []SigningKeyRecord
	for rows.Next() {
		var k SigningKeyRecord
		if err := rows.Scan(&k.ID, &k.PublicKey, &k.CreatedAt, &k.RetiredAt); err != nil {
			return nil, fmt.Errorf("reading signing key: %w", err)
		}
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing signing keys: %w", err)
	}
	return list, nil
}
