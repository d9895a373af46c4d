package billing

import (
	"context"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Customer implements sk.BillingService.
func (s *Service) Customer(ctx context.Context, a *sk.Actor, customerID string) (*sk.Customer,
	error) {
	var customer *sk.Customer
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := authorizeCustomer(ctx, tx, a, customerID); err != nil {
			return err
		}
		var err error
		customer, err = tx.Customer(ctx, customerID)
		return err
	})
	return customer, err
}

// AddPaymentMethod implements sk.BillingService.
func (s *Service) AddPaymentMethod(ctx context.Context, a *sk.Actor, c sk.Client,
	customerID string, card sk.Card) (*sk.PaymentMethod, error) {
	m, err := s.cfg.Provider.Tokenize(ctx, card, s.now())
	if err != nil {
		return nil, err
	}

	var saved *store.PaymentMethodRecord
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := authorizeCustomer(ctx, tx, a, customerID); err != nil {
			return err
		}
		var err error
		saved, err = s.saveCard(ctx, tx, a, c, customerID, &m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &saved.PaymentMethod, nil
}

// RemovePaymentMethod implements sk.BillingService.
func (s *Service) RemovePaymentMethod(ctx context.Context, a *sk.Actor, c sk.Client,
	customerID, pmID string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := authorizeCustomer(ctx, tx, a, customerID); err != nil {
			return err
		}
		m, err := tx.PaymentMethod(ctx, customerID, pmID)
		if err != nil {
			return err
		}
		if m.Default {
			live, err := tx.LiveSubscriptions(ctx, customerID)
			if err != nil {
				return err
			}
			if live > 0 {
				return sk.Errorf(sk.ECONFLICT, "This card pays for %d subscription(s); "+
					"make another card the default before removing it.", live)
			}
		}
		if err := tx.RemovePaymentMethod(ctx, customerID, pmID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, c, nil, customerID, "payment_method.removed",
			"payment_method", pmID, m.PaymentMethod, nil)
	})
}

// SetDefaultPaymentMethod implements sk.BillingService.
func (s *Service) SetDefaultPaymentMethod(ctx context.Context, a *sk.Actor, c sk.Client,
	customerID, pmID string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := authorizeCustomer(ctx, tx, a, customerID); err != nil {
			return err
		}
		var before *string
		switch old, err := tx.DefaultPaymentMethod(ctx, customerID); {
		case err == nil && old.ID == pmID:
			return nil // already the default: nothing changes
		case err == nil:
			before = &old.ID
		case sk.ErrorCode(err) != sk.ENOTFOUND:
			return err
		}

		if err := tx.SetDefaultPaymentMethod(ctx, customerID, pmID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, c, nil, customerID, "payment_method.default_changed",
			"payment_method", pmID, map[string]*string{"default_payment_method": before},
			map[string]string{"default_payment_method": pmID})
	})
}

// Invoices implements sk.BillingService.
func (s *Service) Invoices(ctx context.Context, a *sk.Actor, customerID string, p sk.Page) (
	[]sk.Invoice, string, error) {
	var list []sk.Invoice
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := authorizeCustomer(ctx, tx, a, customerID); err != nil {
			return err
		}
		var err error
		list, err = tx.Invoices(ctx, customerID, p.After, p.Limit)
		return err
	})
	return list, sk.Next(p, list, func(i sk.Invoice) string { return i.ID }), err
}

// Invoice implements sk.BillingService.
func (s *Service) Invoice(ctx context.Context, a *sk.Actor, invoiceID string) (*sk.Invoice,
	error) {
	var inv *store.InvoiceRecord
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if inv, err = tx.Invoice(ctx, invoiceID); err != nil {
			return err
		}
		_, err = authorizeCustomer(ctx, tx, a, inv.CustomerID)
		if err == errNoCustomer {
			return sk.Errorf(sk.ENOTFOUND, "No such invoice.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &inv.Invoice, nil
}

// Subscription implements sk.BillingService.
func (s *Service) Subscription(ctx context.Context, a *sk.Actor, subID string) (
	*sk.Subscription, error) {
	var sub *store.SubscriptionState
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		sub, err = authorizeSubscription(ctx, tx, a, subID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sub.Subscription, nil
}

// MySubscriptions implements sk.BillingService.
func (s *Service) MySubscriptions(ctx context.Context, a *sk.Actor) ([]sk.Subscription, error) {
	var list []sk.Subscription
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		list, err = tx.UserSubscriptions(ctx, a.User.ID)
		return err
	})
	return list, err
}

// OrgSubscriptions implements sk.BillingService.
func (s *Service) OrgSubscriptions(ctx context.Context, a *sk.Actor, orgID string) (
	[]sk.Subscription, error) {
	var list []sk.Subscription
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		refs, err := tx.RolesIn(ctx, orgID, a.User.ID)
		if err != nil {
			return err
		}
		g := policy.Grants(refs)
		if !g.Member() {
			return sk.Errorf(sk.ENOTFOUND, "No such organization.")
		}
		if !g.Allows(policy.SeeSubscriptions, "") {
			return sk.Errorf(sk.EFORBIDDEN,
				"Only Owners and Managers see the organization's subscriptions.")
		}
		list, err = tx.OrgSubscriptions(ctx, orgID)
		return err
	})
	return list, err
}
