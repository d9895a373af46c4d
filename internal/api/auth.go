package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// SessionCookie is the name of the dashboard's session cookie.
const SessionCookie = "sk_session"

const actorKey ctxKey = iota + 100

// handler is an API handler that returns its error for the caller to write.
type handler func(w http.ResponseWriter, r *http.Request) error

// authedHandler is a handler that needs a signed-in user.
type authedHandler func(w http.ResponseWriter, r *http.Request, a *sk.Actor) error

// public adapts a handler that anyone may call.
func (s *Server) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, err)
		}
	}
}

// authed adapts a handler that needs a signed-in user: a bearer API token,
// or the dashboard's session cookie.
func (s *Server) authed(h authedHandler) http.HandlerFunc {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="seatkeeper"`)
			return err
		}
		r = r.WithContext(context.WithValue(r.Context(), actorKey, a))
		return h(w, r, a)
	})
}

func (s *Server) authenticate(r *http.Request) (*sk.Actor, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, sk.Errorf(sk.EUNAUTHENTICATED,
				"The Authorization header must be \"Bearer\" and an API token.")
		}
		return s.cfg.Accounts.Authenticate(r.Context(), strings.TrimSpace(token))
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return s.cfg.Accounts.AuthenticateSession(r.Context(), c.Value)
	}
	return nil, sk.Errorf(sk.EUNAUTHENTICATED,
		"Sign in, or send an API token in the Authorization header.")
}

// client describes where r comes from, for rate limits and the audit log:
// as Config.Client told it (ForwardedClient behind trusted proxies), else
// the connection's remote address.
func client(r *http.Request) sk.Client {
	if c, ok := r.Context().Value(clientKey).(sk.Client); ok {
		return c
	}
	return RemoteClient(r)
}

// setSessionCookie hands the browser its session. The cookie is HttpOnly,
// SameSite=Lax, and Secure when the server is reached over TLS.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, secret string,
	expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    secret,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		Secure:   s.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://")
}
