package web

import (
	"net/http"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// heldLicense is a license the user holds, with the machines it is active
// on.
type heldLicense struct {
	sk.HeldLicense
	Activations []sk.Activation
}

func (s *Server) myLicenses(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	held, err := s.cfg.Licenses.MyLicenses(r.Context(), a)
	if err != nil {
		return err
	}
	list := make([]heldLicense, len(held))
	for i, h := range held {
		acts, err := s.cfg.Product.Activations(r.Context(), a, h.ID)
		if err != nil {
			return err
		}
		list[i] = heldLicense{h, acts}
	}
	s.render(w, r, a, http.StatusOK, "my-licenses", &view{Title: "My licenses",
		Nav: "licenses", Data: list})
	return nil
}

// deactivate removes a machine from a license the user holds, freeing its
// place for another.
func (s *Server) deactivate(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Remove machine",
			Question: "Remove " + r.PostFormValue("name") + " from this license?",
			Detail:   "The product on that machine stops working once its token expires.",
			Button:   "Remove machine", Danger: true})
	}
	err := s.cfg.Product.Deactivate(r.Context(), a, s.cfg.Client(r), r.PathValue("license"),
		r.PathValue("activation"))
	if err != nil {
		return err
	}
	s.redirect(w, r, "/licenses", "The machine is removed.")
	return nil
}

func (s *Server) mySubscriptions(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	subs, err := s.cfg.Billing.MySubscriptions(r.Context(), a)
	if err != nil {
		return err
	}
	s.render(w, r, a, http.StatusOK, "my-subscriptions", &view{Title: "My subscriptions",
		Nav: "subscriptions", Data: subs})
	return nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	s.render(w, r, a, http.StatusOK, "account", &view{Title: "Account", Nav: "account"})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Accounts.ChangePassword(r.Context(), a, r.PostFormValue("current_password"),
		r.PostFormValue("password"))
	if f := formFailure(r, "password", err); f != nil {
		return s.accountFailed(w, r, a, f, err)
	}
	if sk.ErrorCode(err) == sk.EUNAUTHENTICATED {
		f := &form{Values: r.PostForm, Action: "password",
			Errors: map[string]string{"current_password": "is not your current password"}}
		return s.accountFailed(w, r, a, f, err)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/account",
		"Your password is changed. Every other session of yours has ended.")
	return nil
}

func (s *Server) changeEmail(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	email := r.PostFormValue("email")
	err := s.cfg.Accounts.ChangeEmail(r.Context(), a, r.PostFormValue("current_password"),
		email)
	if f := formFailure(r, "email", err); f != nil {
		return s.accountFailed(w, r, a, f, err)
	}
	if sk.ErrorCode(err) == sk.EUNAUTHENTICATED {
		f := &form{Values: r.PostForm, Action: "email",
			Errors: map[string]string{"current_password": "is not your current password"}}
		return s.accountFailed(w, r, a, f, err)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/account",
		"We have sent a link to "+email+". The address changes when you open it.")
	return nil
}

// accountFailed shows the account page again with the form that was
// refused. Passwords are never sent back to the browser.
func (s *Server) accountFailed(w http.ResponseWriter, r *http.Request, a *sk.Actor, f *form,
	err error) error {
	f.Values.Del("current_password")
	f.Values.Del("password")
	status := statusOf(err)
	if status == http.StatusUnauthorized {
		status = http.StatusBadRequest
	}
	s.render(w, r, a, status, "account", &view{Title: "Account", Nav: "account", Form: f})
	return nil
}

// tokensPage is the data of the API tokens page. Created holds a new
// token's secret, shown this once.
type tokensPage struct {
	Tokens      []sk.APIToken
	Created     *sk.APIToken
	Next, First string
}

func (s *Server) tokens(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	return s.renderTokens(w, r, a, nil, nil, http.StatusOK)
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, a *sk.Actor,
	created *sk.APIToken, f *form, status int) error {
	page := pageOf(r, 50)
	list, next, err := s.cfg.Accounts.Tokens(r.Context(), a, page)
	if err != nil {
		return err
	}
	data := tokensPage{Tokens: list, Created: created}
	data.Next, data.First = pageLinks(r, page, next)
	s.render(w, r, a, status, "tokens", &view{Title: "API tokens", Nav: "tokens", Form: f,
		Here: "/tokens", Data: data})
	return nil
}

// createToken makes an API token and shows its secret once, on the page
// that answers the form rather than after a redirect, so that it is never
// stored anywhere on its way.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var v sk.Validation
	var expires *time.Time
	if days := strings.TrimSpace(r.PostFormValue("expires_in_days")); days != "" {
		n := intField(r, "expires_in_days", &v)
		v.Check(n >= 1 && n <= 3650, "expires_in_days", "must be from 1 to 3650 days")
		t := s.cfg.Clock.Now().Add(time.Duration(n) * 24 * time.Hour)
		expires = &t
	}
	err := v.Err()
	var token *sk.APIToken
	if err == nil {
		token, err = s.cfg.Accounts.CreateToken(r.Context(), a, r.PostFormValue("name"),
			expires)
	}
	if f := formFailure(r, "token", err); f != nil {
		return s.renderTokens(w, r, a, nil, f, statusOf(err))
	}
	if err != nil {
		return err
	}
	return s.renderTokens(w, r, a, token, nil, http.StatusCreated)
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if !confirmed(r) {
		return s.askConfirm(w, r, a, confirmation{Title: "Revoke token",
			Question: "Revoke the token " + r.PostFormValue("name") + "?",
			Detail:   "Programs that use it are refused from their next request.",
			Button:   "Revoke", Danger: true})
	}
	if err := s.cfg.Accounts.DeleteToken(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	s.redirect(w, r, "/tokens", "The token is revoked.")
	return nil
}
