package billing

import (
	"context"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/payment"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// checkCheckout validates a checkout against the catalogue and returns its
// plan.
func (s *Service) checkCheckout(in *sk.Checkout) (*sk.Plan, error) {
	var v sk.Validation
	plan, ok := s.plans[in.Plan]
	if !ok {
		v.Add("plan", "must be one of the catalogue's plans")
	}
	if in.Period != sk.PeriodMonth && in.Period != sk.PeriodYear {
		v.Add("period", "must be month or year")
	}
	if ok {
		v.Check(in.Seats >= plan.MinSeats && in.Seats <= plan.MaxSeats, "seats",
			"must be from %d to %d for the %s plan", plan.MinSeats, plan.MaxSeats, plan.Name)
		if plan.Kind == sk.PlanOrganization {
			sk.CheckName(&v, "organization_name", in.OrganizationName, 100)
		} else {
			v.Check(in.OrganizationName == "", "organization_name",
				"is only for organization plans")
		}
	}
	switch {
	case (in.PaymentMethod == nil) == (in.Card == nil):
		v.Add("payment_method", "give either a saved payment_method or a new card")
	case in.PaymentMethod != nil && in.CustomerID == nil:
		v.Add("customer_id", "is required to pay with a saved payment method")
	}
	return plan, v.Err()
}

// Checkout implements sk.BillingService.
func (s *Service) Checkout(ctx context.Context, a *sk.Actor, c sk.Client, in sk.Checkout) (
	*sk.CheckoutResult, error) {
	plan, err := s.checkCheckout(&in)
	if err != nil {
		return nil, err
	}

	// A new card is checked (and declined) before anything is written.
	var card *payment.Method
	if in.Card != nil {
		m, err := s.cfg.Provider.Tokenize(ctx, *in.Card, s.now())
		if err != nil {
			return nil, err
		}
		card = &m
	}

	// Made once, outside the transaction, so that a retried transaction
	// charges with the same key.
	now := s.now()
	invoiceID := sk.NewID(sk.PrefixInvoice, now)
	subID := sk.NewID(sk.PrefixSubscription, now)

	var result *sk.CheckoutResult
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		customerID, err := s.checkoutCustomer(ctx, tx, a, c, in.CustomerID, plan)
		if err != nil {
			return err
		}
		m, err := s.checkoutCard(ctx, tx, a, c, customerID, in.PaymentMethod, card)
		if err != nil {
			return err
		}
		result, err = s.createSubscription(ctx, tx, a, c, plan, &in, customerID, subID)
		if err != nil {
			return err
		}

		sub, err := tx.Subscription(ctx, subID)
		if err != nil {
			return err
		}
		lines := []sk.InvoiceLine{periodLine(sub, in.Seats, sub.CurrentPeriodStart,
			sub.CurrentPeriodEnd)}
		inv, err := s.bill(ctx, tx, invoiceID, customerID, &subID, lines, m)
		if err != nil {
			return err
		}
		result.Invoice = &inv.Invoice
		return s.auditPaid(ctx, tx, a, c, sub.OrganizationID, inv)
	})
	if err != nil {
		return nil, err
	}

	s.cfg.Metrics.Checkout(plan.ID)
	if plan.Kind == sk.PlanPersonal {
		s.cfg.Metrics.LicensesAssigned(1)
	}
	return result, nil
}

// checkoutCustomer returns the customer account that pays: one the actor
// manages, or a new one in their name.
func (s *Service) checkoutCustomer(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	customerID *string, plan *sk.Plan) (string, error) {
	if customerID != nil {
		f, err := authorizeCustomer(ctx, tx, a, *customerID)
		if err != nil {
			return "", err
		}
		if err := checkAccountKind(f, plan); err != nil {
			return "", err
		}
		customer, err := tx.Customer(ctx, *customerID)
		if err != nil {
			return "", err
		}
		if customer.Currency != plan.Currency {
			return "", sk.Invalid("customer_id", "pays in %s; the %s plan is priced in %s",
				customer.Currency, plan.Name, plan.Currency)
		}
		return *customerID, nil
	}

	now := s.now()
	rec := &store.CustomerRecord{
		ID:           sk.NewID(sk.PrefixCustomer, now),
		BillingName:  a.User.Name,
		BillingEmail: a.User.Email,
		Currency:     plan.Currency,
		CreatedBy:    &a.User.ID,
		CreatedAt:    now,
	}
	return rec.ID, tx.CreateCustomer(ctx, rec)
}

// checkAccountKind keeps personal and organizations' subscriptions on
// accounts of their own. Billing rights over an organization's
// subscriptions come from its Owner role alone, and those over a personal
// one from being its holder; on one account, the holder of a personal
// subscription would manage the organizations' billing too, whatever their
// role.
func checkAccountKind(f *store.CustomerBilling, plan *sk.Plan) error {
	switch {
	case plan.Kind == sk.PlanPersonal && len(f.Orgs) > 0:
		return sk.Invalid("customer_id", "pays for organizations, and a personal plan "+
			"needs a billing account of its own; leave customer_id out to make one")
	case plan.Kind == sk.PlanOrganization && f.Personal > 0:
		return sk.Invalid("customer_id", "pays for personal subscriptions, and an "+
			"organization plan needs a billing account of its own or of another "+
			"organization; leave customer_id out to make one")
	}
	return nil
}

// checkoutCard returns the card to charge: a saved one of the customer, or
// the new one, saved now (as the default if the customer has none).
func (s *Service) checkoutCard(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	customerID string, saved *string, card *payment.Method) (*store.PaymentMethodRecord, error) {
	if saved != nil {
		m, err := tx.PaymentMethod(ctx, customerID, *saved)
		if sk.ErrorCode(err) == sk.ENOTFOUND {
			return nil, sk.Invalid("payment_method", "is not a card of this customer account")
		}
		return m, err
	}
	return s.saveCard(ctx, tx, a, c, customerID, card)
}

// saveCard stores what the provider let us keep of a card.
func (s *Service) saveCard(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	customerID string, card *payment.Method) (*store.PaymentMethodRecord, error) {
	_, err := tx.DefaultPaymentMethod(ctx, customerID)
	first := sk.ErrorCode(err) == sk.ENOTFOUND
	if err != nil && !first {
		return nil, err
	}

	now := s.now()
	m := &store.PaymentMethodRecord{
		PaymentMethod: sk.PaymentMethod{
			ID:       sk.NewID(sk.PrefixPayment, now),
			Brand:    card.Brand,
			Last4:    card.Last4,
			ExpMonth: card.ExpMonth,
			ExpYear:  card.ExpYear,
			Default:  first,
		},
		CustomerID:  customerID,
		ProviderRef: card.Ref,
		CreatedAt:   now,
	}
	if err := tx.CreatePaymentMethod(ctx, m); err != nil {
		return nil, err
	}
	return m, s.audit(ctx, tx, a, c, nil, customerID, "payment_method.added", "payment_method",
		m.ID, nil, m.PaymentMethod)
}

// createSubscription makes the subscription and its licenses, and for an
// organization plan the organization, with the buyer as Owner; a personal
// plan's license goes to the buyer.
func (s *Service) createSubscription(ctx context.Context, tx *store.Tx, a *sk.Actor,
	c sk.Client, plan *sk.Plan, in *sk.Checkout, customerID, subID string) (
	*sk.CheckoutResult, error) {
	now := s.now()
	rec := &store.SubscriptionRecord{
		ID:          subID,
		CustomerID:  customerID,
		PlanID:      plan.ID,
		Period:      in.Period,
		Seats:       in.Seats,
		Status:      sk.SubscriptionActive,
		PeriodStart: now,
		PeriodEnd:   periodEnd(now, in.Period),
		CreatedAt:   now,
	}

	result := &sk.CheckoutResult{}
	if plan.Kind == sk.PlanOrganization {
		org, err := s.cfg.Orgs.CreateOrganizationTx(ctx, tx, strings.TrimSpace(in.OrganizationName),
			a.User.ID, &customerID)
		if err != nil {
			return nil, err
		}
		result.Organization, rec.OrgID = org, &org.ID
	} else {
		rec.UserID = &a.User.ID
	}

	licenses, err := tx.CreateSubscription(ctx, rec)
	if err != nil {
		return nil, err
	}
	if plan.Kind == sk.PlanPersonal {
		err := tx.SetAssignee(ctx, licenses[0], &a.User.ID, nil, now)
		if err != nil {
			return nil, err
		}
	}

	sub, err := tx.Subscription(ctx, subID)
	if err != nil {
		return nil, err
	}
	result.Subscription = &sub.Subscription
	return result, s.audit(ctx, tx, a, c, rec.OrgID, customerID, "subscription.created",
		"subscription", subID, nil, subscriptionState(sub))
}
