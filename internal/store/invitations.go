package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// InvitationRecord is an invitation with what only the service sees.
type InvitationRecord struct {
	sk.Invitation
	InviterID  *string
	AcceptedAt *time.Time
	RevokedAt  *time.Time
}

// Status works out the invitation's status at now.
func (r *InvitationRecord) status(now time.Time) string {
	switch {
	case r.AcceptedAt != nil:
		return sk.InvitationAccepted
	case r.RevokedAt != nil:
		return sk.InvitationRevoked
	case !r.ExpiresAt.After(now):
		return sk.InvitationExpired
	}
	return sk.InvitationPending
}

const invitationColumns = `i.id, i.org_id, i.email, i.role, i.team_id, i.invited_by,
	i.created_at, i.expires_at, i.accepted_at, i.revoked_at, u.id, u.email, u.name`

func scanInvitation(row interface{ Scan(...any) error }, now time.Time) (*InvitationRecord, error) {
	var r InvitationRecord
	var inviterID, inviterEmail, inviterName sql.Null[string]
	err := row.Scan(&r.ID, &r.OrgID, &r.Email, &r.Role, &r.TeamID, &r.InviterID,
		&r.CreatedAt, &r.ExpiresAt, &r.AcceptedAt, &r.RevokedAt,
		&inviterID, &inviterEmail, &inviterName)
	if err != nil {
		return nil, err
	}
	if inviterID.Valid {
		r.InvitedBy = &sk.UserRef{ID: inviterID.V, Email: inviterEmail.V, Name: inviterName.V}
	}
	r.Status = r.status(now)
	return &r, nil
}

// CreateInvitation inserts an invitation under the hash of its token.
func (tx *Tx) CreateInvitation(ctx context.Context, r *InvitationRecord, tokenHash string) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO invitations (id, org_id, team_id, email, role, token_hash, invited_by,
			created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.OrgID, r.TeamID, r.Email, r.Role, tokenHash, r.InviterID, r.CreatedAt,
		r.ExpiresAt)
	if err != nil {
		return fmt.Errorf("inserting invitation: %w", err)
	}
	return nil
}

// Invitation returns an invitation of the organization, or ENOTFOUND.
func (tx *Tx) Invitation(ctx context.Context, orgID, id string, now time.Time) (
	*InvitationRecord, error) {
	row := tx.q.QueryRowContext(ctx, `
		SELECT `+invitationColumns+`
		FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
		WHERE i.org_id = $1 AND i.id = $2`, orgID, id)
	return invitationOrNotFound(scanInvitation(row, now))
}

// InvitationByToken returns the invitation whose token hashes to hash, or
// ENOTFOUND.
func (tx *Tx) InvitationByToken(ctx context.Context, hash string, now time.Time) (
	*InvitationRecord, error) {
	row := tx.q.QueryRowContext(ctx, `
		SELECT `+invitationColumns+`
		FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
		WHERE i.token_hash = $1`, hash)
	return invitationOrNotFound(scanInvitation(row, now))
}

func invitationOrNotFound(r *InvitationRecord, err error) (*InvitationRecord, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such invitation.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading invitation: %w", err)
	}
	return r, nil
}

// Invitations lists up to limit of the invitations of a scope, newest first,
// after the one with ID before ("" for the first page). At the organization
// scope it lists those of its teams too.
func (tx *Tx) Invitations(ctx context.Context, s sk.Scope, before string, limit int,
	now time.Time) ([]sk.Invitation, error) {
	a := args{s.OrgID}
	team := ""
	if s.TeamID != "" {
		team = " AND i.team_id = " + a.add(s.TeamID)
	}
	rows, err := tx.q.QueryContext(ctx, `
		SELECT `+invitationColumns+`
		FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
		WHERE i.org_id = $1`+team+a.keyset("i.id", "<", before)+`
		ORDER BY i.id DESC LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("listing invitations: %w", err)
	}
	defer rows.Close()

	var list []sk.Invitation
	for rows.Next() {
		r, err := scanInvitation(rows, now)
		if err != nil {
			return nil, fmt.Errorf("reading invitation: %w", err)
		}
		list = append(list, r.Invitation)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing invitations: %w", err)
	}
	return list, nil
}

// PendingInvitation reports whether the address has an invitation at the
// scope that is still pending at now.
func (tx *Tx) PendingInvitation(ctx context.Context, s sk.Scope, email string, now time.Time) (
	bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `
		SELECT count(*) FROM invitations g
		WHERE `+scopeClause(s.TeamID)+` AND lower(g.email) = lower($3)
			AND g.accepted_at IS NULL AND g.revoked_at IS NULL AND g.expires_at > $4`,
		s.OrgID, s.TeamID, email, now).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking invitations: %w", err)
	}
	return n > 0, nil
}

// ScopeHolder reports whether a user with the (verified) address holds a
// role at the scope.
func (tx *Tx) ScopeHolder(ctx context.Context, s sk.Scope, email string) (bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `
		SELECT count(*) FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE `+scopeClause(s.TeamID)+` AND lower(u.email) = lower($3)`,
		s.OrgID, s.TeamID, email).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking roles: %w", err)
	}
	return n > 0, nil
}

// RenewInvitation gives an invitation a new token, expiry and inviter (the
// user who resent it); the old token stops working.
func (tx *Tx) RenewInvitation(ctx context.Context, id, tokenHash string, expires time.Time,
	inviterID string) error {
	res, err := tx.q.ExecContext(ctx, `
		UPDATE invitations SET token_hash = $2, expires_at = $3, invited_by = $4
		WHERE id = $1`,
		id, tokenHash, expires, inviterID)
	return oneRow(res, err, "renewing invitation", "No such invitation.")
}

// RevokeInvitation marks an invitation revoked.
func (tx *Tx) RevokeInvitation(ctx context.Context, id string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE invitations SET revoked_at = $2 WHERE id = $1`, id, now)
	return oneRow(res, err, "revoking invitation", "No such invitation.")
}

// AcceptInvitation marks an invitation accepted by the user.
func (tx *Tx) AcceptInvitation(ctx context.Context, id, userID string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE invitations SET accepted_at = $3, accepted_by = $2 WHERE id = $1`,
		id, userID, now)
	return oneRow(res, err, "accepting invitation", "No such invitation.")
}
