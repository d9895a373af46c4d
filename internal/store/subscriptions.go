package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// SubscriptionState is a subscription as the billing service works on it.
type SubscriptionState struct {
	sk.Subscription
	Plan          sk.Plan
	Attempts      int
	NextAttemptAt *time.Time
	EndedAt       *time.Time
}

const subscriptionSelect = `
	SELECT s.id, s.customer_id, s.org_id, s.user_id, s.period, s.seats, s.status,
		s.cancel_at_period_end, s.current_period_start, s.current_period_end,
		s.payment_attempts, s.next_attempt_at, s.ended_at,
		p.id, p.name, p.kind, p.currency, p.price_month, p.price_year, p.min_seats,
		p.max_seats, p.max_activations,
		COALESCE((SELECT c.held FROM subscription_counts c WHERE c.subscription_id = s.id), 0)
	FROM subscriptions s JOIN plans p ON p.id = s.plan_id`

func scanSubscription(row interface{ Scan(...any) error }) (*SubscriptionState, error) {
	var s SubscriptionState
	p := &s.Plan
	err := row.Scan(&s.ID, &s.CustomerID, &s.OrganizationID, &s.UserID, &s.Period, &s.Seats,
		&s.Status, &s.CancelAtPeriodEnd, &s.CurrentPeriodStart, &s.CurrentPeriodEnd,
		&s.Attempts, &s.NextAttemptAt, &s.EndedAt,
		&p.ID, &p.Name, &p.Kind, &p.Currency, &p.Prices.Month, &p.Prices.Year, &p.MinSeats,
		&p.MaxSeats, &p.MaxActivations, &s.SeatsAssigned)
	if err != nil {
		return nil, err
	}
	s.Subscription.Plan = sk.PlanRef{ID: p.ID, Name: p.Name}
	s.Currency = p.Currency
	s.PricePerSeat = p.Price(s.Period)
	return &s, nil
}

// Subscription returns a subscription, or ENOTFOUND.
func (tx *Tx) Subscription(ctx context.Context, id string) (*SubscriptionState, error) {
	s, err := scanSubscription(tx.q.QueryRowContext(ctx, subscriptionSelect+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such subscription.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading subscription: %w", err)
	}
	return s, nil
}

// Subscriptions lists subscriptions that match a condition on s, oldest
// first; where uses $1 for arg.
func (tx *Tx) subscriptions(ctx context.Context, where string, arg any) (
	[]sk.Subscription, error) {
	rows, err := tx.q.QueryContext(ctx, subscriptionSelect+` WHERE `+where+` ORDER BY s.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	defer rows.Close()

	list := []sk.Subscription{}
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("reading subscription: %w", err)
		}
		list = append(list, s.Subscription)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	return list, nil
}

// OrgSubscriptions lists an organization's subscriptions.
func (tx *Tx) OrgSubscriptions(ctx context.Context, orgID string) ([]sk.Subscription, error) {
	return tx.subscriptions(ctx, "s.org_id = $1", orgID)
}

// UserSubscriptions lists the user's personal subscriptions and every
// subscription of the customer accounts they manage as an Owner.
func (tx *Tx) UserSubscriptions(ctx context.Context, userID string) ([]sk.Subscription, error) {
	return tx.subscriptions(ctx, `s.user_id = $1 OR s.customer_id IN (
		SELECT o.customer_id FROM organizations o JOIN role_grants g ON g.org_id = o.id
		WHERE g.user_id = $1 AND g.team_id IS NULL AND g.role = 'owner')`, userID)
}

// SaveSubscription writes a subscription's changing state: seats, status,
// cancellation, period, payment attempts and end.
func (tx *Tx) SaveSubscription(ctx context.Context, s *SubscriptionState) error {
	res, err := tx.q.ExecContext(ctx, `
		UPDATE subscriptions SET seats = $2, status = $3, cancel_at_period_end = $4,
			current_period_start = $5, current_period_end = $6, payment_attempts = $7,
			next_attempt_at = $8, ended_at = $9
		WHERE id = $1`, s.ID, s.Seats, s.Status, s.CancelAtPeriodEnd, s.CurrentPeriodStart,
		s.CurrentPeriodEnd, s.Attempts, s.NextAttemptAt, s.EndedAt)
	return oneRow(res, err, "saving subscription", "No such subscription.")
}

// DueSubscriptions returns, by ID, up to limit subscriptions after the one
// with ID after ("" for the first page) with something due at now: an
// active period that has ended, or a payment retry.
func (tx *Tx) DueSubscriptions(ctx context.Context, now time.Time, after string, limit int) (
	[]string, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id FROM subscriptions
		WHERE ((status = 'active' AND current_period_end <= $1)
			OR (status = 'past_due' AND next_attempt_at <= $1)) AND id > $2
		ORDER BY id LIMIT $3`, now, after, limit)
	if err != nil {
		return nil, fmt.Errorf("finding due subscriptions: %w", err)
	}
	defer rows.Close()

	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading due subscription: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// FreeLicenseCount counts a subscription's licenses that nobody holds.
func (tx *Tx) FreeLicenseCount(ctx context.Context, subscriptionID string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `
		SELECT count(*) FROM licenses WHERE subscription_id = $1
			AND assignee_user_id IS NULL AND assignee_email IS NULL`, subscriptionID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting free licenses: %w", err)
	}
	return n, nil
}

// RemoveFreeLicenses deletes n licenses of the subscription that nobody
// holds, those the organization manages itself first, newest first.
func (tx *Tx) RemoveFreeLicenses(ctx context.Context, subscriptionID string, n int) error {
	res, err := tx.q.ExecContext(ctx, `
		DELETE FROM licenses WHERE id IN (
			SELECT id FROM licenses WHERE subscription_id = $1
				AND assignee_user_id IS NULL AND assignee_email IS NULL
			ORDER BY team_id IS NOT NULL, id DESC LIMIT $2)`, subscriptionID, n)
	if err != nil {
		return fmt.Errorf("removing licenses: %w", err)
	}
	removed, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("removing licenses: %w", err)
	}
	if int(removed) != n {
		return sk.Errorf(sk.ECONFLICT, "Only %d free licenses could be removed.", removed)
	}
	return nil
}

// LiveSubscriptions counts a customer's subscriptions that have not ended.
func (tx *Tx) LiveSubscriptions(ctx context.Context, customerID string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `
		SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND status <> 'ended'`,
		customerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting subscriptions: %w", err)
	}
	return n, nil
}
