package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// LicenseRecord is a license with what the service needs to decide on it.
type LicenseRecord struct {
	sk.License
	OrgID              *string
	SubscriptionStatus string
}

// args collects positional query arguments and names their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// keyset is the condition that continues a list past key, the last item of
// the page before, with op "<" for a list newest first and ">" for one
// oldest first; the first page (key "") has none. Leaving it out, rather
// than writing "($n = ” OR id < $n)", lets SQLite seek its index to the
// key: with the OR it walks the list from the top, so that a page 90% deep
// cost ten times the first.
func (a *args) keyset(column, op, key string) string {
	if key == "" {
		return ""
	}
	return " AND " + column + " " + op + " " + a.add(key)
}

const licenseSelect = `
	SELECT l.id, l.org_id, l.team_id, l.subscription_id, l.assignee_user_id,
		COALESCE(u.email, l.assignee_email), u.name, l.assigned_at, s.status,
		s.current_period_start, s.current_period_end, s.plan_id,
		(SELECT count(*) FROM activations a WHERE a.license_id = l.id)
	FROM licenses l
	JOIN subscriptions s ON s.id = l.subscription_id
	LEFT JOIN users u ON u.id = l.assignee_user_id`

func scanLicense(row interface{ Scan(...any) error }) (*LicenseRecord, error) {
	var r LicenseRecord
	var start time.Time
	err := row.Scan(&r.ID, &r.OrgID, &r.TeamID, &r.SubscriptionID, &r.AssigneeID,
		&r.AssigneeEmail, &r.AssigneeName, &r.AssignedAt, &r.SubscriptionStatus,
		&start, &r.ValidUntil, &r.Plan, &r.Activations)
	if err != nil {
		return nil, err
	}
	r.ValidUntil = sk.LicensesValidUntil(r.SubscriptionStatus, start, r.ValidUntil)
	r.Status = licenseStatus(r.SubscriptionStatus, r.AssigneeID, r.AssigneeEmail)
	return &r, nil
}

func licenseStatus(subscription string, userID, email *string) string {
	switch {
	case subscription == "ended":
		return sk.LicenseExpired
	case userID != nil:
		return sk.LicenseAssigned
	case email != nil:
		return sk.LicensePending
	}
	return sk.LicenseUnassigned
}

// licenseWhere turns a filter into SQL conditions on licenses l, joined
// subscriptions s and users u.
func licenseWhere(orgID string, f sk.LicenseFilter, a *args) string {
	conds := []string{"l.org_id = " + a.add(orgID)}
	switch f.Team {
	case "":
	case "organization":
		conds = append(conds, "l.team_id IS NULL")
	default:
		conds = append(conds, "l.team_id = "+a.add(f.Team))
	}

	switch f.Status {
	case sk.LicenseExpired:
		conds = append(conds, "s.status = 'ended'")
	case sk.LicenseAssigned:
		conds = append(conds, "s.status <> 'ended' AND l.assignee_user_id IS NOT NULL")
	case sk.LicensePending:
		conds = append(conds, "s.status <> 'ended' AND l.assignee_email IS NOT NULL")
	case sk.LicenseUnassigned:
		conds = append(conds, "s.status <> 'ended' AND l.assignee_user_id IS NULL"+
			" AND l.assignee_email IS NULL")
	}

	if f.Query != "" {
		q := a.add("%" + escapeLike(strings.ToLower(f.Query)) + "%")
		conds = append(conds, "(lower(u.email) LIKE "+q+" ESCAPE '\\' OR lower(u.name) LIKE "+q+
			" ESCAPE '\\' OR lower(l.assignee_email) LIKE "+q+" ESCAPE '\\')")
	}
	return strings.Join(conds, " AND ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Licenses lists up to limit of an organization's licenses that match the
// filter, in ID order, after the license with ID after ("" for the first).
func (tx *Tx) Licenses(ctx context.Context, orgID string, f sk.LicenseFilter, after string,
	limit int) ([]sk.License, error) {
	var a args
	where := licenseWhere(orgID, f, &a)
	if after != "" {
		where += " AND l.id > " + a.add(after)
	}
	rows, err := tx.q.QueryContext(ctx, licenseSelect+" WHERE "+where+
		" ORDER BY l.id LIMIT "+a.add(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("listing licenses: %w", err)
	}
	defer rows.Close()

	list := []sk.License{}
	for rows.Next() {
		r, err := scanLicense(rows)
		if err != nil {
			return nil, fmt.Errorf("reading license: %w", err)
		}
		list = append(list, r.License)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing licenses: %w", err)
	}
	return list, nil
}

// LicenseCounts counts an organization's licenses: all of them (team ""),
// those it manages itself (team "organization"), or one team's. It reads the
// counters that the schema's triggers keep, so it costs the same at any size.
func (tx *Tx) LicenseCounts(ctx context.Context, orgID, team string) (*sk.LicenseCounts, error) {
	where, scope := "org_id = $1 AND scope = $2", team
	switch team {
	case "":
		where = "org_id = $1 AND $2 = ''"
	case "organization":
		scope = ""
	}
	var c sk.LicenseCounts
	err := tx.q.QueryRowContext(ctx, `
		SELECT COALESCE(SUM(total), 0), COALESCE(SUM(held), 0) FROM license_counts
		WHERE `+where, orgID, scope).Scan(&c.Total, &c.Assigned)
	if err != nil {
		return nil, fmt.Errorf("counting licenses: %w", err)
	}
	c.Free = c.Total - c.Assigned
	return &c, nil
}

// License returns one license of the organization, or ENOTFOUND.
func (tx *Tx) License(ctx context.Context, orgID, id string) (*LicenseRecord, error) {
	row := tx.q.QueryRowContext(ctx, licenseSelect+` WHERE l.org_id = $1 AND l.id = $2`,
		orgID, id)
	r, err := scanLicense(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such license.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading license: %w", err)
	}
	return r, nil
}

// HolderInSubscription returns the license of the subscription that the
// user holds, or that is pending for the address, if any ("" if none).
func (tx *Tx) HolderInSubscription(ctx context.Context, subscriptionID string, userID *string,
	email string) (string, error) {
	var id string
	err := tx.q.QueryRowContext(ctx, `
		SELECT id FROM licenses
		WHERE subscription_id = $1 AND (assignee_user_id = $2 OR lower(assignee_email) = lower($3))
		LIMIT 1`, subscriptionID, userID, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("checking holders: %w", err)
	}
	return id, nil
}

var errHeldInSubscription = sk.Errorf(sk.ECONFLICT,
	"This person already holds a license of the subscription.")

// SetAssignee gives a license to a user (userID set) or holds it pending for
// an address (email set), or frees it (both nil).
func (tx *Tx) SetAssignee(ctx context.Context, id string, userID, email *string,
	now time.Time) error {
	var at *time.Time
	if userID != nil || email != nil {
		at = &now
	}
	res, err := tx.q.ExecContext(ctx, `
		UPDATE licenses SET assignee_user_id = $2, assignee_email = $3, assigned_at = $4
		WHERE id = $1`, id, userID, email, at)
	if IsUniqueViolation(err) {
		return errHeldInSubscription
	}
	return oneRow(res, err, "assigning license", "No such license.")
}

// idIn is a condition that column is one of the IDs of parameter n, and
// idList is that parameter: one parameter however many IDs, so that a bulk
// change is one statement. PostgreSQL takes a text array, whose = ANY uses
// the index; SQLite a JSON array, whose json_each it probes the index with.
func (tx *Tx) idIn(column string, n int) string {
	if tx.dialect == Postgres {
		return fmt.Sprintf("%s = ANY($%d)", column, n)
	}
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", column, n)
}

func (tx *Tx) idList(ids []string) any {
	if tx.dialect == Postgres {
		return ids
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// LicenseTeams returns the team (nil for the organization) of each of the
// organization's licenses among ids. IDs of no license of the organization
// are missing from the answer.
func (tx *Tx) LicenseTeams(ctx context.Context, orgID string, ids []string) (
	map[string]*string, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, team_id FROM licenses WHERE org_id = $1 AND `+tx.idIn("id", 2),
		orgID, tx.idList(ids))
	if err != nil {
		return nil, fmt.Errorf("reading licenses: %w", err)
	}
	defer rows.Close()

	teams := make(map[string]*string, len(ids))
	for rows.Next() {
		var id string
		var team *string
		if err := rows.Scan(&id, &team); err != nil {
			return nil, fmt.Errorf("reading license: %w", err)
		}
		teams[id] = team
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading licenses: %w", err)
	}
	return teams, nil
}

// MoveLicenses delegates licenses of the organization to a team, or returns
// them to the organization (teamID nil).
func (tx *Tx) MoveLicenses(ctx context.Context, orgID string, ids []string, teamID *string) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE licenses SET team_id = $2 WHERE org_id = $1 AND `+tx.idIn("id", 3),
		orgID, teamID, tx.idList(ids))
	if err != nil {
		return fmt.Errorf("moving licenses: %w", err)
	}
	return nil
}

// ClaimedLicense is a pending license that a user claimed.
type ClaimedLicense struct {
	ID    string
	OrgID *string
}

// ClaimPendingLicenses gives the user every license pending for the address,
// except in subscriptions where they already hold one.
func (tx *Tx) ClaimPendingLicenses(ctx context.Context, userID, email string, now time.Time) (
	[]ClaimedLicense, error) {
	rows, err := tx.q.QueryContext(ctx, `
		UPDATE licenses SET assignee_user_id = $1, assignee_email = NULL, assigned_at = $3
		WHERE lower(assignee_email) = lower($2) AND NOT EXISTS (
			SELECT 1 FROM licenses h
			WHERE h.subscription_id = licenses.subscription_id AND h.assignee_user_id = $1)
		RETURNING id, org_id`, userID, email, now)
	if err != nil {
		return nil, fmt.Errorf("claiming licenses: %w", err)
	}
	defer rows.Close()

	var list []ClaimedLicense
	for rows.Next() {
		var c ClaimedLicense
		if err := rows.Scan(&c.ID, &c.OrgID); err != nil {
			return nil, fmt.Errorf("reading claimed license: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claiming licenses: %w", err)
	}
	return list, nil
}

// heldColumns and heldJoins read licenses l as their holder sees them. The
// joins are all outer so that a query may begin from the holder and find
// none.
const (
	heldColumns = `l.id, l.subscription_id, s.status, s.current_period_start,
		s.current_period_end, p.id, p.name,
		p.max_activations, o.id, o.name, tm.id, tm.name`
	heldJoins = `
		LEFT JOIN subscriptions s ON s.id = l.subscription_id
		LEFT JOIN plans p ON p.id = s.plan_id
		LEFT JOIN organizations o ON o.id = l.org_id
		LEFT JOIN teams tm ON tm.id = l.team_id`
)

// heldRow holds the heldColumns of one row, each of which may be NULL when
// the holder holds nothing.
type heldRow struct {
	id, subscriptionID, subStatus, planID, planName sql.Null[string]
	orgID, orgName, teamID, teamName                sql.Null[string]
	periodStart, validUntil                         sql.Null[time.Time]
	maxActivations                                  sql.Null[int]
}

func (h *heldRow) dest() []any {
	return []any{&h.id, &h.subscriptionID, &h.subStatus, &h.periodStart, &h.validUntil,
		&h.planID,
		&h.planName, &h.maxActivations, &h.orgID, &h.orgName, &h.teamID, &h.teamName}
}

// license returns the row's license, if it has one. Valid says only that it
// is assigned and its subscription has not ended; whether its period has run
// out depends on the time, which the caller knows.
func (h *heldRow) license(userID string) (sk.HeldLicense, bool) {
	if !h.id.Valid {
		return sk.HeldLicense{}, false
	}
	l := sk.HeldLicense{
		ID:             h.id.V,
		SubscriptionID: h.subscriptionID.V,
		ValidUntil:     sk.LicensesValidUntil(h.subStatus.V, h.periodStart.V, h.validUntil.V),
		Plan:           sk.PlanRef{ID: h.planID.V, Name: h.planName.V},
		MaxActivations: h.maxActivations.V,
	}
	l.Status = licenseStatus(h.subStatus.V, &userID, nil)
	l.Valid = l.Status == sk.LicenseAssigned
	if h.orgID.Valid {
		l.Organization = &sk.OrgRef{ID: h.orgID.V, Name: h.orgName.V}
	}
	if h.teamID.Valid {
		l.Team = &sk.OrgRef{ID: h.teamID.V, Name: h.teamName.V}
	}
	return l, true
}

// HeldLicenses lists the licenses the user holds, oldest assignment first.
func (tx *Tx) HeldLicenses(ctx context.Context, userID string) ([]sk.HeldLicense, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT `+heldColumns+` FROM licenses l`+heldJoins+`
		WHERE l.assignee_user_id = $1
		ORDER BY l.assigned_at, l.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("listing held licenses: %w", err)
	}
	defer rows.Close()

	list := []sk.HeldLicense{}
	for rows.Next() {
		var h heldRow
		if err := rows.Scan(h.dest()...); err != nil {
			return nil, fmt.Errorf("reading held license: %w", err)
		}
		if l, ok := h.license(userID); ok {
			list = append(list, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing held licenses: %w", err)
	}
	return list, nil
}
