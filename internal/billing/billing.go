// Package billing implements seatkeeper.BillingService: the plan catalogue,
// checkout, the billing portal, and the lifecycle of subscriptions (renewal,
// payment retries, the end of a period). Money is integer minor units
// throughout; amounts for part of a period come from package proration.
//
// A charge happens inside the transaction that records it, keyed by the
// invoice it pays, so that the provider charges once however often the
// transaction is retried, and a charge that fails leaves nothing behind.
package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/billing/payment"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/orgs"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Config is what the service needs.
type Config struct {
	DB       *store.DB
	Clock    sk.Clock
	Provider payment.Provider
	Orgs     *orgs.Service
	Plans    []sk.Plan
	Logger   *slog.Logger

	// Metrics counts checkouts, seat changes and renewals once they have
	// committed; nil counts nothing.
	Metrics *metrics.Metrics
}

// Service implements sk.BillingService.
type Service struct {
	cfg   Config
	plans map[string]*sk.Plan
}

var _ sk.BillingService = (*Service)(nil)

// New returns the service. Call SavePlans once at start so that the
// catalogue is in the store.
func New(cfg Config) *Service {
	s := &Service{cfg: cfg, plans: map[string]*sk.Plan{}}
	for i := range cfg.Plans {
		s.plans[cfg.Plans[i].ID] = &cfg.Plans[i]
	}
	if s.cfg.Logger == nil {
		s.cfg.Logger = slog.Default()
	}
	return s
}

// SavePlans writes the catalogue to the store.
func (s *Service) SavePlans(ctx context.Context) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.SavePlans(ctx, s.cfg.Plans)
	})
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

// Plans implements sk.BillingService.
func (s *Service) Plans(ctx context.Context) ([]sk.Plan, error) {
	return s.cfg.Plans, nil
}

// periodEnd is the end of a billing period that starts at start.
func periodEnd(start time.Time, period string) time.Time {
	if period == sk.PeriodYear {
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 1, 0)
}

var errNoCustomer = sk.Errorf(sk.ENOTFOUND, "No such customer account.")

// authorizeCustomer checks that the actor manages the customer account's
// billing, as package policy decides from the facts the store reads, and
// returns the facts. Anyone who does not manage it is told it does not
// exist.
func authorizeCustomer(ctx context.Context, tx *store.Tx, a *sk.Actor, customerID string) (
	*store.CustomerBilling, error) {
	f, err := tx.CustomerBilling(ctx, customerID, a.User.ID)
	if err != nil {
		return nil, err
	}
	if !accountPolicy(f).ManagesBilling() {
		return nil, errNoCustomer
	}
	return f, nil
}

// accountPolicy turns the store's facts about an account into policy's.
func accountPolicy(f *store.CustomerBilling) policy.Account {
	acc := policy.Account{HoldsPersonal: f.OfUser > 0}
	for _, refs := range f.Orgs {
		acc.Orgs = append(acc.Orgs, policy.Grants(refs))
	}
	return acc
}

// authorizeSubscription loads a subscription whose billing the actor
// manages. Those who see it in their organization's Subscriptions section
// without managing it (Managers) are forbidden; anyone else is told it does
// not exist.
func authorizeSubscription(ctx context.Context, tx *store.Tx, a *sk.Actor, subID string) (
	*store.SubscriptionState, error) {
	sub, err := tx.Subscription(ctx, subID)
	if err != nil {
		return nil, err
	}
	switch _, err := authorizeCustomer(ctx, tx, a, sub.CustomerID); {
	case err == nil:
		return sub, nil
	case err != errNoCustomer:
		return nil, err
	}

	if sub.OrganizationID != nil {
		refs, err := tx.RolesIn(ctx, *sub.OrganizationID, a.User.ID)
		if err != nil {
			return nil, err
		}
		if policy.Grants(refs).Allows(policy.SeeSubscriptions, "") {
			return nil, sk.Errorf(sk.EFORBIDDEN,
				"Only an Owner opens the billing portal; Managers read subscriptions only.")
		}
	}
	return nil, sk.Errorf(sk.ENOTFOUND, "No such subscription.")
}

// audit records a billing change. System changes (renewals) have no actor.
func (s *Service) audit(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	orgID *string, customerID, action, targetType, targetID string, before, after any) error {
	r := &store.AuditRecord{
		CustomerID: &customerID,
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		ClientIP:   c.IP,
		At:         s.now(),
	}
	if orgID != nil {
		r.OrgID = *orgID
	}
	if a != nil {
		r.Actor = &sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name}
	}
	var err error
	if r.Before, err = marshal(before); err != nil {
		return err
	}
	if r.After, err = marshal(after); err != nil {
		return err
	}
	return tx.InsertAudit(ctx, r)
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding audit state: %w", err)
	}
	return b, nil
}

// subscriptionState is what the audit log records of a subscription.
func subscriptionState(sub *store.SubscriptionState) map[string]any {
	return map[string]any{
		"seats":                sub.Seats,
		"status":               sub.Status,
		"cancel_at_period_end": sub.CancelAtPeriodEnd,
		"current_period_start": sub.CurrentPeriodStart,
		"current_period_end":   sub.CurrentPeriodEnd,
	}
}
