package api

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

func (s *Server) billingRoutes() []route {
	return []route{
		{"GET /api/v1/plans", s.public(s.plans)},
		{"POST /api/v1/checkout", s.authed(s.idempotent(s.checkout))},
		{"GET /api/v1/me/subscriptions", s.authed(s.mySubscriptions)},
		{"GET /api/v1/orgs/{org}/subscriptions", s.authed(s.orgSubscriptions)},
		{"GET /api/v1/billing/customers/{customer}", s.authed(s.customer)},
		{"POST /api/v1/billing/customers/{customer}/payment-methods", s.authed(s.addCard)},
		{"DELETE /api/v1/billing/customers/{customer}/payment-methods/{pm}",
			s.authed(s.removeCard)},
		{"POST /api/v1/billing/customers/{customer}/payment-methods/{pm}/default",
			s.authed(s.defaultCard)},
		{"GET /api/v1/billing/customers/{customer}/invoices", s.authed(s.invoices)},
		{"GET /api/v1/billing/invoices/{invoice}", s.authed(s.invoice)},
		{"GET /api/v1/billing/subscriptions/{sub}", s.authed(s.subscription)},
		{"POST /api/v1/billing/subscriptions/{sub}/seats/preview", s.authed(s.previewSeats)},
		{"POST /api/v1/billing/subscriptions/{sub}/seats", s.authed(s.idempotent(s.changeSeats))},
		{"POST /api/v1/billing/subscriptions/{sub}/cancel", s.authed(s.cancel)},
		{"POST /api/v1/billing/subscriptions/{sub}/renew", s.authed(s.idempotent(s.renew))},
	}
}

func (s *Server) plans(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.cfg.Billing.Plans(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[sk.Plan]{Data: plans})
	return nil
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in sk.Checkout
	if err := decode(w, r, &in); err != nil {
		return err
	}
	result, err := s.cfg.Billing.Checkout(r.Context(), a, client(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, result)
	return nil
}

func (s *Server) mySubscriptions(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	subs, err := s.cfg.Billing.MySubscriptions(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[sk.Subscription]{Data: subs})
	return nil
}

func (s *Server) orgSubscriptions(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	subs, err := s.cfg.Billing.OrgSubscriptions(r.Context(), a, r.PathValue("org"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[sk.Subscription]{Data: subs})
	return nil
}

func (s *Server) customer(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	c, err := s.cfg.Billing.Customer(r.Context(), a, r.PathValue("customer"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type cardRequest struct {
	Card *sk.Card `json:"card"`
}

func (s *Server) addCard(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in cardRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Card == nil {
		return sk.Invalid("card", "is required")
	}
	m, err := s.cfg.Billing.AddPaymentMethod(r.Context(), a, client(r), r.PathValue("customer"),
		*in.Card)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) removeCard(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Billing.RemovePaymentMethod(r.Context(), a, client(r),
		r.PathValue("customer"), r.PathValue("pm"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) defaultCard(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Billing.SetDefaultPaymentMethod(r.Context(), a, client(r),
		r.PathValue("customer"), r.PathValue("pm"))
	if err != nil {
		return err
	}
	return s.customer(w, r, a)
}

func (s *Server) invoices(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	list, next, err := s.cfg.Billing.Invoices(r.Context(), a, r.PathValue("customer"), p.Page)
	if err != nil {
		return err
	}
	respondList(w, p, list, next)
	return nil
}

func (s *Server) invoice(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	inv, err := s.cfg.Billing.Invoice(r.Context(), a, r.PathValue("invoice"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

func (s *Server) subscription(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	sub, err := s.cfg.Billing.Subscription(r.Context(), a, r.PathValue("sub"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

type seatsRequest struct {
	Seats int `json:"seats"`
}

func (s *Server) previewSeats(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in seatsRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	change, err := s.cfg.Billing.PreviewSeats(r.Context(), a, r.PathValue("sub"), in.Seats)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, change)
	return nil
}

func (s *Server) changeSeats(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in seatsRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	change, err := s.cfg.Billing.ChangeSeats(r.Context(), a, client(r), r.PathValue("sub"),
		in.Seats)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, change)
	return nil
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	sub, err := s.cfg.Billing.Cancel(r.Context(), a, client(r), r.PathValue("sub"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) renew(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	sub, err := s.cfg.Billing.Renew(r.Context(), a, client(r), r.PathValue("sub"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}
