package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// scopeClause matches the role_grants rows g of a scope, given the
// organization as $1 and the team as $2. It is spelled out per case so that
// both dialects use their indexes; $2 appears in both because PostgreSQL
// refuses a parameter that the statement does not use.
func scopeClause(teamID string) string {
	if teamID == "" {
		return "g.org_id = $1 AND g.team_id IS NULL AND $2 = ''"
	}
	return "g.org_id = $1 AND g.team_id = $2"
}

const grantColumns = `g.id, g.role, g.team_id, u.id, u.email, u.name`

func scanGrant(row interface{ Scan(...any) error }) (*sk.Grant, error) {
	var g sk.Grant
	err := row.Scan(&g.ID, &g.Role, &g.TeamID, &g.User.ID, &g.User.Email, &g.User.Name)
	return &g, err
}

// Grants lists up to limit grants of a scope in the order they were made,
// after the grant with ID after ("" for the first page).
func (tx *Tx) Grants(ctx context.Context, s sk.Scope, after string, limit int) ([]sk.Grant, error) {
	a := args{s.OrgID, s.TeamID}
	rows, err := tx.q.QueryContext(ctx, `
		SELECT `+grantColumns+`
		FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE `+scopeClause(s.TeamID)+a.keyset("g.id", ">", after)+`
		ORDER BY g.id LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("listing grants: %w", err)
	}
	defer rows.Close()

	var list []sk.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("reading grant: %w", err)
		}
		list = append(list, *g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing grants: %w", err)
	}
	return list, nil
}

// Grant returns the user's grant at a scope, or ENOTFOUND.
func (tx *Tx) Grant(ctx context.Context, s sk.Scope, userID string) (*sk.Grant, error) {
	row := tx.q.QueryRowContext(ctx, `
		SELECT `+grantColumns+`
		FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE `+scopeClause(s.TeamID)+` AND g.user_id = $3`, s.OrgID, s.TeamID, userID)
	g, err := scanGrant(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "The user holds no role here.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading grant: %w", err)
	}
	return g, nil
}

// CreateGrant inserts a grant. A user who already holds a role at the scope
// is an ECONFLICT.
func (tx *Tx) CreateGrant(ctx context.Context, s sk.Scope, g *sk.Grant, grantedBy *string,
	now time.Time) error {
	var team *string
	if s.TeamID != "" {
		team = &s.TeamID
	}
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO role_grants (id, org_id, team_id, user_id, role, granted_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		g.ID, s.OrgID, team, g.User.ID, g.Role, grantedBy, now)
	if IsUniqueViolation(err) {
		return sk.Errorf(sk.ECONFLICT, "%s already holds a role here.", g.User.Email)
	}
	if err != nil {
		return fmt.Errorf("inserting grant: %w", err)
	}
	return nil
}

// SetGrantRole changes the role of a grant.
func (tx *Tx) SetGrantRole(ctx context.Context, grantID string, role sk.Role) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE role_grants SET role = $2 WHERE id = $1`, grantID, role)
	return oneRow(res, err, "changing grant", "The user holds no role here.")
}

// DeleteGrant removes a grant.
func (tx *Tx) DeleteGrant(ctx context.Context, grantID string) error {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM role_grants WHERE id = $1`, grantID)
	return oneRow(res, err, "removing grant", "The user holds no role here.")
}

// Owners counts the organization's Owners.
func (tx *Tx) Owners(ctx context.Context, orgID string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `
		SELECT count(*) FROM role_grants
		WHERE org_id = $1 AND team_id IS NULL AND role = 'owner'`, orgID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting owners: %w", err)
	}
	return n, nil
}

// Member returns the user if they hold any role in the organization or its
// teams, else ENOTFOUND.
func (tx *Tx) Member(ctx context.Context, orgID, userID string) (*sk.UserRef, error) {
	u := &sk.UserRef{}
	err := tx.q.QueryRowContext(ctx, `
		SELECT u.id, u.email, u.name FROM users u
		WHERE u.id = $2 AND EXISTS (
			SELECT 1 FROM role_grants g WHERE g.org_id = $1 AND g.user_id = u.id)`,
		orgID, userID).Scan(&u.ID, &u.Email, &u.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND,
			"No such member of this organization; invite people who are not yet members.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading member: %w", err)
	}
	return u, nil
}
