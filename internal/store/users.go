package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// UserRecord is a user with what only the store and the account service see.
type UserRecord struct {
	sk.User
	PasswordHash string
}

const userColumns = `id, email, name, password_hash, email_verified_at IS NOT NULL, created_at`

func scanUser(row interface{ Scan(...any) error }) (*UserRecord, error) {
	var u UserRecord
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.EmailVerified, &u.CreatedAt)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser inserts a user. It returns ECONFLICT when the email is taken.
func (tx *Tx) CreateUser(ctx context.Context, u *UserRecord) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)`,
		u.ID, u.Email, u.Name, u.PasswordHash, u.CreatedAt)
	if IsUniqueViolation(err) {
		return sk.Errorf(sk.ECONFLICT, "An account with this email address already exists.")
	}
	if err != nil {
		return fmt.Errorf("inserting user: %w", err)
	}
	return nil
}

// CreateVerifiedUsers inserts many users whose addresses count as verified
// at their creation, many rows per statement. It returns ECONFLICT when an
// email is taken.
func (tx *Tx) CreateVerifiedUsers(ctx context.Context, users []*UserRecord) error {
	for chunk := range slices.Chunk(users, insertBatch) {
		var a args
		rows := make([]string, len(chunk))
		for i, u := range chunk {
			at := a.add(u.CreatedAt)
			rows[i] = "(" + strings.Join([]string{a.add(u.ID), a.add(u.Email), a.add(u.Name),
				a.add(u.PasswordHash), at, at, at}, ", ") + ")"
		}
		_, err := tx.q.ExecContext(ctx, `
			INSERT INTO users (id, email, name, password_hash, email_verified_at, created_at,
				updated_at)
			VALUES `+strings.Join(rows, ", "), a...)
		if IsUniqueViolation(err) {
			return sk.Errorf(sk.ECONFLICT, "An account with one of these addresses already exists.")
		}
		if err != nil {
			return fmt.Errorf("inserting users: %w", err)
		}
	}
	return nil
}

// HasUsers reports whether the store holds any account at all.
func (tx *Tx) HasUsers(ctx context.Context) (bool, error) {
	var any bool
	err := tx.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("looking for users: %w", err)
	}
	return any, nil
}

// UserByID returns a user, or ENOTFOUND.
func (tx *Tx) UserByID(ctx context.Context, id string) (*UserRecord, error) {
	row := tx.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	return userOrNotFound(scanUser(row))
}

// UserByEmail returns the user with the address, compared without regard
// to case, or ENOTFOUND.
func (tx *Tx) UserByEmail(ctx context.Context, email string) (*UserRecord, error) {
	row := tx.q.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, email)
	return userOrNotFound(scanUser(row))
}

func userOrNotFound(u *UserRecord, err error) (*UserRecord, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such user.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading user: %w", err)
	}
	return u, nil
}

// MarkEmailVerified records that the user proved they own their address.
func (tx *Tx) MarkEmailVerified(ctx context.Context, userID string, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2
		WHERE id = $1`, userID, now)
	if err != nil {
		return fmt.Errorf("marking email verified: %w", err)
	}
	return nil
}

// SetPasswordHash replaces the user's password hash.
func (tx *Tx) SetPasswordHash(ctx context.Context, userID, hash string, now time.Time) error {
	_, err := tx.q.ExecContext(ctx,
		`UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`, userID, hash, now)
	if err != nil {
		return fmt.Errorf("setting password: %w", err)
	}
	return nil
}

// SetEmail changes the user's address, which counts as verified because the
// change was confirmed from it. It returns ECONFLICT when the address is
// taken.
func (tx *Tx) SetEmail(ctx context.Context, userID, email string, now time.Time) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE users SET email = $2, email_verified_at = $3, updated_at = $3 WHERE id = $1`,
		userID, email, now)
	if IsUniqueViolation(err) {
		return sk.Errorf(sk.ECONFLICT, "Another account already uses this email address.")
	}
	if err != nil {
		return fmt.Errorf("setting email: %w", err)
	}
	return nil
}

// Memberships lists the organizations where the user holds a role, by name,
// with every role they hold in each.
func (tx *Tx) Memberships(ctx context.Context, userID string) ([]sk.Membership, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT o.id, o.name, g.role, g.team_id, t.name
		FROM role_grants g JOIN organizations o ON o.id = g.org_id
		LEFT JOIN teams t ON t.id = g.team_id
		WHERE g.user_id = $1
		ORDER BY lower(o.name), o.id, g.team_id IS NOT NULL, lower(t.name), g.team_id`,
		userID)
	if err != nil {
		return nil, fmt.Errorf("listing memberships: %w", err)
	}
	defer rows.Close()

	list := []sk.Membership{}
	for rows.Next() {
		var orgID, orgName string
		var ref sk.RoleRef
		if err := rows.Scan(&orgID, &orgName, &ref.Role, &ref.TeamID, &ref.TeamName); err != nil {
			return nil, fmt.Errorf("reading membership: %w", err)
		}
		if n := len(list); n == 0 || list[n-1].ID != orgID {
			list = append(list, sk.Membership{ID: orgID, Name: orgName})
		}
		last := &list[len(list)-1]
		last.MyRoles = append(last.MyRoles, ref)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing memberships: %w", err)
	}
	return list, nil
}
