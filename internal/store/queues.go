package store

import (
	"context"
	"fmt"
	"time"
)

// Queues counts the background work waiting in the store, for monitoring.
type Queues struct {
	MailUnsent  int // messages not yet delivered
	MailDue     int // of those, due for an attempt now
	MailFailing int // of those, whose last attempt failed

	SubscriptionsDue     int // due now for renewal, their end or a retry
	SubscriptionsPastDue int // past due, with retries to come
}

// Queues counts the waiting work as of now, in one read-only snapshot.
// Both statements read only what the workers' own indexes cover: the
// undelivered mail, and the subscriptions that have not ended.
func (db *DB) Queues(ctx context.Context, now time.Time) (Queues, error) {
	var q Queues
	err := db.View(ctx, func(tx *Tx) error {
		err := tx.q.QueryRowContext(ctx, `
			SELECT COUNT(*),
				COALESCE(SUM(CASE WHEN next_attempt_at <= $1 THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN last_error IS NOT NULL THEN 1 ELSE 0 END), 0)
			FROM outbox WHERE sent_at IS NULL`, now).
			Scan(&q.MailUnsent, &q.MailDue, &q.MailFailing)
		if err != nil {
			return fmt.Errorf("counting queued mail: %w", err)
		}

		err = tx.q.QueryRowContext(ctx, `
			SELECT
				COALESCE(SUM(CASE WHEN (status = 'active' AND current_period_end <= $1)
					OR (status = 'past_due' AND next_attempt_at <= $1) THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN status = 'past_due' THEN 1 ELSE 0 END), 0)
			FROM subscriptions WHERE status <> 'ended'`, now).
			Scan(&q.SubscriptionsDue, &q.SubscriptionsPastDue)
		if err != nil {
			return fmt.Errorf("counting due subscriptions: %w", err)
		}
		return nil
	})
	return q, err
}
