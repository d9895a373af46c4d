package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// startSession signs in with a cookie and returns the session cookie.
func startSession(t *testing.T, e *apptest.Env, email, pass string) *http.Cookie {
	t.Helper()
	r := apptest.Must(t, e.Post(t, "/api/v1/auth/session", "", creds(email, pass)), http.StatusOK)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "sk_session" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return nil
}

// withCookie sends a request authenticated by a session cookie.
func withCookie(t *testing.T, e *apptest.Env, c *http.Cookie, method, path string,
	body any) *apptest.Response {
	t.Helper()
	return e.Do(t, apptest.Request{Method: method, Path: path, Body: body,
		Header: http.Header{"Cookie": {c.Name + "=" + c.Value}}})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		e.SignUp(t, "ada@example.com", "Ada", password)

		first := startSession(t, e, "ada@example.com", password)
		if !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Path != "/" {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/", first)
		}
		if first.Secure {
			t.Errorf("cookie is Secure on a plain-HTTP server")
		}
		second := startSession(t, e, "ada@example.com", password)
		if first.Value == second.Value || !strings.HasPrefix(first.Value, "sks_") {
			t.Fatalf("sessions %q and %q: want a new secret at every sign-in",
				first.Value, second.Value)
		}
		apptest.Must(t, withCookie(t, e, first, "GET", "/api/v1/me", nil), http.StatusOK)

		// Signing out ends the session on the server: the old cookie is dead.
		r := apptest.Must(t, withCookie(t, e, first, "POST", "/api/v1/auth/logout", nil),
			http.StatusNoContent)
		if !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("logout Set-Cookie %q: want the cookie cleared", r.Header.Get("Set-Cookie"))
		}
		if r := withCookie(t, e, first, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("ended session: %d", r.Status)
		}
		apptest.Must(t, withCookie(t, e, second, "GET", "/api/v1/me", nil), http.StatusOK)

		// A cross-site browser request with the cookie is refused.
		r = e.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/auth/logout",
			Header: http.Header{
				"Cookie":         {second.Name + "=" + second.Value},
				"Sec-Fetch-Site": {"cross-site"},
			}})
		if r.Status != http.StatusForbidden || r.Code(t) != "forbidden" {
			t.Errorf("cross-site logout: %d %s", r.Status, r.Body)
		}
		apptest.Must(t, withCookie(t, e, second, "GET", "/api/v1/me", nil), http.StatusOK)
	})
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		e.SignUp(t, "ada@example.com", "Ada", password)

		// Idle: 72 hours without a visit end the session.
		idle := startSession(t, e, "ada@example.com", password)
		advance(t, e, "71h")
		apptest.Must(t, withCookie(t, e, idle, "GET", "/api/v1/me", nil), http.StatusOK)
		advance(t, e, "71h")
		apptest.Must(t, withCookie(t, e, idle, "GET", "/api/v1/me", nil), http.StatusOK)
		advance(t, e, "73h")
		if r := withCookie(t, e, idle, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("idle session: %d", r.Status)
		}

		// Absolute: fourteen days, however busy.
		busy := startSession(t, e, "ada@example.com", password)
		for range 13 {
			advance(t, e, "24h")
			apptest.Must(t, withCookie(t, e, busy, "GET", "/api/v1/me", nil), http.StatusOK)
		}
		advance(t, e, "25h")
		if r := withCookie(t, e, busy, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("session past its absolute expiry: %d", r.Status)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		signIn := e.SignUp(t, "ada@example.com", "Ada", password)
		named := namedToken(t, e, signIn)
		session := startSession(t, e, "ada@example.com", password)

		apptest.Must(t, e.Post(t, "/api/v1/auth/password-reset", "",
			map[string]string{"email": "ADA@example.com"}), http.StatusAccepted)
		path, reset := e.LinkToken(t, e.MailTo(t, "ada@example.com"))
		if path != "/reset-password" {
			t.Errorf("reset link path %q", path)
		}

		// The new password is checked like any other.
		wantField(t, e.Post(t, "/api/v1/auth/password-reset/confirm", "",
			map[string]string{"token": reset, "password": "short"}), http.StatusBadRequest,
			"password")

		const newPassword = "a much better passphrase"
		apptest.Must(t, e.Post(t, "/api/v1/auth/password-reset/confirm", "",
			map[string]string{"token": reset, "password": newPassword}), http.StatusNoContent)

		// Single use.
		wantField(t, e.Post(t, "/api/v1/auth/password-reset/confirm", "",
			map[string]string{"token": reset, "password": "another passphrase"}),
			http.StatusBadRequest, "token")

		// Sessions and sign-in tokens end; the old password no longer works;
		// the new one does.
		if r := withCookie(t, e, session, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("session after reset: %d", r.Status)
		}
		if r := e.Get(t, "/api/v1/me", signIn); r.Status != http.StatusUnauthorized {
			t.Errorf("sign-in token after reset: %d", r.Status)
		}
		r := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", password))
		if r.Status != 401 {
			t.Errorf("old password after reset: %d", r.Status)
		}
		apptest.Must(t, e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", newPassword)),
			http.StatusOK)
		// Named API tokens survive a reset; they are revoked one by one.
		apptest.Must(t, e.Get(t, "/api/v1/me", named), http.StatusOK)

		// A reset link expires after an hour.
		apptest.Must(t, e.Post(t, "/api/v1/auth/password-reset", "",
			map[string]string{"email": "ada@example.com"}), http.StatusAccepted)
		_, late := e.LinkToken(t, e.MailTo(t, "ada@example.com"))
		advance(t, e, "61m")
		wantField(t, e.Post(t, "/api/v1/auth/password-reset/confirm", "",
			map[string]string{"token": late, "password": "yet another passphrase"}),
			http.StatusBadRequest, "token")
	})
}

func TestChangePasswordAndEmail(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		signIn := e.SignUp(t, "ada@example.com", "Ada", password)
		token := namedToken(t, e, signIn)
		e.SignUp(t, "taken@example.com", "Taken", password)
		keep := startSession(t, e, "ada@example.com", password)
		other := startSession(t, e, "ada@example.com", password)

		// The current password is required.
		wantField(t, withCookie(t, e, keep, "POST", "/api/v1/me/password",
			map[string]string{"current_password": "wrong guess", "password": "new passphrase"}),
			http.StatusBadRequest, "current_password")
		apptest.Must(t, withCookie(t, e, keep, "POST", "/api/v1/me/password",
			map[string]string{"current_password": password, "password": "new passphrase"}),
			http.StatusNoContent)
		// The session that changed it stays; the others end, and so do the
		// sign-in tokens; named tokens stay.
		apptest.Must(t, withCookie(t, e, keep, "GET", "/api/v1/me", nil), http.StatusOK)
		if r := withCookie(t, e, other, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("other session after password change: %d", r.Status)
		}
		if r := e.Get(t, "/api/v1/me", signIn); r.Status != 401 {
			t.Errorf("sign-in token after password change: %d", r.Status)
		}
		apptest.Must(t, e.Get(t, "/api/v1/me", token), http.StatusOK)

		// Changed through the API with a sign-in token, that token stays.
		var login struct{ Token string }
		apptest.Must(t, e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com",
			"new passphrase")), http.StatusOK).Decode(t, &login)
		apptest.Must(t, e.Post(t, "/api/v1/me/password", login.Token, map[string]string{
			"current_password": "new passphrase", "password": "newer passphrase"}),
			http.StatusNoContent)
		apptest.Must(t, e.Get(t, "/api/v1/me", login.Token), http.StatusOK)
		if r := withCookie(t, e, keep, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("cookie session after a change through the API: %d", r.Status)
		}

		wantField(t, e.Post(t, "/api/v1/me/email", token, map[string]string{
			"current_password": password, "email": "new@example.com"}),
			http.StatusBadRequest, "current_password")
		apptest.Must(t, e.Post(t, "/api/v1/me/email", token, map[string]string{
			"current_password": "newer passphrase", "email": "New@example.com"}),
			http.StatusAccepted)
		path, confirm := e.LinkToken(t, e.MailTo(t, "New@example.com"))
		if path != "/confirm-email" {
			t.Errorf("confirm link path %q", path)
		}
		var changed struct{ User map[string]any }
		apptest.Must(t, e.Post(t, "/api/v1/me/email/confirm", "", tok(confirm)), http.StatusOK).
			Decode(t, &changed)
		if changed.User["email"] != "New@example.com" {
			t.Errorf("user after change = %v", changed.User)
		}
		apptest.Must(t, e.Post(t, "/api/v1/auth/login", "",
			creds("new@example.com", "newer passphrase")), http.StatusOK)

		// A taken address is accepted without telling, and fails at the link.
		apptest.Must(t, e.Post(t, "/api/v1/me/email", token, map[string]string{
			"current_password": "newer passphrase", "email": "taken@example.com"}),
			http.StatusAccepted)
		_, taken := e.LinkToken(t, e.MailTo(t, "taken@example.com"))
		if r := e.Post(t, "/api/v1/me/email/confirm", "", tok(taken)); r.Status != 409 {
			t.Errorf("confirming a taken address: %d %s", r.Status, r.Body)
		}
	})
}

// TestLimitsHoldAcrossServers runs two servers on one database and spreads
// failed sign-ins over both: the account's limit counts them all.
func TestLimitsHoldAcrossServers(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		servers := apptest.Cluster(t, db, 2)
		servers[0].SignUp(t, "ada@example.com", "Ada", password)

		for i := range 10 {
			e := servers[i%2]
			r := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", "nope nope"))
			if r.Status != 401 {
				t.Fatalf("failure %d: %d", i+1, r.Status)
			}
		}
		for _, e := range servers {
			r := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", password))
			if r.Status != 429 {
				t.Errorf("after ten failures over two servers: %d", r.Status)
			}
		}
	})
}

// namedToken makes a named API token with a sign-in token and returns its
// secret.
func namedToken(t *testing.T, e *apptest.Env, signIn string) string {
	t.Helper()
	var named struct{ Token string }
	apptest.Must(t, e.Post(t, "/api/v1/me/tokens", signIn, map[string]string{"name": "CI"}),
		http.StatusCreated).Decode(t, &named)
	if named.Token == "" {
		t.Fatal("a new named token came without its secret")
	}
	return named.Token
}
