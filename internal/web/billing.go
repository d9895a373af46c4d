package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
)

// checkoutPage is the data of the checkout form.
type checkoutPage struct {
	Plans     []sk.Plan
	Customers []sk.Customer // the billing accounts the user manages
	Key       string        // the form's idempotency key
	Years     []int         // card expiry years to offer
}

func (s *Server) checkoutForm(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderCheckout(w, r, a, nil, http.StatusOK)
}

func (s *Server) renderCheckout(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	status int) error {
	ctx := r.Context()
	plans, err := s.cfg.Billing.Plans(ctx)
	if err != nil {
		return err
	}
	customers, err := s.customers(ctx, a)
	if err != nil {
		return err
	}

	year := s.cfg.Clock.Now().Year()
	data := checkoutPage{Plans: plans, Customers: customers, Key: newKey()}
	for y := year; y < year+12; y++ {
		data.Years = append(data.Years, y)
	}
	if f == nil && r.URL.Query().Get("plan") != "" {
		f = &form{Values: r.URL.Query()}
	}
	s.render(w, r, a, status, "checkout", &view{Title: "Buy a plan", Nav: "checkout",
		Form: f, Here: "/checkout", Data: data})
	return nil
}

// customers returns the billing accounts the user manages, with their
// cards: those of the subscriptions they see as an Owner or buyer.
func (s *Server) customers(ctx context.Context, a *sk.Actor) ([]sk.Customer, error) {
	subs, err := s.cfg.Billing.MySubscriptions(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []sk.Customer
	seen := map[string]bool{}
	for _, sub := range subs {
		if seen[sub.CustomerID] {
			continue
		}
		seen[sub.CustomerID] = true
		c, err := s.cfg.Billing.Customer(ctx, a, sub.CustomerID)
		if sk.ErrorCode(err) == sk.ENOTFOUND || sk.ErrorCode(err) == sk.EFORBIDDEN {
			continue // a personal plan bought by someone else's account
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	in, err := checkoutInput(r)
	if err == nil {
		err = s.personalSeats(r, &in)
	}
	var res *sk.CheckoutResult
	if err == nil {
		err = s.once(w, r, a, func() (string, string, error) {
			res, err = s.cfg.Billing.Checkout(r.Context(), a, s.cfg.Client(r), in)
			if err != nil {
				return "", "", err
			}
			return checkoutDone(res)
		})
	}
	if f := formFailure(r, "checkout", err); f != nil {
		f.Values.Del("card.number")
		f.Values.Del("card.cvc")
		return s.renderCheckout(w, r, a, f, statusOf(err))
	}
	return err
}

// checkoutInput reads the checkout form. A saved card is named
// "CUSTOMER:CARD"; an empty one means the card fields.
func checkoutInput(r *http.Request) (sk.Checkout, error) {
	var v sk.Validation
	in := sk.Checkout{
		Plan:             r.PostFormValue("plan"),
		Period:           r.PostFormValue("period"),
		Seats:            optionalInt(r, "seats", &v),
		OrganizationName: strings.TrimSpace(r.PostFormValue("organization_name")),
		CustomerID:       optional(r.PostFormValue("customer_id")),
	}
	if saved := r.PostFormValue("payment_method"); saved != "" {
		cus, pm, ok := strings.Cut(saved, ":")
		v.Check(ok, "payment_method", "is not one of your saved cards")
		in.CustomerID, in.PaymentMethod = &cus, &pm
	} else {
		in.Card = &sk.Card{Number: r.PostFormValue("card.number"),
			CVC: r.PostFormValue("card.cvc")}
		in.Card.ExpMonth = intField(r, "card.exp_month", &v)
		in.Card.ExpYear = intField(r, "card.exp_year", &v)
	}
	return in, v.Err()
}

// personalSeats fills in what the form asks nobody for when the plan is
// personal: it has one seat, and no organization.
func (s *Server) personalSeats(r *http.Request, in *sk.Checkout) error {
	plans, err := s.cfg.Billing.Plans(r.Context())
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.ID == in.Plan && p.Kind == sk.PlanPersonal {
			in.Seats, in.OrganizationName = 1, ""
		}
	}
	return nil
}

// checkoutDone says where a buyer goes after paying: to their new
// organization, or to their licenses for a personal plan.
func checkoutDone(res *sk.CheckoutResult) (string, string, error) {
	paid := money(res.Invoice.Total, res.Invoice.Currency)
	if res.Organization != nil {
		return "/orgs/" + res.Organization.ID + "/licenses",
			"Paid " + paid + ". " + res.Organization.Name + " is ready: its " +
				plural(res.Subscription.Seats, "license is", "licenses are") +
				" below, waiting to be assigned.", nil
	}
	return "/licenses", "Paid " + paid + ". Your license is ready.", nil
}

// portalPage is the data of the billing portal of one customer account.
type portalPage struct {
	Customer      *sk.Customer
	Subscriptions []sk.Subscription
	Invoices      []sk.Invoice
	Next, First   string
	Years         []int
}

func (s *Server) portal(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderPortal(w, r, a, nil, http.StatusOK)
}

func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	status int) error {
	ctx := r.Context()
	c, err := s.cfg.Billing.Customer(ctx, a, r.PathValue("customer"))
	if err != nil {
		return err
	}
	page := pageOf(r, 20)
	invoices, next, err := s.cfg.Billing.Invoices(ctx, a, c.ID, page)
	if err != nil {
		return err
	}
	subs, err := s.cfg.Billing.MySubscriptions(ctx, a)
	if err != nil {
		return err
	}

	data := portalPage{Customer: c, Invoices: invoices}
	for _, sub := range subs {
		if sub.CustomerID == c.ID {
			data.Subscriptions = append(data.Subscriptions, sub)
		}
	}
	data.Next, data.First = pageLinks(r, page, next)
	year := s.cfg.Clock.Now().Year()
	for y := year; y < year+12; y++ {
		data.Years = append(data.Years, y)
	}
	s.render(w, r, a, status, "portal", &view{Title: "Billing · " + c.BillingName,
		Form: f, Here: "/billing/customers/" + c.ID, Data: data})
	return nil
}

func (s *Server) addCard(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var v sk.Validation
	card := sk.Card{Number: r.PostFormValue("card.number"), CVC: r.PostFormValue("card.cvc"),
		ExpMonth: intField(r, "card.exp_month", &v), ExpYear: intField(r, "card.exp_year", &v)}
	err := v.Err()
	var pm *sk.PaymentMethod
	if err == nil {
		pm, err = s.cfg.Billing.AddPaymentMethod(r.Context(), a, s.cfg.Client(r),
			r.PathValue("customer"), card)
	}
	if f := formFailure(r, "card", err); f != nil {
		f.Values.Del("card.number")
		f.Values.Del("card.cvc")
		return s.renderPortal(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/billing/customers/"+r.PathValue("customer"),
		titleCase(pm.Brand)+" ending in "+pm.Last4+" is saved.")
	return nil
}

func (s *Server) removeCard(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Remove card",
			Question: "Remove the card " + r.PostFormValue("name") + "?",
			Button:   "Remove card", Danger: true})
	}
	err := s.cfg.Billing.RemovePaymentMethod(r.Context(), a, s.cfg.Client(r),
		r.PathValue("customer"), r.PathValue("pm"))
	if f := formFailure(r, "remove-card", err); f != nil {
		return s.renderPortal(w, r, a, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/billing/customers/"+r.PathValue("customer"), "The card is removed.")
	return nil
}

func (s *Server) defaultCard(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Billing.SetDefaultPaymentMethod(r.Context(), a, s.cfg.Client(r),
		r.PathValue("customer"), r.PathValue("pm"))
	if err != nil {
		return err
	}
	s.redirect(w, r, "/billing/customers/"+r.PathValue("customer"),
		"Renewals are now charged to this card.")
	return nil
}

func (s *Server) invoice(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	inv, err := s.cfg.Billing.Invoice(r.Context(), a, r.PathValue("invoice"))
	if err != nil {
		return err
	}
	c, err := s.cfg.Billing.Customer(r.Context(), a, inv.CustomerID)
	if err != nil {
		return err
	}
	s.render(w, r, a, http.StatusOK, "invoice", &view{Title: invoiceTitle(inv),
		Data: struct {
			Invoice  *sk.Invoice
			Customer *sk.Customer
			Seller   string
		}{inv, c, s.seller()}})
	return nil
}

func invoiceTitle(inv *sk.Invoice) string {
	return "Invoice " + invoiceNumber(inv.Number)
}

// invoiceNumber writes an invoice's sequential number as invoices show it.
func invoiceNumber(n int64) string { return fmt.Sprintf("%06d", n) }

// subscriptionPage is the data of one subscription's page in the portal,
// and of the seat change's preview.
type subscriptionPage struct {
	Sub     *sk.Subscription
	Preview *sk.SeatChange // the priced change awaiting confirmation
	Key     string         // the confirming form's idempotency key
}

func (s *Server) subscription(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderSubscription(w, r, a, nil, nil, http.StatusOK)
}

func (s *Server) renderSubscription(w http.ResponseWriter, r *http.Request, a *sk.Actor,
	preview *sk.SeatChange, f *form, status int) error {
	sub, err := s.cfg.Billing.Subscription(r.Context(), a, r.PathValue("sub"))
	if err != nil {
		return err
	}
	data := subscriptionPage{Sub: sub, Preview: preview, Key: newKey()}
	s.render(w, r, a, status, "subscription", &view{Title: "Subscription · " + sub.Plan.Name,
		Form: f, Here: "/billing/subscriptions/" + sub.ID, Data: data})
	return nil
}

// previewSeats shows what a seat change costs before it is made.
func (s *Server) previewSeats(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var v sk.Validation
	seats := intField(r, "seats", &v)
	err := v.Err()
	var change *sk.SeatChange
	if err == nil {
		change, err = s.cfg.Billing.PreviewSeats(r.Context(), a, r.PathValue("sub"), seats)
	}
	if f := formFailure(r, "seats", err); f != nil {
		return s.renderSubscription(w, r, a, nil, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	return s.renderSubscription(w, r, a, change, nil, http.StatusOK)
}

func (s *Server) changeSeats(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var v sk.Validation
	seats := intField(r, "seats", &v)
	err := v.Err()
	subID := r.PathValue("sub")
	if err == nil {
		err = s.once(w, r, a, func() (string, string, error) {
			change, err := s.cfg.Billing.ChangeSeats(r.Context(), a, s.cfg.Client(r), subID,
				seats)
			if err != nil {
				return "", "", err
			}
			return "/billing/subscriptions/" + subID, seatsChanged(change), nil
		})
	}
	if f := formFailure(r, "seats", err); f != nil {
		return s.renderSubscription(w, r, a, nil, f, statusOf(err))
	}
	return err
}

func seatsChanged(c *sk.SeatChange) string {
	msg := "The subscription now has " + plural(c.Seats, "seat", "seats") + "."
	switch {
	case c.AmountDueNow > 0:
		msg += " " + money(c.AmountDueNow, c.Currency) + " was charged for the rest of " +
			"the period."
	case c.Credit > 0:
		msg += " " + money(c.Credit, c.Currency) + " is credited to the next invoice."
	}
	return msg
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Cancel subscription",
			Question: "Cancel this subscription at the end of its period?",
			Detail: "Its licenses keep working until then, and stop after. You can " +
				"renew at any time to undo it.",
			Button: "Cancel subscription", Danger: true})
	}
	sub, err := s.cfg.Billing.Cancel(r.Context(), a, s.cfg.Client(r), r.PathValue("sub"))
	if err != nil {
		return err
	}
	s.redirect(w, r, "/billing/subscriptions/"+sub.ID,
		"The subscription ends on "+sub.CurrentPeriodEnd.Format("Jan 2, 2006")+".")
	return nil
}

func (s *Server) renew(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	subID := r.PathValue("sub")
	err := s.once(w, r, a, func() (string, string, error) {
		sub, err := s.cfg.Billing.Renew(r.Context(), a, s.cfg.Client(r), subID)
		if err != nil {
			return "", "", err
		}
		return "/billing/subscriptions/" + subID, "The subscription renews on " +
			sub.CurrentPeriodEnd.Format("Jan 2, 2006") + ".", nil
	})
	if f := formFailure(r, "renew", err); f != nil {
		return s.renderSubscription(w, r, a, nil, f, statusOf(err))
	}
	return err
}

// subscriptionsPage is the data of an organization's Subscriptions part.
type subscriptionsPage struct {
	*orgPage
	Subscriptions []sk.Subscription
}

func (s *Server) orgSubscriptions(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := s.loadOrg(r, a, "subscriptions")
	if err != nil {
		return err
	}
	subs, err := s.cfg.Billing.OrgSubscriptions(r.Context(), a, p.Org.ID)
	if err != nil {
		return err
	}
	s.render(w, r, a, http.StatusOK, "org-subscriptions", &view{
		Title: "Subscriptions · " + p.Org.Name, Nav: p.nav(),
		Data: subscriptionsPage{orgPage: p, Subscriptions: subs}})
	return nil
}
