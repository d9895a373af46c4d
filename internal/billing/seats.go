package billing

import (
	"context"
	"fmt"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/proration"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// seatChange works out what changing sub to seats costs now: the prorated
// amount of the difference for the rest of the period, charged (less the
// customer's credit) for an increase, credited for a decrease.
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

	amount := proration.Amount(seats-sub.Seats, sub.PricePerSeat, sub.CurrentPeriodStart,
		sub.CurrentPeriodEnd, s.now())
	change := &sk.SeatChange{Seats: seats, Currency: sub.Currency}
	if amount < 0 {
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

// ChangeSeats implements sk.BillingService.
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
		case delta > 0:
			err = s.addSeats(ctx, tx, sub, delta, amount, invoiceID, change)
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
	s.cfg.Metrics.SeatsChanged(delta)
	return change, nil
}

// addSeats bills the increase on an invoice of its own, charged now, and
// creates the new licenses, unassigned, in the organization.
func (s *Service) addSeats(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	delta int, amount int64, invoiceID string, change *sk.SeatChange) error {
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

	_, err = tx.AddLicenses(ctx, sub.ID, sub.OrganizationID, delta, now)
	return err
}

// removeSeats deletes free licenses and credits the customer. A decrease
// that would need more free licenses than there are is refused with the
// number to unassign first.
func (s *Service) removeSeats(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	delta int, credit int64) error {
	free, err := tx.FreeLicenseCount(ctx, sub.ID)
	if err != nil {
		return err
	}
	if free < delta {
		return sk.Errorf(sk.ECONFLICT, "Removing %d seats needs %d free licenses and there "+
			"are %d: unassign %d licenses first.", delta, delta, free, delta-free)
	}
	if err := tx.RemoveFreeLicenses(ctx, sub.ID, delta); err != nil {
		return err
	}
	return tx.AddBalance(ctx, sub.CustomerID, credit)
}

// Cancel implements sk.BillingService.
func (s *Service) Cancel(ctx context.Context, a *sk.Actor, c sk.Client, subID string) (
	*sk.Subscription, error) {
	return s.update(ctx, a, c, subID, "subscription.cancelled",
		func(tx *store.Tx, sub *store.SubscriptionState) error {
			if sub.Status == sk.SubscriptionEnded {
				return sk.Errorf(sk.ECONFLICT, "The subscription has already ended.")
			}
			sub.CancelAtPeriodEnd = true
			return nil
		})
}

// Renew implements sk.BillingService: it undoes a cancellation; for a
// subscription past due it pays the open invoice now; for an ended one it
// starts a new period from now and charges it.
func (s *Service) Renew(ctx context.Context, a *sk.Actor, c sk.Client, subID string) (
	*sk.Subscription, error) {
	invoiceID := sk.NewID(sk.PrefixInvoice, s.now())
	return s.update(ctx, a, c, subID, "subscription.renewed",
		func(tx *store.Tx, sub *store.SubscriptionState) error {
			switch sub.Status {
			case sk.SubscriptionEnded:
				return s.restart(ctx, tx, sub, invoiceID)
			case sk.SubscriptionPastDue:
				return s.retry(ctx, tx, sub, true)
			}
			if !sub.CancelAtPeriodEnd {
				return sk.Errorf(sk.ECONFLICT, "The subscription is active and renews by itself.")
			}
			sub.CancelAtPeriodEnd = false
			return nil
		})
}

// restart begins a new period for an ended subscription, from now, and
// charges it; its licenses, which kept their assignees, are valid again.
func (s *Service) restart(ctx context.Context, tx *store.Tx, sub *store.SubscriptionState,
	invoiceID string) error {
	now := s.now()
	sub.CurrentPeriodStart, sub.CurrentPeriodEnd = now, periodEnd(now, sub.Period)
	m, err := tx.DefaultPaymentMethod(ctx, sub.CustomerID)
	if err != nil && sk.ErrorCode(err) != sk.ENOTFOUND {
		return err
	}
	lines := []sk.InvoiceLine{periodLine(sub, sub.Seats, sub.CurrentPeriodStart,
		sub.CurrentPeriodEnd)}
	if _, err := s.bill(ctx, tx, invoiceID, sub.CustomerID, &sub.ID, lines, m); err != nil {
		return err
	}
	sub.Status, sub.CancelAtPeriodEnd, sub.EndedAt = sk.SubscriptionActive, false, nil
	sub.Attempts, sub.NextAttemptAt = 0, nil
	return nil
}

// update runs a change to a subscription whose billing the actor manages,
// saves it and records it.
func (s *Service) update(ctx context.Context, a *sk.Actor, c sk.Client, subID, action string,
	change func(tx *store.Tx, sub *store.SubscriptionState) error) (*sk.Subscription, error) {
	var result *sk.Subscription
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		sub, err := authorizeSubscription(ctx, tx, a, subID)
		if err != nil {
			return err
		}
		before := subscriptionState(sub)
		if err := change(tx, sub); err != nil {
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
