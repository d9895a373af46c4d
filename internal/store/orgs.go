package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// CreateOrganization inserts an organization.
func (tx *Tx) CreateOrganization(ctx context.Context, o *sk.Organization,
	customerID *string) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO organizations (id, name, customer_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4)`, o.ID, o.Name, customerID, o.CreatedAt)
	if err != nil {
		return fmt.Errorf("inserting organization: %w", err)
	}
	return nil
}

// Organization returns an organization without the caller's roles, or
// ENOTFOUND.
func (tx *Tx) Organization(ctx context.Context, id string) (*sk.Organization, error) {
	o := &sk.Organization{ID: id}
	err := tx.q.QueryRowContext(ctx,
		`SELECT name, created_at FROM organizations WHERE id = $1`, id).Scan(&o.Name, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such organization.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading organization: %w", err)
	}
	return o, nil
}

// RenameOrganization sets an organization's name.
func (tx *Tx) RenameOrganization(ctx context.Context, id, name string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE organizations SET name = $2, updated_at = $3 WHERE id = $1`, id, name, now)
	return oneRow(res, err, "renaming organization", "No such organization.")
}

// RolesIn returns every role the user holds in the organization and its
// teams.
func (tx *Tx) RolesIn(ctx context.Context, orgID, userID string) ([]sk.RoleRef, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT role, team_id FROM role_grants WHERE user_id = $1 AND org_id = $2`, userID, orgID)
	if err != nil {
		return nil, fmt.Errorf("reading roles: %w", err)
	}
	defer rows.Close()

	var refs []sk.RoleRef
	for rows.Next() {
		var r sk.RoleRef
		if err := rows.Scan(&r.Role, &r.TeamID); err != nil {
			return nil, fmt.Errorf("reading role: %w", err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading roles: %w", err)
	}
	return refs, nil
}

// teamLicenseCount is the number of licenses delegated to team t, from the
// counts that triggers keep, so that listing a thousand teams reads a
// thousand rows rather than every license of the organization.
const teamLicenseCount = `COALESCE((SELECT c.total FROM license_counts c
	WHERE c.org_id = t.org_id AND c.scope = t.id), 0)`

// Teams lists up to limit of an organization's teams by name ignoring case,
// then ID, starting after the team whose sort key is after ("" for the
// first page). It returns each team's sort key with it: the lower-cased name
// and the ID on two lines (team names hold no control characters).
func (tx *Tx) Teams(ctx context.Context, orgID, after string, limit int) ([]sk.Team, []string,
	error) {
	a := args{orgID}
	var past string
	if afterName, afterID, _ := strings.Cut(after, "\n"); after != "" {
		past = " AND (lower(t.name), t.id) > (" + a.add(afterName) + ", " + a.add(afterID) + ")"
	}
	rows, err := tx.q.QueryContext(ctx, `
		SELECT t.id, t.name, t.created_at, lower(t.name), `+teamLicenseCount+`
		FROM teams t
		WHERE t.org_id = $1`+past+`
		ORDER BY lower(t.name), t.id LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, nil, fmt.Errorf("listing teams: %w", err)
	}
	defer rows.Close()

	var teams []sk.Team
	var keys []string
	for rows.Next() {
		var t sk.Team
		var sortName string
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &sortName, &t.LicenseCount); err != nil {
			return nil, nil, fmt.Errorf("reading team: %w", err)
		}
		teams = append(teams, t)
		keys = append(keys, sortName+"\n"+t.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("listing teams: %w", err)
	}
	return teams, keys, nil
}

// TeamNames lists up to limit of an organization's teams, ID and name, in
// the order of Teams. It reads no counts: it is what pickers need.
func (tx *Tx) TeamNames(ctx context.Context, orgID string, limit int) ([]sk.OrgRef, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, name FROM teams WHERE org_id = $1
		ORDER BY lower(name), id LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("listing team names: %w", err)
	}
	defer rows.Close()

	var names []sk.OrgRef
	for rows.Next() {
		var n sk.OrgRef
		if err := rows.Scan(&n.ID, &n.Name); err != nil {
			return nil, fmt.Errorf("reading team name: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing team names: %w", err)
	}
	return names, nil
}

// Team returns a team of the organization, or ENOTFOUND.
func (tx *Tx) Team(ctx context.Context, orgID, teamID string) (*sk.Team, error) {
	t := &sk.Team{ID: teamID}
	err := tx.q.QueryRowContext(ctx, `
		SELECT t.name, t.created_at, `+teamLicenseCount+`
		FROM teams t WHERE t.org_id = $1 AND t.id = $2`, orgID, teamID).Scan(
		&t.Name, &t.CreatedAt, &t.LicenseCount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such team.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading team: %w", err)
	}
	return t, nil
}

var errTeamName = sk.Invalid("name", "is taken by another team of this organization")

// CreateTeam inserts a team. A name taken in the organization, ignoring
// case, is an EINVALID error on the field name.
func (tx *Tx) CreateTeam(ctx context.Context, orgID string, t *sk.Team) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO teams (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)`,
		t.ID, orgID, t.Name, t.CreatedAt)
	if IsUniqueViolation(err) {
		return errTeamName
	}
	if err != nil {
		return fmt.Errorf("inserting team: %w", err)
	}
	return nil
}

// RenameTeam sets a team's name, refusing one taken like CreateTeam.
func (tx *Tx) RenameTeam(ctx context.Context, orgID, teamID, name string) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE teams SET name = $3 WHERE org_id = $1 AND id = $2`, orgID, teamID, name)
	if IsUniqueViolation(err) {
		return errTeamName
	}
	return oneRow(res, err, "renaming team", "No such team.")
}

// TeamNameTaken reports whether another team of the organization has the
// name, ignoring case.
func (tx *Tx) TeamNameTaken(ctx context.Context, orgID, name, exceptID string) (bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `
		SELECT count(*) FROM teams WHERE org_id = $1 AND lower(name) = lower($2) AND id <> $3`,
		orgID, name, exceptID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking team name: %w", err)
	}
	return n > 0, nil
}

// RemoveTeam deletes a team after returning its licenses, with their
// assignees, to the organization. Its grants and invitations go with it.
// It returns how many licenses moved.
func (tx *Tx) RemoveTeam(ctx context.Context, orgID, teamID string) (int64, error) {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE licenses SET team_id = NULL WHERE org_id = $1 AND team_id = $2`, orgID, teamID)
	if err != nil {
		return 0, fmt.Errorf("returning team licenses: %w", err)
	}
	moved, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("returning team licenses: %w", err)
	}

	_, err = tx.q.ExecContext(ctx,
		`DELETE FROM license_counts WHERE org_id = $1 AND scope = $2`, orgID, teamID)
	if err != nil {
		return 0, fmt.Errorf("removing team counts: %w", err)
	}
	res, err = tx.q.ExecContext(ctx, `DELETE FROM teams WHERE org_id = $1 AND id = $2`,
		orgID, teamID)
	return moved, oneRow(res, err, "removing team", "No such team.")
}
