package billing

import (
	"context"
	"errors"
	"fmt"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// maxRounds bounds one RunDue: each round moves every due subscription one
// step (a period, a retry), and a clock moved far ahead needs several.
const maxRounds = 1000

// auditAction is the audit log's action for each outcome of a step of the
// renewal work. A retry that spends the last one ends the subscription.
var auditAction = map[string]string{
	metrics.Renewed:          "subscription.renewed",
	metrics.RenewalFailed:    "subscription.past_due",
	metrics.Ended:            "subscription.ended",
	metrics.RetryPaid:        "subscription.payment_retried",
	metrics.RetryFailed:      "subscription.payment_retried",
	metrics.RetriesExhausted: "subscription.ended",
}

// faults are the subscriptions that one RunDue could not move, and why.
type faults struct {
	ids  map[string]bool
	errs []error
}

// RunDue implements sk.BillingService. Each subscription is handled in a
// transaction of its own that checks again that it is due, so two servers
// running this at once, or one running it twice, change nothing twice. A
// subscription that cannot be moved for a fault (not a declined card) is
// logged and left for the next run while the others go on; the error
// returned joins every such fault.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	changed := 0
	f := &faults{ids: map[string]bool{}}
	for range maxRounds {
		moved, err := s.runRound(ctx, f)
		changed += moved
		if err != nil {
			f.errs = append(f.errs, err)
		}
		if err != nil || moved == 0 {
			break
		}
	}
	return changed, errors.Join(f.errs...)
}

// runRound moves every subscription due now one step, reading them in pages
// by ID, and returns how many it moved. It skips those that failed before
// in this run, and logs and records a new fault.
func (s *Service) runRound(ctx context.Context, f *faults) (int, error) {
	moved, after := 0, ""
	for {
		var due []string
		err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
			var err error
			due, err = tx.DueSubscriptions(ctx, s.now(), after, 100)
			return err
		})
		if err != nil || len(due) == 0 {
			return moved, err
		}

		for _, id := range due {
			if f.ids[id] {
				continue
			}
			done, err := s.runOne(ctx, id)
			switch {
			case err != nil && ctx.Err() != nil:
				return moved, err
			case err != nil:
				s.cfg.Logger.ErrorContext(ctx, "moving a due subscription",
					"subscription_id", id, "error", err)
				f.ids[id] = true
				f.errs = append(f.errs, fmt.Errorf("moving subscription %s: %w", id, err))
			case done:
				moved++
			}
		}
		after = due[len(due)-1]
	}
}

// runOne moves one subscription a step: a cancelled period ends it, an active
// period renews it, a retry charges its open invoice again.
func (s *Service) runOne(ctx context.Context, id string) (bool, error) {
	now := s.now()
	var outcome string
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		outcome = ""
		sub, err := tx.Subscription(ctx, id)
		if err != nil {
			return err
		}
		before := subscriptionState(sub)

		var step string
		switch {
		case sub.Status == sk.SubscriptionActive && !sub.CurrentPeriodEnd.After(now):
			step, err = s.periodEnded(ctx, tx, sub)
		case sub.Status == sk.SubscriptionPastDue && sub.NextAttemptAt != nil &&
			!sub.NextAttemptAt.After(now):
			step, err = s.retry(ctx, tx, nil, sk.Client{}, sub)
		default:
			return nil // handled by someone else meanwhile
		}
		if err != nil {
			return err
		}

		if err := tx.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		outcome = step
		return s.audit(ctx, tx, nil, sk.Client{}, sub.OrganizationID, sub.CustomerID,
			auditAction[step], "subscription", sub.ID, before, subscriptionState(sub))
	})
	if err != nil || outcome == "" {
		return false, err
	}
	s.cfg.Metrics.Renewal(outcome)
	return true, nil
}

// periodEnded ends a cancelled subscription at the end of its period, or
// renews it: the next period begins, and its invoice is charged to the
// default card. A declined charge makes it past due, with retries. It
// returns the outcome, one of package metrics' names.
func (s *Service) periodEnded(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState) (
	string, error) {
	if sub.CancelAtPeriodEnd {
		end := sub.CurrentPeriodEnd
		sub.Status, sub.EndedAt = sk.SubscriptionEnded, &end
		return metrics.Ended, nil
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
	inv, err := s.bill(ctx, tx, invoiceID, sub.CustomerID, &sub.ID, lines, m)
	if sk.ErrorCode(err) == sk.EPAYMENT {
		next, _ := sk.PaymentRetryAt(start, 1)
		sub.Status, sub.Attempts, sub.NextAttemptAt = sk.SubscriptionPastDue, 1, &next
		return metrics.RenewalFailed, nil
	}
	if err != nil {
		return "", err
	}
	return metrics.Renewed, s.auditPaid(ctx, tx, nil, sk.Client{}, sub.OrganizationID, inv)
}

// retry charges a past-due subscription's open invoice again, to the
// default card, and returns the outcome, one of package metrics' names.
// Paid, the subscription is active again. Declined, the next retry is
// scheduled; with the retries spent, the subscription ends at this, its
// last retry, with its period, and the invoice is written off.
//
// An actor means that an Owner asked for it from the portal. A decline is
// then their answer, returned as the error with the outcome RetryFailed:
// it is counted on the invoice, so that the next attempt is a new charge,
// and leaves the schedule as it was.
func (s *Service) retry(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	sub *store.SubscriptionState) (string, error) {
	inv, err := tx.OpenInvoice(ctx, sub.ID)
	if err != nil {
		return "", err
	}
	m, err := tx.DefaultPaymentMethod(ctx, sub.CustomerID)
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return "", err
	}

	tried := inv.ChargeAttempts
	err = s.settle(ctx, tx, inv, m)
	switch {
	case err == nil:
		sub.Status, sub.Attempts, sub.NextAttemptAt = sk.SubscriptionActive, 0, nil
		return metrics.RetryPaid, s.auditPaid(ctx, tx, a, c, sub.OrganizationID, inv)
	case sk.ErrorCode(err) != sk.EPAYMENT:
		return "", err
	case a != nil && inv.ChargeAttempts > tried:
		return metrics.RetryFailed, err
	case a != nil:
		return "", err
	}

	sub.Attempts++
	if next, ok := sk.PaymentRetryAt(sub.CurrentPeriodStart, sub.Attempts); ok {
		sub.NextAttemptAt = &next
		return metrics.RetryFailed, nil
	}
	end := *sub.NextAttemptAt
	sub.Status, sub.EndedAt, sub.NextAttemptAt = sk.SubscriptionEnded, &end, nil
	if end.After(sub.CurrentPeriodStart) && end.Before(sub.CurrentPeriodEnd) {
		sub.CurrentPeriodEnd = end
	}
	return metrics.RetriesExhausted, tx.SetInvoiceStatus(ctx, inv.ID, sk.InvoiceUncollectible)
}
