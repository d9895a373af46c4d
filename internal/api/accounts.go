package api

import (
	"net/http"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// accepted is the answer of requests whose outcome arrives by mail. It is
// the same whether or not the address has an account.
type accepted struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var in sk.SignUp
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Accounts.SignUp(r.Context(), client(r), in); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, accepted{"pending_verification",
		"Check your inbox: we have sent a link to confirm the address."})
	return nil
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	var in tokenRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.cfg.Accounts.VerifyEmail(r.Context(), in.Token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

type emailRequest struct {
	Email string `json:"email"`
}

func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) error {
	var in emailRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Accounts.ResendVerification(r.Context(), client(r), in.Email); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, accepted{"sent",
		"If the address belongs to an unverified account, a new link is on its way."})
	return nil
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string     `json:"token"`
	TokenID   string     `json:"token_id"`
	ExpiresAt *time.Time `json:"expires_at"`
	User      *sk.User   `json:"user"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in credentials
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, u, err := s.cfg.Accounts.Login(r.Context(), client(r), in.Email, in.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, loginResponse{t.Secret, t.ID, t.ExpiresAt, u})
	return nil
}

// startSession signs a browser in with a session cookie: a new session, with
// a new secret, at every sign-in.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request) error {
	var in credentials
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sess, err := s.cfg.Accounts.StartSession(r.Context(), client(r), in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, sess.Secret, sess.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{"user": sess.User, "expires_at": sess.ExpiresAt})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if err := s.cfg.Accounts.Logout(r.Context(), a); err != nil {
		return err
	}
	if a.SessionID != "" {
		s.clearSessionCookie(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) requestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in emailRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Accounts.RequestPasswordReset(r.Context(), client(r), in.Email); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, accepted{"sent",
		"If the address has an account, a link to reset its password is on its way."})
	return nil
}

type resetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *Server) confirmPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in resetRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Accounts.ResetPassword(r.Context(), in.Token, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type passwordChange struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in passwordChange
	if err := decode(w, r, &in); err != nil {
		return err
	}
	err := s.cfg.Accounts.ChangePassword(r.Context(), a, in.CurrentPassword, in.Password)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type emailChange struct {
	CurrentPassword string `json:"current_password"`
	Email           string `json:"email"`
}

func (s *Server) changeEmail(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in emailChange
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Accounts.ChangeEmail(r.Context(), a, in.CurrentPassword, in.Email); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, accepted{"sent",
		"Follow the link we sent to the new address to complete the change."})
	return nil
}

func (s *Server) confirmEmailChange(w http.ResponseWriter, r *http.Request) error {
	var in tokenRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.cfg.Accounts.ConfirmEmailChange(r.Context(), in.Token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

type meResponse struct {
	User          *sk.User        `json:"user"`
	Organizations []sk.Membership `json:"organizations"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	u, orgs, err := s.cfg.Accounts.Me(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meResponse{u, orgs})
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	tokens, next, err := s.cfg.Accounts.Tokens(r.Context(), a, p.Page)
	if err != nil {
		return err
	}
	respondList(w, p, tokens, next)
	return nil
}

type newToken struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in newToken
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.cfg.Accounts.CreateToken(r.Context(), a, in.Name, in.ExpiresAt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	if err := s.cfg.Accounts.DeleteToken(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
