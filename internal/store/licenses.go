package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// PlanRecord is a plan of the vendor's catalogue as stored.
type PlanRecord struct {
	ID             string
	Name           string
	Kind           string // "personal" or "organization"
	Currency       string
	PriceMonth     int64
	PriceYear      int64
	MinSeats       int
	MaxSeats       int
	MaxActivations int
}

// UpsertPlan inserts a plan or updates the one with its ID.
func (tx *Tx) UpsertPlan(ctx context.Context, p *PlanRecord) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO plans (id, name, kind, currency, price_month, price_year, min_seats,
			max_seats, max_activations)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
			currency = excluded.currency, price_month = excluded.price_month,
			price_year = excluded.price_year, min_seats = excluded.min_seats,
			max_seats = excluded.max_seats, max_activations = excluded.max_activations`,
		p.ID, p.Name, p.Kind, p.Currency, p.PriceMonth, p.PriceYear, p.MinSeats, p.MaxSeats,
		p.MaxActivations)
	if err != nil {
		return fmt.Errorf("saving plan %s: %w", p.ID, err)
	}
	return nil
}

// CustomerRecord is a customer account as stored.
type CustomerRecord struct {
	ID           string
	BillingName  string
	BillingEmail string
	Currency     string
	CreatedBy    *string
	CreatedAt    time.Time
}

// CreateCustomer inserts a customer account.
func (tx *Tx) CreateCustomer(ctx context.Context, c *CustomerRecord) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO customer_accounts (id, billing_name, billing_email, currency, created_by,
			created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, c.BillingName, c.BillingEmail, c.Currency, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("inserting customer account: %w", err)
	}
	return nil
}

// SubscriptionRecord is a subscription as stored.
type SubscriptionRecord struct {
	ID          string
	CustomerID  string
	OrgID       *string
	UserID      *string
	PlanID      string
	Period      string // "month" or "year"
	Seats       int
	Status      string
	PeriodStart time.Time
	PeriodEnd   time.Time
	CreatedAt   time.Time
}

// CreateSubscription inserts a subscription and one unassigned license per
// seat, managed by its organization, and returns the licenses' IDs.
func (tx *Tx) CreateSubscription(ctx context.Context, s *SubscriptionRecord) ([]string, error) {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO subscriptions (id, customer_id, org_id, user_id, plan_id, period, seats,
			status, current_period_start, current_period_end, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.ID, s.CustomerID, s.OrgID, s.UserID, s.PlanID, s.Period, s.Seats, s.Status,
		s.PeriodStart, s.PeriodEnd, s.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("inserting subscription: %w", err)
	}

	return tx.AddLicenses(ctx, s.ID, s.OrgID, s.Seats, s.CreatedAt)
}

// insertBatch is how many rows go into one INSERT, well under both
// databases' limits on parameters.
const insertBatch = 500

// AddLicenses inserts n unassigned licenses of a subscription, managed by
// its organization, many rows per statement, and returns their IDs.
func (tx *Tx) AddLicenses(ctx context.Context, subscriptionID string, orgID *string, n int,
	now time.Time) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = sk.NewID(sk.PrefixLicense, now)
	}
	for chunk := range slices.Chunk(ids, insertBatch) {
		a := args{subscriptionID, orgID, now}
		rows := make([]string, len(chunk))
		for i, id := range chunk {
			rows[i] = "(" + a.add(id) + ", $1, $2, $3)"
		}
		_, err := tx.q.ExecContext(ctx, `
			INSERT INTO licenses (id, subscription_id, org_id, created_at)
			VALUES `+strings.Join(rows, ", "), a...)
		if err != nil {
			return nil, fmt.Errorf("inserting licenses: %w", err)
		}
	}
	return ids, nil
}

// LicenseHolding is where a license sits and who holds it. AssigneeEmail is
// the address of a pending assignment, read but never written here.
type LicenseHolding struct {
	ID             string
	TeamID         *string
	AssigneeUserID *string
	AssigneeEmail  *string
}

// LicenseHoldings returns where each of an organization's licenses sits.
func (tx *Tx) LicenseHoldings(ctx context.Context, orgID string) ([]LicenseHolding, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, team_id, assignee_user_id, assignee_email FROM licenses
		WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("listing licenses: %w", err)
	}
	defer rows.Close()

	var list []LicenseHolding
	for rows.Next() {
		var h LicenseHolding
		if err := rows.Scan(&h.ID, &h.TeamID, &h.AssigneeUserID, &h.AssigneeEmail); err != nil {
			return nil, fmt.Errorf("reading license: %w", err)
		}
		list = append(list, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing licenses: %w", err)
	}
	return list, nil
}

// SetLicenseHolding moves a license of the organization to a team (nil for
// the organization) and gives it an assignee (nil for none), clearing any
// pending address.
func (tx *Tx) SetLicenseHolding(ctx context.Context, orgID string, h LicenseHolding,
	now time.Time) error {
	var assignedAt *time.Time
	if h.AssigneeUserID != nil {
		assignedAt = &now
	}
	res, err := tx.q.ExecContext(ctx, `
		UPDATE licenses SET team_id = $3, assignee_user_id = $4, assignee_email = NULL,
			assigned_at = $5
		WHERE org_id = $1 AND id = $2`, orgID, h.ID, h.TeamID, h.AssigneeUserID, assignedAt)
	return oneRow(res, err, "updating license", "No such license.")
}

// EndSubscription ends a subscription at now: its licenses stop being valid
// and keep their assignees.
func (tx *Tx) EndSubscription(ctx context.Context, id string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `
		UPDATE subscriptions SET status = 'ended', ended_at = $2 WHERE id = $1`, id, now)
	return oneRow(res, err, "ending subscription", "No such subscription.")
}
