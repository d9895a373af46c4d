package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
)

// newKey makes the idempotency key of a form that charges money.
func newKey() string { return rand.Text() }

// once runs a form that charges money at most once. The form carries a
// random key made when it was shown; sent again (a double click, a reload
// after a slow answer, a second tab) it lands where the first one went
// instead of charging again. The keys are the API's Idempotency-Key store,
// under a prefix of their own, so they hold across servers too. act returns
// where to go and what to say.
func (s *Server) once(w http.ResponseWriter, r *http.Request, a *sk.Actor,
	act func() (path, message string, err error)) error {
	ctx := r.Context()
	key := r.PostFormValue("idempotency_key")
	if key == "" || len(key) > 100 {
		return sk.Errorf(sk.EINVALID, "This form is out of date; reload the page and "+
			"send it again.")
	}
	key = "web:" + key

	stored, err := s.cfg.Idempotency.Begin(ctx, a.User.ID, key, formHash(r))
	if err != nil {
		return err
	}
	if stored != nil {
		path, msg, _ := strings.Cut(string(stored.Body), "\n")
		s.redirect(w, r, path, msg)
		return nil
	}

	path, msg, err := act()
	if err != nil {
		if aerr := s.cfg.Idempotency.Abort(ctx, a.User.ID, key); aerr != nil {
			s.cfg.Logger.ErrorContext(ctx, "releasing form key", "error", aerr,
				"user_id", a.User.ID)
		}
		return err
	}
	done := &sk.StoredResponse{Status: http.StatusSeeOther, Body: []byte(path + "\n" + msg)}
	if err := s.cfg.Idempotency.Finish(ctx, a.User.ID, key, done); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "storing form answer", "error", err,
			"user_id", a.User.ID)
	}
	s.redirect(w, r, path, msg)
	return nil
}

// formHash digests what a form asks for: its path and fields, without the
// CSRF token, which differs between browsers but asks for nothing.
func formHash(r *http.Request) string {
	v := url.Values{}
	for k, vs := range r.PostForm {
		if k != "csrf" {
			v[k] = vs
		}
	}
	sum := sha256.Sum256([]byte(r.URL.Path + "?" + v.Encode()))
	return hex.EncodeToString(sum[:])
}
