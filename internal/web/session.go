package web

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// Cookie names. The session cookie is the one the JSON API also accepts.
const (
	sessionCookie = "sk_session"
	csrfCookie    = "sk_csrf"
	flashCookie   = "sk_flash"
)

// maxFormBytes bounds a form body; the largest, a change of team for a
// page of selected licenses, is far below it.
const maxFormBytes = 1 << 20

// handler is a page handler that returns its error for the caller to show.
type handler func(w http.ResponseWriter, r *http.Request) error

// authedHandler is a handler for a signed-in user.
type authedHandler func(w http.ResponseWriter, r *http.Request, a *sk.Actor) error

// public adapts a handler that anyone may call. A form it receives must
// carry the CSRF token of the browser that asked for the form.
func (s *Server) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkForm(w, r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authed adapts a handler for a signed-in user; anyone else is sent to sign
// in, and comes back to the page they asked for.
func (s *Server) authed(h authedHandler) http.Handler {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.actor(r)
		if err != nil {
			return err
		}
		return h(w, r, a)
	})
}

// actor returns the signed-in user of r's session cookie.
func (s *Server) actor(r *http.Request) (*sk.Actor, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, sk.Errorf(sk.EUNAUTHENTICATED, "Sign in to continue.")
	}
	return s.cfg.Accounts.AuthenticateSession(r.Context(), c.Value)
}

// fail shows err: a sign-in page for an ended session, else an error page
// with err's status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if sk.ErrorCode(err) == sk.EUNAUTHENTICATED {
		s.clearCookie(w, r, sessionCookie)
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = r.Referer()
		}
		http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(localPath(next)),
			http.StatusSeeOther)
		return
	}
	s.renderError(w, r, err)
}

// checkForm parses a POST form and checks its CSRF token against the
// browser's CSRF cookie (a double-submit token; the cross-origin check in
// front of every handler is the second line).
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return sk.Errorf(sk.EINVALID, "The form could not be read; please send it again.")
	}
	c, err := r.Cookie(csrfCookie)
	sent := r.PostFormValue("csrf")
	if err != nil || sent == "" || subtle.ConstantTimeCompare([]byte(c.Value),
		[]byte(sent)) != 1 {
		return sk.Errorf(sk.EFORBIDDEN,
			"This form has expired. Go back, reload the page and send it again.")
	}
	return nil
}

// csrfToken returns the browser's CSRF token, handing it a new one if it
// has none.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 26 {
		return c.Value
	}
	token := rand.Text()
	s.setCookie(w, r, csrfCookie, token, time.Time{})
	return token
}

// setSession hands the browser its new session.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, sess *sk.Session) {
	s.setCookie(w, r, sessionCookie, sess.Secret, sess.ExpiresAt)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site,
// Secure when the server is reached over TLS. A zero expiry makes it last
// as long as the browser.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string,
	expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		Secure:   s.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// flash is the message a page shows once, after the action that led to it.
type flash struct {
	Kind    string // "success" or "error"
	Message string
}

// redirect sends the browser to path after an action, with a message for
// the page it lands on.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, path, message string) {
	if message != "" {
		s.setCookie(w, r, flashCookie, url.QueryEscape(message), time.Time{})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// flashErrorMark starts the flash cookie of a refusal. QueryEscape writes
// every colon as %3A, so no success message starts with it.
const flashErrorMark = "e:"

// redirectError sends the browser to path after a refused action, with the
// refusal for the page it lands on, where it shows as an error.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, path,
	message string) {
	s.setCookie(w, r, flashCookie, flashErrorMark+url.QueryEscape(message), time.Time{})
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// takeFlash returns the message left for this page, and clears it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	s.clearCookie(w, r, flashCookie)

	kind, value := "success", c.Value
	if rest, ok := strings.CutPrefix(value, flashErrorMark); ok {
		kind, value = "error", rest
	}
	msg, err := url.QueryUnescape(value)
	if err != nil || msg == "" {
		return nil
	}
	return &flash{Kind: kind, Message: msg}
}

// localPath returns p if it is a path on this site, else "/": a next= or
// Referer value never sends anyone elsewhere.
func localPath(p string) string {
	if u, err := url.Parse(p); err == nil && u.IsAbs() {
		p = u.RequestURI()
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
