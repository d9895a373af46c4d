package web

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// home sends a signed-in user to their licenses and anyone else to sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.actor(r); err != nil {
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/licenses", http.StatusSeeOther)
	return nil
}

// signInPage is the data of the sign-in page.
type signInPage struct {
	Next       string
	Email      string
	Unverified bool // the password was right but the address is not verified
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.actor(r); err == nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	data := signInPage{Next: r.URL.Query().Get("next"), Email: r.URL.Query().Get("email")}
	s.render(w, r, nil, http.StatusOK, "sign-in", &view{Title: "Sign in", Data: data})
	return nil
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	email, next := r.PostFormValue("email"), r.PostFormValue("next")
	sess, err := s.cfg.Accounts.StartSession(r.Context(), s.cfg.Client(r), email,
		r.PostFormValue("password"))
	if err != nil {
		return s.signInFailed(w, r, err)
	}

	s.setSession(w, r, sess)
	if next == "" || localPath(next) == "/" {
		next = "/licenses"
	}
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
	return nil
}

// signInFailed shows the sign-in form again with why it was refused; an
// unverified address is offered a new link.
func (s *Server) signInFailed(w http.ResponseWriter, r *http.Request, err error) error {
	code := sk.ErrorCode(err)
	f := formFailure(r, "sign-in", err)
	if code == sk.EUNAUTHENTICATED {
		f = &form{Values: r.PostForm, Message: sk.ErrorMessage(err)}
	}
	if f == nil {
		return err
	}
	f.Values.Del("password")
	data := signInPage{Next: r.PostFormValue("next"), Unverified: code == sk.EFORBIDDEN}
	s.render(w, r, nil, statusOf(err), "sign-in", &view{Title: "Sign in", Form: f, Data: data})
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if err := s.cfg.Accounts.Logout(r.Context(), a); err != nil {
		return err
	}
	s.clearCookie(w, r, sessionCookie)
	s.redirect(w, r, "/sign-in", "You have signed out.")
	return nil
}

// signUpPage is the data of the sign-up page: an address to fill in, from
// the link in a license's notice.
type signUpPage struct {
	Email string
}

func (s *Server) signUpForm(w http.ResponseWriter, r *http.Request) error {
	data := signUpPage{Email: r.URL.Query().Get("email")}
	s.render(w, r, nil, http.StatusOK, "sign-up", &view{Title: "Create your account",
		Data: data})
	return nil
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	in := sk.SignUp{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Password: r.PostFormValue("password")}
	err := s.cfg.Accounts.SignUp(r.Context(), s.cfg.Client(r), in)
	if f := formFailure(r, "sign-up", err); f != nil {
		f.Values.Del("password")
		s.render(w, r, nil, statusOf(err), "sign-up", &view{Title: "Create your account",
			Form: f, Data: signUpPage{}})
		return nil
	}
	if err != nil {
		return err
	}
	return s.checkInbox(w, r, "Check your inbox",
		"We have sent a link to "+in.Email+". Open it to confirm the address and "+
			"finish creating your account.")
}

// checkInbox tells a visitor that what they asked for went out by mail. It
// reads the same whether or not the address has an account.
func (s *Server) checkInbox(w http.ResponseWriter, r *http.Request, title, msg string) error {
	s.render(w, r, nil, http.StatusOK, "check-inbox", &view{Title: title,
		Data: struct{ Message string }{msg}})
	return nil
}

// tokenPage is the data of pages opened from a link in an email.
type tokenPage struct {
	Token string
}

// verifyForm shows a button that confirms the address. The link itself
// changes nothing, so that mail scanners that open links spend no token.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	data := tokenPage{Token: r.URL.Query().Get("token")}
	s.render(w, r, nil, http.StatusOK, "verify-email", &view{Title: "Confirm your email",
		Data: data})
	return nil
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	u, err := s.cfg.Accounts.VerifyEmail(r.Context(), token)
	if f := formFailure(r, "verify", err); f != nil {
		f.Message = "This link is no longer valid: it was used, replaced by a newer " +
			"one, or it expired. Ask for a new one below."
		s.render(w, r, nil, statusOf(err), "verify-email", &view{Title: "Confirm your email",
			Form: f, Data: tokenPage{}})
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/sign-in?email="+urlQuery(u.Email),
		"Your address is confirmed. Sign in to continue.")
	return nil
}

func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) error {
	email := r.PostFormValue("email")
	err := s.cfg.Accounts.ResendVerification(r.Context(), s.cfg.Client(r), email)
	if f := formFailure(r, "resend", err); f != nil {
		s.render(w, r, nil, statusOf(err), "verify-email", &view{Title: "Confirm your email",
			Form: f, Data: tokenPage{}})
		return nil
	}
	if err != nil {
		return err
	}
	return s.checkInbox(w, r, "Check your inbox",
		"If "+email+" belongs to an account that is not yet confirmed, a new link is "+
			"on its way.")
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	data := tokenPage{Token: r.URL.Query().Get("token")}
	s.render(w, r, nil, http.StatusOK, "reset-password", &view{Title: "Reset your password",
		Data: data})
	return nil
}

func (s *Server) requestReset(w http.ResponseWriter, r *http.Request) error {
	email := r.PostFormValue("email")
	err := s.cfg.Accounts.RequestPasswordReset(r.Context(), s.cfg.Client(r), email)
	if f := formFailure(r, "reset", err); f != nil {
		s.render(w, r, nil, statusOf(err), "reset-password",
			&view{Title: "Reset your password", Form: f, Data: tokenPage{}})
		return nil
	}
	if err != nil {
		return err
	}
	return s.checkInbox(w, r, "Check your inbox",
		"If "+email+" has an account, a link to choose a new password is on its way. "+
			"It works for an hour.")
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	err := s.cfg.Accounts.ResetPassword(r.Context(), token, r.PostFormValue("password"))
	if f := formFailure(r, "reset-confirm", err); f != nil {
		if f.Error("token") != "" {
			token = ""
			f.Message = "This link is no longer valid. Ask for a new one below."
		}
		s.render(w, r, nil, statusOf(err), "reset-password",
			&view{Title: "Reset your password", Form: f, Data: tokenPage{Token: token}})
		return nil
	}
	if err != nil {
		return err
	}
	s.clearCookie(w, r, sessionCookie)
	s.redirect(w, r, "/sign-in", "Your password is changed. Sign in with the new one.")
	return nil
}

func (s *Server) confirmEmailForm(w http.ResponseWriter, r *http.Request) error {
	data := tokenPage{Token: r.URL.Query().Get("token")}
	s.render(w, r, nil, http.StatusOK, "confirm-email", &view{Title: "Confirm your new email",
		Data: data})
	return nil
}

func (s *Server) confirmEmail(w http.ResponseWriter, r *http.Request) error {
	_, err := s.cfg.Accounts.ConfirmEmailChange(r.Context(), r.PostFormValue("token"))
	if f := formFailure(r, "confirm-email", err); f != nil {
		if f.Error("token") != "" {
			f.Message = "This link is no longer valid. Change the address again from " +
				"your account page to get a new one."
		}
		s.render(w, r, nil, statusOf(err), "confirm-email",
			&view{Title: "Confirm your new email", Form: f, Data: tokenPage{}})
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/account", "Your email address is changed.")
	return nil
}
