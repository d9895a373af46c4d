package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// CreateAPIToken stores a named token, one its user made and keeps until
// they revoke it or it expires, under the hash of its secret.
func (tx *Tx) CreateAPIToken(ctx context.Context, userID, secretHash string, t *sk.APIToken) error {
	return tx.insertAPIToken(ctx, userID, secretHash, "named", t)
}

// CreateSignInToken stores a sign-in token, the API's session, under the
// hash of its secret. Unlike a named token it ends with the user's other
// sessions (DeleteSignInTokens).
func (tx *Tx) CreateSignInToken(ctx context.Context, userID, secretHash string,
	t *sk.APIToken) error {
	return tx.insertAPIToken(ctx, userID, secretHash, "sign_in", t)
}

func (tx *Tx) insertAPIToken(ctx context.Context, userID, secretHash, kind string,
	t *sk.APIToken) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO api_tokens (id, user_id, name, secret_hash, created_at, expires_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ID, userID, t.Name, secretHash, t.CreatedAt, t.ExpiresAt, kind)
	if err != nil {
		return fmt.Errorf("inserting api token: %w", err)
	}
	return nil
}

// DeleteSignInTokens revokes every sign-in token of the user but keep (a
// token ID; "" keeps none). Named tokens stay.
func (tx *Tx) DeleteSignInTokens(ctx context.Context, userID, keep string) error {
	_, err := tx.q.ExecContext(ctx, `
		DELETE FROM api_tokens WHERE user_id = $1 AND kind = 'sign_in' AND id <> $2`,
		userID, keep)
	if err != nil {
		return fmt.Errorf("deleting sign-in tokens: %w", err)
	}
	return nil
}

// APITokenUser returns the token (its ID and last use, what authenticating
// needs) and its user for a secret's hash, if the token exists and has not
// expired at now; else ENOTFOUND. With them it reads the licenses the user
// holds, oldest assignment first, in the same statement: the product's
// online check authenticates and asks for exactly those, and is the busiest
// request there is. It only reads, so that authenticating a request takes no
// write lock.
func (tx *Tx) APITokenUser(ctx context.Context, secretHash string, now time.Time) (
	*sk.APIToken, *UserRecord, []sk.HeldLicense, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT tok.id, tok.last_used_at, u.id, u.email, u.name,
			u.email_verified_at IS NOT NULL, u.created_at, `+heldColumns+`
		FROM api_tokens tok
		JOIN users u ON u.id = tok.user_id
		LEFT JOIN licenses l ON l.assignee_user_id = u.id`+heldJoins+`
		WHERE tok.secret_hash = $1 AND (tok.expires_at IS NULL OR tok.expires_at > $2)
		ORDER BY l.assigned_at, l.id`, secretHash, now)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading api token: %w", err)
	}
	defer rows.Close()

	var t *sk.APIToken
	var u *UserRecord
	held := []sk.HeldLicense{}
	for rows.Next() {
		t, u = &sk.APIToken{}, &UserRecord{}
		var h heldRow
		dest := append([]any{&t.ID, &t.LastUsedAt, &u.ID, &u.Email, &u.Name, &u.EmailVerified,
			&u.CreatedAt}, h.dest()...)
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, nil, fmt.Errorf("reading api token: %w", err)
		}
		if l, ok := h.license(u.ID); ok {
			held = append(held, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("reading api token: %w", err)
	}
	if t == nil {
		return nil, nil, nil, sk.Errorf(sk.ENOTFOUND, "No such token.")
	}
	return t, u, held, nil
}

// TouchAPIToken records that the token was used at now, unless a use after
// since is already recorded.
func (tx *Tx) TouchAPIToken(ctx context.Context, id string, now, since time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE api_tokens SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, id, now, since)
	if err != nil {
		return fmt.Errorf("recording api token use: %w", err)
	}
	return nil
}

// APITokens lists up to limit of a user's tokens, newest first, starting
// after the token with ID before ("" for the newest).
func (tx *Tx) APITokens(ctx context.Context, userID, before string, limit int) (
	[]sk.APIToken, error) {
	a := args{userID}
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens
		WHERE user_id = $1`+a.keyset("id", "<", before)+`
		ORDER BY id DESC LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("listing api tokens: %w", err)
	}
	defer rows.Close()

	list := []sk.APIToken{}
	for rows.Next() {
		var t sk.APIToken
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt); err != nil {
			return nil, fmt.Errorf("reading api token: %w", err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing api tokens: %w", err)
	}
	return list, nil
}

// DeleteAPIToken revokes a user's token; ENOTFOUND if the user has none
// with that ID.
func (tx *Tx) DeleteAPIToken(ctx context.Context, userID, tokenID string) error {
	res, err := tx.q.ExecContext(ctx,
		`DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, tokenID, userID)
	return oneRow(res, err, "deleting api token", "No such token.")
}

// CreateSession stores a session under the hash of its secret.
func (tx *Tx) CreateSession(ctx context.Context, idHash, userID string,
	now, expires time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $3, $4)`, idHash, userID, now, expires)
	if err != nil {
		return fmt.Errorf("inserting session: %w", err)
	}
	return nil
}

// SessionRecord is a stored session.
type SessionRecord struct {
	IDHash     string
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionUser returns a session and its user, or ENOTFOUND. It only reads;
// whether the session is still alive is the caller's decision.
func (tx *Tx) SessionUser(ctx context.Context, idHash string) (*SessionRecord, *UserRecord, error) {
	s := &SessionRecord{IDHash: idHash}
	u := &UserRecord{}
	err := tx.q.QueryRowContext(ctx, `
		SELECT s.last_seen_at, s.expires_at, u.id, u.email, u.name, u.password_hash,
			u.email_verified_at IS NOT NULL, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1`, idHash).Scan(&s.LastSeenAt, &s.ExpiresAt, &u.ID, &u.Email,
		&u.Name, &u.PasswordHash, &u.EmailVerified, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, sk.Errorf(sk.ENOTFOUND, "No such session.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading session: %w", err)
	}
	return s, u, nil
}

// TouchSession records a visit at now, unless one after since is recorded.
func (tx *Tx) TouchSession(ctx context.Context, idHash string, now, since time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $3`,
		idHash, now, since)
	if err != nil {
		return fmt.Errorf("recording session visit: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, idHash string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	if err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// DeleteSessions ends every session of the user but keep (a hash; "" keeps
// none).
func (tx *Tx) DeleteSessions(ctx context.Context, userID, keep string) error {
	_, err := tx.q.ExecContext(ctx,
		`DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, keep)
	if err != nil {
		return fmt.Errorf("deleting sessions: %w", err)
	}
	return nil
}

// EmailToken is a single-use link's secret, by hash.
type EmailToken struct {
	Hash      string
	UserID    string
	Purpose   string // "verify", "reset" or "email_change"
	Email     string // the address the link was sent to
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateEmailToken stores a link's token.
func (tx *Tx) CreateEmailToken(ctx context.Context, t *EmailToken) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, t.UserID, t.Purpose, t.Email, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("inserting email token: %w", err)
	}
	return nil
}

// UseEmailToken consumes a token of the purpose that is unused and
// unexpired at now, and returns it; else ENOTFOUND. Using it also retires
// the user's other tokens of the same purpose, so that only the newest link
// of a kind ever works.
func (tx *Tx) UseEmailToken(ctx context.Context, hash, purpose string, now time.Time) (
	*EmailToken, error) {
	t := &EmailToken{Hash: hash, Purpose: purpose}
	err := tx.q.QueryRowContext(ctx, `
		UPDATE email_tokens SET used_at = $3
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING user_id, email, created_at, expires_at`,
		hash, purpose, now).Scan(&t.UserID, &t.Email, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such token.")
	}
	if err != nil {
		return nil, fmt.Errorf("using email token: %w", err)
	}

	if err := tx.RetireEmailTokens(ctx, t.UserID, purpose, now); err != nil {
		return nil, err
	}
	return t, nil
}

// RetireEmailTokens marks every unused token of the user and purpose used.
func (tx *Tx) RetireEmailTokens(ctx context.Context, userID, purpose string, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE email_tokens SET used_at = $3
		WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, userID, purpose, now)
	if err != nil {
		return fmt.Errorf("retiring email tokens: %w", err)
	}
	return nil
}

// affected returns how many rows a write touched, or its error wrapped with
// op.
func affected(res sql.Result, err error, op string) (int, error) {
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	return int(n), nil
}

// oneRow turns the result of a write that must touch exactly one row into
// nil, ENOTFOUND with notFound as its message, or a wrapped error.
func oneRow(res sql.Result, err error, op, notFound string) error {
	n, err := affected(res, err, op)
	if err != nil {
		return err
	}
	if n == 0 {
		return sk.Errorf(sk.ENOTFOUND, "%s", notFound)
	}
	return nil
}
