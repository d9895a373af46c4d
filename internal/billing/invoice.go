package billing

import (
	"context"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/payment"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// bill issues an invoice with the given ID for the lines, spends the
// customer's credit on it, and charges the rest to the card. A declined
// charge returns the provider's EPAYMENT error and the invoice, still open;
// the caller decides whether to keep it (a renewal does) or roll back
// (checkout, a seat change).
func (s *Service) bill(ctx context.Context, tx *store.Tx, id, customerID string,
	subID *string, lines []sk.InvoiceLine, m *store.PaymentMethodRecord) (
	*store.InvoiceRecord, error) {
	customer, err := tx.Customer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	number, err := tx.NextInvoiceNumber(ctx)
	if err != nil {
		return nil, err
	}

	var subtotal int64
	for _, l := range lines {
		subtotal += l.Amount
	}
	credit := min(customer.Balance, max(subtotal, 0))
	inv := &store.InvoiceRecord{Invoice: sk.Invoice{
		ID:             id,
		Number:         number,
		CustomerID:     customerID,
		SubscriptionID: subID,
		Status:         sk.InvoiceOpen,
		Currency:       customer.Currency,
		Subtotal:       subtotal,
		CreditApplied:  credit,
		Total:          subtotal - credit,
		Lines:          lines,
		CreatedAt:      s.now(),
	}}
	if err := tx.CreateInvoice(ctx, inv); err != nil {
		return nil, err
	}
	if credit > 0 {
		if err := tx.AddBalance(ctx, customerID, -credit); err != nil {
			return nil, err
		}
	}
	return inv, s.settle(ctx, tx, inv, m)
}

// settle pays an open invoice: with nothing to pay it is paid at once,
// otherwise its total is charged to the card. A declined charge is counted
// on the invoice, in the transaction, so that the next attempt is a new
// charge; see chargeKey.
func (s *Service) settle(ctx context.Context, tx *store.Tx, inv *store.InvoiceRecord,
	m *store.PaymentMethodRecord) error {
	now := s.now()
	if inv.Total == 0 {
		return s.markPaid(ctx, tx, inv, nil, "", now)
	}
	if m == nil {
		return sk.Errorf(sk.EPAYMENT, "There is no default card to charge; add one.")
	}

	ref, err := s.cfg.Provider.Charge(ctx, payment.Charge{
		Key:      chargeKey(inv, m),
		Amount:   inv.Total,
		Currency: inv.Currency,
		Method:   method(m),
	})
	if sk.ErrorCode(err) == sk.EPAYMENT {
		if derr := tx.DeclineCharge(ctx, inv.ID); derr != nil {
			return derr
		}
		inv.ChargeAttempts++
	}
	if err != nil {
		return err
	}
	return s.markPaid(ctx, tx, inv, m, ref, now)
}

// chargeKey is the provider's idempotency key of a charge: the invoice, how
// many of its charges were declined, and the card. Each new attempt (after
// a recorded decline, or with another card) is a new charge, which a real
// provider tries afresh rather than answering with the last decline; an
// attempt whose answer was lost (a transaction rolled back after the
// provider answered, a network error) is tried again with its key and
// charged once.
func chargeKey(inv *store.InvoiceRecord, m *store.PaymentMethodRecord) string {
	return fmt.Sprintf("%s/%d/%s", inv.ID, inv.ChargeAttempts+1, m.ID)
}

// auditPaid records that an invoice was paid, in the audit log of the
// subscription's organization if it has one. System work (renewals,
// retries) has no actor.
func (s *Service) auditPaid(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	orgID *string, inv *store.InvoiceRecord) error {
	return s.audit(ctx, tx, a, c, orgID, inv.CustomerID, "invoice.paid", "invoice", inv.ID,
		nil, map[string]any{"number": inv.Number, "total": inv.Total})
}

func (s *Service) markPaid(ctx context.Context, tx *store.Tx, inv *store.InvoiceRecord,
	m *store.PaymentMethodRecord, ref string, now time.Time) error {
	if err := tx.PayInvoice(ctx, inv.ID, m, ref, now); err != nil {
		return err
	}
	inv.Status, inv.PaidAt = sk.InvoicePaid, &now
	if m != nil {
		inv.Card = &sk.CardRef{Brand: m.Brand, Last4: m.Last4}
		inv.PaymentMethodID = &m.ID
	}
	return nil
}

// method is what the provider needs of a saved card.
func method(m *store.PaymentMethodRecord) payment.Method {
	return payment.Method{Brand: m.Brand, Last4: m.Last4, ExpMonth: m.ExpMonth,
		ExpYear: m.ExpYear, Ref: m.ProviderRef}
}

// periodLine is the line of a whole period's seats.
func periodLine(sub *store.SubscriptionState, seats int, start, end time.Time) sk.InvoiceLine {
	price := sub.Plan.Price(sub.Period)
	return sk.InvoiceLine{
		Description: fmt.Sprintf("%d × %s seat (%s, %s – %s)", seats, sub.Plan.Name,
			periodName(sub.Period), start.Format("2 Jan 2006"), end.Format("2 Jan 2006")),
		Quantity:    seats,
		UnitAmount:  price,
		Amount:      int64(seats) * price,
		PeriodStart: start,
		PeriodEnd:   end,
	}
}

func periodName(period string) string {
	if period == sk.PeriodYear {
		return "yearly"
	}
	return "monthly"
}
