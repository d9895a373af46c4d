package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// HolderLicense is a license as the product's side decides on it: whose it
// is, what its plan allows, and until when it is valid.
type HolderLicense struct {
	ID                 string
	OrgID              *string
	CustomerID         string
	PlanID             string
	MaxActivations     int
	SubscriptionStatus string

	// ValidUntil is when the license stops being valid unless its
	// subscription is paid for (sk.LicensesValidUntil).
	ValidUntil time.Time
}

// ValidAt reports whether the license is valid at t: its subscription has
// not ended and its period has not run out. The holder's part, that the
// license is assigned to them, is how it was found.
func (h *HolderLicense) ValidAt(t time.Time) bool {
	return h.SubscriptionStatus != sk.SubscriptionEnded && h.ValidUntil.After(t)
}

var errNoLicense = sk.Errorf(sk.ENOTFOUND, "No such license.")

// LicenseOfHolder returns a license that the user holds, or ENOTFOUND: a
// license held by someone else, or by nobody, is not found either.
func (tx *Tx) LicenseOfHolder(ctx context.Context, userID, licenseID string) (
	*HolderLicense, error) {
	h := &HolderLicense{ID: licenseID}
	var start, end time.Time
	err := tx.q.QueryRowContext(ctx, `
		SELECT l.org_id, s.customer_id, s.plan_id, p.max_activations, s.status,
			s.current_period_start, s.current_period_end
		FROM licenses l
		JOIN subscriptions s ON s.id = l.subscription_id
		JOIN plans p ON p.id = s.plan_id
		WHERE l.id = $1 AND l.assignee_user_id = $2`, licenseID, userID).Scan(
		&h.OrgID, &h.CustomerID, &h.PlanID, &h.MaxActivations, &h.SubscriptionStatus,
		&start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoLicense
	}
	if err != nil {
		return nil, fmt.Errorf("reading held license: %w", err)
	}
	h.ValidUntil = sk.LicensesValidUntil(h.SubscriptionStatus, start, end)
	return h, nil
}

const activationColumns = `id, license_id, fingerprint, name, created_at`

func scanActivation(row interface{ Scan(...any) error }) (*sk.Activation, error) {
	var a sk.Activation
	err := row.Scan(&a.ID, &a.LicenseID, &a.Fingerprint, &a.Name, &a.CreatedAt)
	return &a, err
}

// Activations lists a license's activations, oldest first.
func (tx *Tx) Activations(ctx context.Context, licenseID string) ([]sk.Activation, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT `+activationColumns+` FROM activations WHERE license_id = $1
		ORDER BY created_at, id`, licenseID)
	if err != nil {
		return nil, fmt.Errorf("listing activations: %w", err)
	}
	defer rows.Close()

	list := []sk.Activation{}
	for rows.Next() {
		a, err := scanActivation(rows)
		if err != nil {
			return nil, fmt.Errorf("reading activation: %w", err)
		}
		list = append(list, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing activations: %w", err)
	}
	return list, nil
}

var errNoActivation = sk.Errorf(sk.ENOTFOUND,
	"No such activation: the machine is not activated for this license.")

// Activation returns an activation of the license by its ID or, when id is
// "", by the machine's fingerprint; ENOTFOUND if there is none.
func (tx *Tx) Activation(ctx context.Context, licenseID, id, fingerprint string) (
	*sk.Activation, error) {
	where, key := "id = $2", id
	if id == "" {
		where, key = "fingerprint = $2", fingerprint
	}
	row := tx.q.QueryRowContext(ctx, `
		SELECT `+activationColumns+` FROM activations WHERE license_id = $1 AND `+where,
		licenseID, key)
	a, err := scanActivation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoActivation
	}
	if err != nil {
		return nil, fmt.Errorf("reading activation: %w", err)
	}
	return a, nil
}

// CreateActivation inserts an activation. A machine already active for the
// license is ECONFLICT.
func (tx *Tx) CreateActivation(ctx context.Context, a *sk.Activation) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO activations (`+activationColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		a.ID, a.LicenseID, a.Fingerprint, a.Name, a.CreatedAt)
	if IsUniqueViolation(err) {
		return sk.Errorf(sk.ECONFLICT, "The machine is already activated for this license.")
	}
	if err != nil {
		return fmt.Errorf("inserting activation: %w", err)
	}
	return nil
}

// DeleteActivation removes an activation of the license; ENOTFOUND if it
// has none with that ID.
func (tx *Tx) DeleteActivation(ctx context.Context, licenseID, id string) error {
	res, err := tx.q.ExecContext(ctx,
		`DELETE FROM activations WHERE license_id = $1 AND id = $2`, licenseID, id)
	return oneRow(res, err, "deleting activation", errNoActivation.Message)
}
