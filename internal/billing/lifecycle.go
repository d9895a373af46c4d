package billing

import (
	"context"
	"fmt"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// maxRounds bounds one RunDue: each round moves every due subscription one
// step (a period, a retry), and a clock moved far ahead needs several.
const maxRounds = 1000

// RunDue implements sk.BillingService. Each subscription is handled in a
// transaction of its own that checks again that it is due, so two servers
// running this at once, or one running it twice, change nothing twice.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	changed := 0
	for range maxRounds {
		var due []string
		err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
			var err error
			due, err = tx.DueSubscriptions(ctx, s.now(), 100)
			return err
		})
		if err != nil || len(due) == 0 {
			return changed, err
		}

		for _, id := range due {
			done, err := s.runOne(ctx, id)
			if err != nil {
				return changed, fmt.Errorf("running subscription %s: %w", id, err)
			}
			if done {
				changed++
			}
		}
	}
	return changed, nil
}

// runOne moves one subscription a step: a cancelled period ends it, an active
// period renews it, a retry charges its open invoice again.
func (s *Service) runOne(ctx context.Context, id string) (bool, error) {
	now := s.now()
	done := false
	var outcome string
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		done = false
		sub, err := tx.Subscription(ctx, id)
		if err != nil {
			return err
		}
		before := subscriptionState(sub)

		var action string
		switch {
		case sub.Status == sk.SubscriptionActive && !sub.CurrentPeriodEnd.After(now):
			action, err = s.periodEnded(ctx, tx, sub)
		case sub.Status == sk.SubscriptionPastDue && sub.NextAttemptAt != nil &&
			!sub.NextAttemptAt.After(now):
			action, err = "subscription.payment_retried", s.retry(ctx, tx, sub, false)
		default:
			return nil // handled by someone else meanwhile
		}
		if err != nil {
			return err
		}

		if err := tx.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		done, outcome = true, runOutcome(action, sub.Status)
		return s.audit(ctx, tx, nil, sk.Client{}, sub.OrganizationID, sub.CustomerID, action,
			"subscription", sub.ID, before, subscriptionState(sub))
	})
	if err == nil && done {
		s.cfg.Metrics.Renewal(outcome)
	}
	return done, err
}

// runOutcome names a step of the renewal work for the metrics, from its
// audit action and the status it left the subscription in.
func runOutcome(action, status string) string {
	switch {
	case action == "subscription.renewed":
		return metrics.Renewed
	case action == "subscription.past_due":
		return metrics.RenewalFailed
	case action == "subscription.ended":
		return metrics.Ended
	case status == sk.SubscriptionActive:
		return metrics.RetryPaid
	case status == sk.SubscriptionPastDue:
		return metrics.RetryFailed
	}
	return metrics.RetriesExhausted
}

// periodEnded ends a cancelled subscription at the end of its period, or
// renews it: the next period begins, and its invoice is charged to the
// default card. A declined charge makes it past due, with retries.
func (s *Service) periodEnded(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState) (
	string, error) {
	if sub.CancelAtPeriodEnd {
		end := sub.CurrentPeriodEnd
		sub.Status, sub.EndedAt = sk.SubscriptionEnded, &end
		return "subscription.ended", nil
	}

	start := sub.CurrentPeriodEnd
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = start, periodEnd(start, sub.Period)
	m, err := tx.DefaultPaymentMethod(ctx, sub.CustomerID)
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return "", err
	}

	// The invoice of a renewal is named by its subscription and period, so
	// that a renewal run twice bills once.
	invoiceID := sk.DerivedID(sk.PrefixInvoice, start, sub.ID)
	lines := []sk.InvoiceLine{periodLine(sub, sub.Seats, start, sub.CurrentPeriodEnd)}
	_, err = s.bill(ctx, tx, invoiceID, sub.CustomerID, &sub.ID, lines, m)
	if sk.ErrorCode(err) == sk.EPAYMENT {
		next := start.Add(retryAfter[0])
		sub.Status, sub.Attempts, sub.NextAttemptAt = sk.SubscriptionPastDue, 1, &next
		return "subscription.past_due", nil
	}
	if err != nil {
		return "", err
	}
	return "subscription.renewed", nil
}

// retry charges a past-due subscription's open invoice again. Paid, the
// subscription is active again. Declined, the next retry is scheduled, or,
// with the retries spent, the subscription ends and the invoice is written
// off. now says the Owner asked for it from the portal: a decline then is
// their answer, and changes nothing.
func (s *Service) retry(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	now bool) error {
	inv, err := tx.OpenInvoice(ctx, sub.ID)
	if err != nil {
		return err
	}
	m, err := tx.DefaultPaymentMethod(ctx, sub.CustomerID)
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return err
	}

	err = s.settle(ctx, tx, inv, m, sub.Attempts+1)
	switch {
	case err == nil:
		sub.Status, sub.Attempts, sub.NextAttemptAt = sk.SubscriptionActive, 0, nil
		return nil
	case sk.ErrorCode(err) != sk.EPAYMENT || now:
		return err
	}

	sub.Attempts++
	if sub.Attempts > len(retryAfter) {
		end := s.now()
		sub.Status, sub.EndedAt, sub.NextAttemptAt = sk.SubscriptionEnded, &end, nil
		return tx.SetInvoiceStatus(ctx, inv.ID, sk.InvoiceUncollectible)
	}
	next := sub.CurrentPeriodStart.Add(retryAfter[sub.Attempts-1])
	sub.NextAttemptAt = &next
	return nil
}
