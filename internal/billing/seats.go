package billing

import (
	"context"
	"fmt"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/proration"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// seatChange works out what changing sub to seats costs now: the prorated
// amount of the difference for the rest of the period, charged (less the
// customer's credit) for an increase, credited for a decrease. A decrease
// that needs more free licenses than there are is refused with the number
// to unassign first, so that the preview refuses what the change would.
// The current seat count costs nothing and changes nothing.
func (s *Service) seatChange(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	seats int) (*sk.SeatChange, int64, error) {
	switch {
	case sub.Status != sk.SubscriptionActive:
		return nil, 0, sk.Errorf(sk.ECONFLICT,
			"Seats change only on an active subscription; this one is %s.", sub.Status)
	case seats < sub.Plan.MinSeats || seats > sub.Plan.MaxSeats:
		return nil, 0, sk.Invalid("seats", "must be from %d to %d for the %s plan",
			sub.Plan.MinSeats, sub.Plan.MaxSeats, sub.Plan.Name)
	}
	change := &sk.SeatChange{Seats: seats, Currency: sub.Currency}
	if seats < sub.Seats {
		if err := checkFreeLicenses(ctx, tx, sub, sub.Seats-seats); err != nil {
			return nil, 0, err
		}
	}

	amount := proration.Amount(seats-sub.Seats, sub.PricePerSeat, sub.CurrentPeriodStart,
		sub.CurrentPeriodEnd, s.now())
	if amount <= 0 {
		change.Credit = -amount
		return change, amount, nil
	}

	customer, err := tx.Customer(ctx, sub.CustomerID)
	if err != nil {
		return nil, 0, err
	}
	change.AmountDueNow = amount - min(customer.Balance, amount)
	return change, amount, nil
}

// checkFreeLicenses refuses a decrease of delta seats that needs more free
// licenses than the subscription has, with the number to unassign first.
func checkFreeLicenses(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	delta int) error {
	free, err := tx.FreeLicenseCount(ctx, sub.ID)
	if err != nil {
		return err
	}
	if free < delta {
		return sk.Errorf(sk.ECONFLICT, "Removing %d seats needs %d free licenses and there "+
			"are %d: unassign %d licenses first.", delta, delta, free, delta-free)
	}
	return nil
}

// PreviewSeats implements sk.BillingService.
func (s *Service) PreviewSeats(ctx context.Context, a *sk.Actor, subID string, seats int) (
	*sk.SeatChange, error) {
	var change *sk.SeatChange
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		sub, err := authorizeSubscription(ctx, tx, a, subID)
		if err != nil {
			return err
		}
		change, _, err = s.seatChange(ctx, tx, sub, seats)
		return err
	})
	return change, err
}

// ChangeSeats implements sk.BillingService. Asking for the seats the
// subscription has is answered like any change, with nothing charged or
// credited, and changes nothing: no invoice and no audit event.
func (s *Service) ChangeSeats(ctx context.Context, a *sk.Actor, c sk.Client, subID string,
	seats int) (*sk.SeatChange, error) {
	invoiceID := sk.NewID(sk.PrefixInvoice, s.now())

	var change *sk.SeatChange
	var delta int
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		sub, err := authorizeSubscription(ctx, tx, a, subID)
		if err != nil {
			return err
		}
		var amount int64
		if change, amount, err = s.seatChange(ctx, tx, sub, seats); err != nil {
			return err
		}
		before := subscriptionState(sub)

		switch delta = seats - sub.Seats; {
		case delta == 0:
			return nil
		case delta > 0:
			err = s.addSeats(ctx, tx, a, c, sub, delta, amount, invoiceID, change)
		case delta < 0:
			err = s.removeSeats(ctx, tx, sub, -delta, change.Credit)
		}
		if err != nil {
			return err
		}

		sub.Seats = seats
		if err := tx.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, c, sub.OrganizationID, sub.CustomerID,
			"subscription.seats_changed", "subscription", sub.ID, before,
			map[string]any{"seats": seats, "charged": change.AmountDueNow,
				"credited": change.Credit})
	})
	if err != nil {
		return nil, err
	}
	if delta != 0 {
		s.cfg.Metrics.SeatsChanged(delta)
	}
	return change, nil
}

// addSeats bills the increase on an invoice of its own, charged now, and
// creates the new licenses, unassigned, in the organization.
func (s *Service) addSeats(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	sub *store.SubscriptionState, delta int, amount int64, invoiceID string,
	change *sk.SeatChange) error {
	now := s.now()
	m, err := tx.DefaultPaymentMethod(ctx, sub.CustomerID)
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return err
	}
	line := sk.InvoiceLine{
		Description: fmt.Sprintf("%d × %s seat, prorated for %s – %s of the %s period",
			delta, sub.Plan.Name, now.Format("2 Jan 2006 15:04"),
			sub.CurrentPeriodEnd.Format("2 Jan 2006 15:04"), periodName(sub.Period)),
		Quantity:    delta,
		UnitAmount:  sub.PricePerSeat,
		Amount:      amount,
		PeriodStart: now,
		PeriodEnd:   sub.CurrentPeriodEnd,
		Proration:   true,
	}
	inv, err := s.bill(ctx, tx, invoiceID, sub.CustomerID, &sub.ID, []sk.InvoiceLine{line}, m)
	if err != nil {
		return err
	}
	change.Invoice = &inv.Invoice
	if err := s.auditPaid(ctx, tx, a, c, sub.OrganizationID, inv); err != nil {
		return err
	}

	_, err = tx.AddLicenses(ctx, sub.ID, sub.OrganizationID, delta, now)
	return err
}

// removeSeats deletes free licenses and credits the customer; seatChange
// has checked that there are enough.
func (s *Service) removeSeats(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	delta int, credit int64) error {
	if err := tx.RemoveFreeLicenses(ctx, sub.ID, delta); err != nil {
		return err
	}
	return tx.AddBalance(ctx, sub.CustomerID, credit)
}

// Cancel implements sk.BillingService.
func (s *Service) Cancel(ctx context.Context, a *sk.Actor, c sk.Client, subID string) (
	*sk.Subscription, error) {
	return s.update(ctx, a, c, subID,
		func(tx *store.Tx, sub *store.SubscriptionState) (string, error) {
			if sub.Status == sk.SubscriptionEnded {
				return "", sk.Errorf(sk.ECONFLICT, "The subscription has already ended.")
			}
			sub.CancelAtPeriodEnd = true
			return "subscription.cancelled", nil
		})
}

// Renew implements sk.BillingService: it undoes a cancellation; for a
// subscription past due it pays the open invoice now; for an ended one it
// starts a new period from now and charges it.
//
// A declined payment of a past-due invoice is answered with the decline,
// and yet is kept: counted on the invoice, so that the next attempt is a
// new charge, and recorded as subscription.payment_retried. The
// subscription stays past due with its retries as they were.
func (s *Service) Renew(ctx context.Context, a *sk.Actor, c sk.Client, subID string) (
	*sk.Subscription, error) {
	invoiceID := sk.NewID(sk.PrefixInvoice, s.now())
	var declined error
	sub, err := s.update(ctx, a, c, subID,
		func(tx *store.Tx, sub *store.SubscriptionState) (string, error) {
			declined = nil
			switch sub.Status {
			case sk.SubscriptionEnded:
				return "subscription.renewed", s.restart(ctx, tx, a, c, sub, invoiceID)
			case sk.SubscriptionPastDue:
				outcome, err := s.retry(ctx, tx, a, c, sub)
				if outcome == metrics.RetryFailed {
					declined = err
					return "subscription.payment_retried", nil
				}
				return "subscription.renewed", err
			}
			if !sub.CancelAtPeriodEnd {
				return "", sk.Errorf(sk.ECONFLICT,
					"The subscription is active and renews by itself.")
			}
			sub.CancelAtPeriodEnd = false
			return "subscription.renewed", nil
		})
	if err == nil && declined != nil {
		return nil, declined
	}
	return sub, err
}

// restart begins a new period for an ended subscription, from now, and
// charges it; its licenses, which kept their assignees, are valid again.
func (s *Service) restart(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	sub *store.SubscriptionState, invoiceID string) error {
	now := s.now()
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = now, periodEnd(now, sub.Period)
	m, err := tx.DefaultPaymentMethod(ctx, sub.CustomerID)
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return err
	}
	lines := []sk.InvoiceLine{periodLine(sub, sub.Seats, sub.CurrentPeriodStart,
		sub.CurrentPeriodEnd)}
	inv, err := s.bill(ctx, tx, invoiceID, sub.CustomerID, &sub.ID, lines, m)
	if err != nil {
		return err
	}
	sub.Status, sub.CancelAtPeriodEnd, sub.EndedAt = sk.SubscriptionActive, false, nil
	sub.Attempts, sub.NextAttemptAt = 0, nil
	return s.auditPaid(ctx, tx, a, c, sub.OrganizationID, inv)
}

// update runs a change to a subscription whose billing the actor manages,
// saves it and records it under the audit action that the change returns.
func (s *Service) update(ctx context.Context, a *sk.Actor, c sk.Client, subID string,
	change func(tx *store.Tx, sub *store.SubscriptionState) (string, error)) (
	*sk.Subscription, error) {
	var result *sk.Subscription
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		sub, err := authorizeSubscription(ctx, tx, a, subID)
		if err != nil {
			return err
		}
		before := subscriptionState(sub)
		action, err := change(tx, sub)
		if err != nil {
			return err
		}
		if err := tx.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		if sub, err = tx.Subscription(ctx, subID); err != nil {
			return err
		}
		result = &sub.Subscription
		return s.audit(ctx, tx, a, c, sub.OrganizationID, sub.CustomerID, action,
			"subscription", sub.ID, before, subscriptionState(sub))
	})
	return result, err
}
