package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

const password = "correct horse battery"

func TestSignUpVerifySignIn(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)

		apptest.Must(t, e.Post(t, "/api/v1/auth/signup", "", map[string]string{
			"email": "Ada@Example.com", "name": "Ada Lovelace", "password": password,
		}), http.StatusAccepted)

		// Unverified: signing in is refused with the answer a wrong password
		// gets, and mails a fresh link, once a quarter of an hour.
		m := e.MailTo(t, "Ada@Example.com")
		wrong := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", "not the one"))
		for range 2 {
			r := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", password))
			if r.Status != http.StatusUnauthorized || string(r.Body) != string(wrong.Body) {
				t.Fatalf("unverified login: %d %s; want the answer to a wrong password, %s",
					r.Status, r.Body, wrong.Body)
			}
		}
		if again := e.MailTo(t, "ada@example.com"); !strings.Contains(again.Subject, "Verify") {
			t.Errorf("signing in unverified mailed %q, want a fresh verification link",
				again.Subject)
		}
		if n := mailsTo(e, "ada@example.com"); n != 2 {
			t.Errorf("%d mails to the address after two unverified sign-ins, want 2: "+
				"the sign-up's and one reminder", n)
		}
		if !strings.Contains(m.Subject, "Verify") || !strings.Contains(m.HTML, "<a ") {
			t.Errorf("verification mail: subject %q, html %q", m.Subject, m.HTML)
		}
		path, token := e.LinkToken(t, m)
		if path != "/verify-email" || !strings.HasPrefix(token, "skl_") {
			t.Fatalf("link path %q token %q", path, token)
		}
		var verified struct{ User map[string]any }
		apptest.Must(t, e.Post(t, "/api/v1/auth/verify", "", tok(token)), http.StatusOK).
			Decode(t, &verified)
		if verified.User["email_verified"] != true || verified.User["email"] != "Ada@Example.com" {
			t.Errorf("verified user = %v", verified.User)
		}

		// The link is single-use.
		r := e.Post(t, "/api/v1/auth/verify", "", tok(token))
		wantField(t, r, http.StatusBadRequest, "token")

		// Emails compare without regard to case.
		var login struct {
			Token string
			User  map[string]any
		}
		apptest.Must(t, e.Post(t, "/api/v1/auth/login", "", creds("ADA@example.COM", password)),
			http.StatusOK).Decode(t, &login)
		if !strings.HasPrefix(login.Token, "skt_") || len(login.Token) < 4+52 {
			t.Fatalf("login token %q: want skt_ and 256 bits", login.Token)
		}

		me := apptest.Must(t, e.Get(t, "/api/v1/me", login.Token), http.StatusOK).JSON(t)
		user := me["user"].(map[string]any)
		if user["id"] != login.User["id"] || !strings.HasPrefix(user["id"].(string), "usr_") {
			t.Errorf("me = %v, login user = %v", me, login.User)
		}
		if orgs, ok := me["organizations"].([]any); !ok || len(orgs) != 0 {
			t.Errorf("organizations = %#v, want an empty list", me["organizations"])
		}
	})
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		e.SignUp(t, "grace@example.com", "Grace", password)

		// A verification link expires after 48 hours.
		apptest.Must(t, e.Post(t, "/api/v1/auth/signup", "", map[string]string{
			"email": "late@example.com", "name": "Late", "password": password,
		}), http.StatusAccepted)
		_, token := e.LinkToken(t, e.MailTo(t, "late@example.com"))
		advance(t, e, "49h")
		wantField(t, e.Post(t, "/api/v1/auth/verify", "", tok(token)), http.StatusBadRequest,
			"token")

		// Unknown and malformed tokens.
		wantField(t, e.Post(t, "/api/v1/auth/verify", "", tok("skl_nope")),
			http.StatusBadRequest, "token")
		wantField(t, e.Post(t, "/api/v1/auth/verify", "", tok("")), http.StatusBadRequest, "token")

		// Bearer tokens that are not ours, or not bearer at all.
		for _, h := range []string{"Bearer skt_unknown", "Bearer", "Basic abc", "skt_x"} {
			r := e.Do(t, apptest.Request{Method: "GET", Path: "/api/v1/me",
				Header: http.Header{"Authorization": {h}}})
			if r.Status != http.StatusUnauthorized || r.Code(t) != "unauthenticated" {
				t.Errorf("Authorization %q: %d %s", h, r.Status, r.Body)
			}
		}
		if r := e.Get(t, "/api/v1/me", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("no credentials: %d", r.Status)
		}
	})
}

func TestNoEnumeration(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		e.SignUp(t, "known@example.com", "Known", password)

		same := func(what string, known, unknown *apptest.Response) {
			t.Helper()
			if known.Status != unknown.Status || string(known.Body) != string(unknown.Body) {
				t.Errorf("%s answers differ: known %d %s, unknown %d %s", what,
					known.Status, known.Body, unknown.Status, unknown.Body)
			}
		}

		signup := func(email string) *apptest.Response {
			return e.Post(t, "/api/v1/auth/signup", "", map[string]string{
				"email": email, "name": "Someone", "password": password})
		}
		same("sign-up", signup("KNOWN@example.com"), signup("new@example.com"))
		// The owner of the address hears that someone tried.
		if m := e.MailTo(t, "known@example.com"); !strings.Contains(m.Text, "already") {
			t.Errorf("mail to existing account: %q", m.Text)
		}

		same("sign-in",
			e.Post(t, "/api/v1/auth/login", "", creds("known@example.com", "wrong pass")),
			e.Post(t, "/api/v1/auth/login", "", creds("nobody@example.com", "wrong pass")))

		reset := func(email string) *apptest.Response {
			return e.Post(t, "/api/v1/auth/password-reset", "", map[string]string{"email": email})
		}
		same("password reset", reset("known@example.com"), reset("nobody@example.com"))

		resend := func(email string) *apptest.Response {
			return e.Post(t, "/api/v1/auth/verify/resend", "", map[string]string{"email": email})
		}
		same("resend verification", resend("known@example.com"), resend("nobody@example.com"))
	})
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		e.SignUp(t, "ada@example.com", "Ada", password)

		// Ten failed sign-ins lock the account for the rest of the window,
		// the right password included.
		for i := range 10 {
			r := e.Post(t, "/api/v1/auth/login", "",
				creds("ada@example.com", "wrong pass "+strconv.Itoa(i)))
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		r := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", password))
		if r.Status != http.StatusTooManyRequests || r.Code(t) != "rate_limited" {
			t.Fatalf("after ten failures: %d %s", r.Status, r.Body)
		}
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 900 {
			t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
		}

		// The window passes.
		advance(t, e, "16m")
		apptest.Must(t, e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", password)),
			http.StatusOK)

		// Mailing routes: five per address per hour, account or not.
		for _, email := range []string{"ada@example.com", "ghost@example.com"} {
			var last *apptest.Response
			for range 6 {
				last = e.Post(t, "/api/v1/auth/password-reset", "",
					map[string]string{"email": email})
			}
			if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
				t.Errorf("sixth reset for %s: %d %s", email, last.Status, last.Body)
			}
		}
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		login := e.SignUp(t, "ada@example.com", "Ada", password)
		other := e.SignUp(t, "bob@example.com", "Bob", password)

		var created struct{ ID, Name, Token string }
		apptest.Must(t, e.Post(t, "/api/v1/me/tokens", login, map[string]any{
			"name": "CI", "expires_at": "2099-01-01T00:00:00Z",
		}), http.StatusCreated).Decode(t, &created)
		if !strings.HasPrefix(created.ID, "tok_") || !strings.HasPrefix(created.Token, "skt_") {
			t.Fatalf("created %+v", created)
		}

		// The new token authenticates, and its use is recorded.
		apptest.Must(t, e.Get(t, "/api/v1/me", created.Token), http.StatusOK)
		var list struct {
			Data []map[string]any
		}
		apptest.Must(t, e.Get(t, "/api/v1/me/tokens", login), http.StatusOK).Decode(t, &list)
		if len(list.Data) != 2 {
			t.Fatalf("tokens = %v, want the sign-in token and CI", list.Data)
		}
		ci := list.Data[0]
		if ci["name"] != "CI" || ci["last_used_at"] == nil || ci["token"] != nil {
			t.Errorf("listed token = %v: want name, last use and no secret", ci)
		}

		// Another user cannot see or revoke it.
		r := e.Do(t, apptest.Request{Method: "DELETE", Path: "/api/v1/me/tokens/" + created.ID,
			Token: other})
		if r.Status != http.StatusNotFound {
			t.Errorf("foreign revoke: %d %s", r.Status, r.Body)
		}

		// Revocation takes effect on the next request.
		apptest.Must(t, e.Do(t, apptest.Request{Method: "DELETE",
			Path: "/api/v1/me/tokens/" + created.ID, Token: login}), http.StatusNoContent)
		if r := e.Get(t, "/api/v1/me", created.Token); r.Status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", r.Status)
		}

		// Logging out revokes the sign-in token itself.
		apptest.Must(t, e.Post(t, "/api/v1/auth/logout", login, nil), http.StatusNoContent)
		if r := e.Get(t, "/api/v1/me", login); r.Status != http.StatusUnauthorized {
			t.Errorf("token after logout: %d", r.Status)
		}

		// Bad input names the field.
		wantField(t, e.Post(t, "/api/v1/me/tokens", other, map[string]any{"name": ""}),
			http.StatusBadRequest, "name")
		wantField(t, e.Post(t, "/api/v1/me/tokens", other, map[string]any{
			"name": "old", "expires_at": "2001-01-01T00:00:00Z"}), http.StatusBadRequest,
			"expires_at")
		// A time that is not one names the field in the client's terms, not
		// in the decoder's.
		for _, bad := range []any{"tomorrow", 12, "2030-01-31", true} {
			r := e.Post(t, "/api/v1/me/tokens", other, map[string]any{
				"name": "x", "expires_at": bad})
			wantField(t, r, http.StatusBadRequest, "expires_at")
			if body := string(r.Body); !strings.Contains(body, "RFC 3339") ||
				strings.Contains(body, "UnmarshalJSON") || strings.Contains(body, "parsing") {
				t.Errorf("expires_at %v: %s; want RFC 3339 asked for", bad, body)
			}
		}

		// Expiry: a token that expires is refused afterwards.
		apptest.Must(t, e.Post(t, "/api/v1/me/tokens", other, map[string]any{
			"name": "short", "expires_at": e.App.Clock.Now().Add(3600e9),
		}), http.StatusCreated).Decode(t, &created)
		advance(t, e, "2h")
		if r := e.Get(t, "/api/v1/me", created.Token); r.Status != http.StatusUnauthorized {
			t.Errorf("expired token: %d", r.Status)
		}
	})
}

func TestTokenPagination(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		login := e.SignUp(t, "ada@example.com", "Ada", password)
		for i := range 4 {
			apptest.Must(t, e.Post(t, "/api/v1/me/tokens", login,
				map[string]any{"name": "t" + strconv.Itoa(i)}), http.StatusCreated)
		}

		var seen []string
		path := "/api/v1/me/tokens?limit=2"
		for path != "" {
			var page struct {
				Data       []struct{ ID string }
				NextCursor *string `json:"next_cursor"`
			}
			apptest.Must(t, e.Get(t, path, login), http.StatusOK).Decode(t, &page)
			for _, tk := range page.Data {
				seen = append(seen, tk.ID)
			}
			path = ""
			if page.NextCursor != nil {
				path = "/api/v1/me/tokens?limit=2&cursor=" + *page.NextCursor
			}
		}
		if len(seen) != 5 {
			t.Fatalf("paged through %d tokens, want 5: %v", len(seen), seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] >= seen[i-1] {
				t.Errorf("not newest first: %v", seen)
			}
		}

		wantField(t, e.Get(t, "/api/v1/me/tokens?limit=0", login), http.StatusBadRequest, "limit")
		wantField(t, e.Get(t, "/api/v1/me/tokens?cursor=garbage", login),
			http.StatusBadRequest, "cursor")
		// A cursor is bound to its query.
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		apptest.Must(t, e.Get(t, "/api/v1/me/tokens?limit=1", login), http.StatusOK).
			Decode(t, &page)
		wantField(t, e.Get(t, "/api/v1/me/tokens?limit=1&x=1&cursor="+page.NextCursor, login),
			http.StatusBadRequest, "cursor")
	})
}

func creds(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

// mailsTo counts the messages the server has sent to address, after a moment
// for any still in the outbox.
func mailsTo(e *apptest.Env, address string) int {
	time.Sleep(300 * time.Millisecond)
	n := 0
	for _, m := range e.SMTP.Messages() {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], address) {
			n++
		}
	}
	return n
}

func tok(token string) map[string]string { return map[string]string{"token": token} }

func advance(t *testing.T, e *apptest.Env, d string) {
	t.Helper()
	apptest.Must(t, e.Post(t, "/api/v1/dev/clock/advance", "", map[string]string{"duration": d}),
		http.StatusOK)
}

// wantField checks for a problem document with the status that names the
// field among its errors ("" for a problem without field errors).
func wantField(t *testing.T, r *apptest.Response, status int, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p struct {
		Code   string
		Errors []struct{ Field string }
	}
	r.Decode(t, &p)
	if field == "" {
		return
	}
	for _, f := range p.Errors {
		if f.Field == field {
			return
		}
	}
	t.Errorf("problem %s does not name field %q", r.Body, field)
}
