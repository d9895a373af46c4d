// Package apptest runs a whole Seatkeeper for end-to-end tests: a real
// store, a real SMTP server receiving its mail, and its HTTP handler on a
// loopback port. Helpers read like the steps a person takes ("sign up",
// "follow the link in the mail").
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/accounts"
	"github.com/seatkeeper/seatkeeper/internal/app"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/mail/mailtest"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// warnings sends the server's warnings and errors to the test log.
var warnings = &slog.HandlerOptions{Level: slog.LevelWarn}

// cheapHash keeps argon2id real but fast enough for many sign-ups per test.
var cheapHash = accounts.HashParams{Memory: 1024, Time: 1, Threads: 1}

// WrapHandler, when set, wraps the HTTP handler of every Env that Start
// runs, so that a package's tests can watch every request and answer (the
// API's tests check each answer against its OpenAPI document). Set it in
// TestMain, before any test runs.
var WrapHandler func(t testing.TB, h http.Handler) http.Handler

// Env is a running Seatkeeper and the mailbox that receives its mail.
type Env struct {
	App  *app.App
	DB   *store.DB
	URL  string
	SMTP *mailtest.Server

	box *mailbox
}

// mailbox is what the tests of one or more servers have taken of the mail
// that an SMTP server received.
type mailbox struct {
	mu   sync.Mutex
	read map[int]bool // indexes of messages a test has already taken
}

// Start runs a Seatkeeper on db until the test ends.
func Start(t testing.TB, db *store.DB) *Env {
	t.Helper()
	return start(t, db, mailtest.Start(t), &mailbox{read: map[int]bool{}})
}

// Cluster runs n Seatkeepers on one db until the test ends, as several
// serve processes share one PostgreSQL. They deliver their mail to one SMTP
// server, since whichever server's outbox comes first sends a message, and
// a mail taken through one Env is taken for all.
func Cluster(t testing.TB, db *store.DB, n int) []*Env {
	t.Helper()
	smtpServer, box := mailtest.Start(t), &mailbox{read: map[int]bool{}}
	envs := make([]*Env, n)
	for i := range envs {
		envs[i] = start(t, db, smtpServer, box)
	}
	return envs
}

func start(t testing.TB, db *store.DB, smtpServer *mailtest.Server, box *mailbox) *Env {
	t.Helper()
	transport, err := mail.NewTransport(smtpServer.URL(), "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}

	e := &Env{DB: db, SMTP: smtpServer, box: box}
	srv := httptest.NewUnstartedServer(nil)
	e.URL = "http://" + srv.Listener.Addr().String()
	a, err := app.New(app.Config{
		DB:      db,
		Mail:    transport,
		BaseURL: e.URL,
		Logger:  slog.New(slog.NewTextHandler(testWriter{t}, warnings)),
		Dev:     true,
		Hash:    cheapHash,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.App = a
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler
	if WrapHandler != nil {
		srv.Config.Handler = WrapHandler(t, a.Handler)
	}
	srv.Start()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Run(ctx)
	}()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
	})
	return e
}

// testWriter sends the server's warnings and errors to the test's log, so
// that a failing test shows the cause of a 500.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Response is an HTTP answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value for inspection.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decoding %q: %v", r.Body, err)
	}
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %q: %v", r.Body, err)
	}
}

// Code returns the problem code of an error answer.
func (r *Response) Code(t testing.TB) string {
	t.Helper()
	code, _ := r.JSON(t)["code"].(string)
	return code
}

// Request is a request to send with Do.
type Request struct {
	Method string
	Path   string
	Body   any    // marshalled to JSON unless it is a string or []byte
	Token  string // sent as a bearer token
	Header http.Header
}

// Do sends a request and reads the whole answer.
func (e *Env) Do(t testing.TB, req Request) *Response {
	t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}

	r, err := http.NewRequest(req.Method, e.URL+req.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, vs := range req.Header {
		r.Header[k] = vs
	}

	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Post sends a JSON POST.
func (e *Env) Post(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return e.Do(t, Request{Method: http.MethodPost, Path: path, Body: body, Token: token})
}

// Get sends a GET.
func (e *Env) Get(t testing.TB, path, token string) *Response {
	t.Helper()
	return e.Do(t, Request{Method: http.MethodGet, Path: path, Token: token})
}

// Must fails the test unless the answer has the status.
func Must(t testing.TB, r *Response, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// MailTo waits for the next message to the address that the test has not
// taken yet, and takes it.
func (e *Env) MailTo(t testing.TB, address string) mailtest.Parsed {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if p, ok := e.take(t, address); ok {
			return p
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no mail to %s within 10s", address)
	return mailtest.Parsed{}
}

func (e *Env) take(t testing.TB, address string) (mailtest.Parsed, bool) {
	e.box.mu.Lock()
	defer e.box.mu.Unlock()
	for i, m := range e.SMTP.Messages() {
		if e.box.read[i] || len(m.To) != 1 || !strings.EqualFold(m.To[0], address) {
			continue
		}
		e.box.read[i] = true
		return mailtest.Parse(t, m.Data), true
	}
	return mailtest.Parsed{}, false
}

// LinkToken returns the token query parameter of the first link in a mail's
// text, after checking that the link points at this server.
func (e *Env) LinkToken(t testing.TB, m mailtest.Parsed) (path, token string) {
	t.Helper()
	link := firstURL(m.Text)
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no link in mail %q: %v", m.Text, err)
	}
	if !strings.HasPrefix(link, e.URL+"/") {
		t.Fatalf("link %s does not point at %s", link, e.URL)
	}
	return u.Path, u.Query().Get("token")
}

func firstURL(text string) string {
	for f := range strings.FieldsSeq(text) {
		if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
			return f
		}
	}
	return ""
}

// SignUp creates and verifies an account through the API, following the
// link in the mail, and signs in. It returns the API token.
func (e *Env) SignUp(t testing.TB, email, name, password string) string {
	t.Helper()
	Must(t, e.Post(t, "/api/v1/auth/signup", "", map[string]string{
		"email": email, "name": name, "password": password,
	}), http.StatusAccepted)

	_, token := e.LinkToken(t, e.MailTo(t, email))
	Must(t, e.Post(t, "/api/v1/auth/verify", "", map[string]string{"token": token}),
		http.StatusOK)

	var login struct{ Token string }
	Must(t, e.Post(t, "/api/v1/auth/login", "", map[string]string{
		"email": email, "password": password,
	}), http.StatusOK).Decode(t, &login)
	return login.Token
}

// Password is the password of every account that User makes.
const Password = "fixture passphrase"

// User is a verified account made for a test.
type User struct {
	ID    string
	Email string
	Name  string
	Token string // an API token
}

// User makes a verified account with an API token through the account
// service, as sign-up, the mailed link and sign-in would, but from a client
// address of its own so that tests making many people stay under the
// per-address limits.
func (e *Env) User(t testing.TB, name string) *User {
	t.Helper()
	ctx := context.Background()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
	client := sk.Client{IP: "fixture:" + email}
	const pass = Password

	err := e.App.Accounts.SignUp(ctx, client, sk.SignUp{Email: email, Name: name, Password: pass})
	if err != nil {
		t.Fatalf("signing up %s: %v", email, err)
	}
	_, token := e.LinkToken(t, e.MailTo(t, email))
	if _, err := e.App.Accounts.VerifyEmail(ctx, token); err != nil {
		t.Fatalf("verifying %s: %v", email, err)
	}
	login, u, err := e.App.Accounts.Login(ctx, client, email, pass)
	if err != nil {
		t.Fatalf("signing in %s: %v", email, err)
	}
	// A token that does not expire, for tests that move the clock by months.
	actor, err := e.App.Accounts.Authenticate(ctx, login.Secret)
	if err != nil {
		t.Fatal(err)
	}
	lasting, err := e.App.Accounts.CreateToken(ctx, actor, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return &User{ID: u.ID, Email: email, Name: name, Token: lasting.Secret}
}

// Org creates an organization owned by the user, as checkout will.
func (e *Env) Org(t testing.TB, owner *User, name string) string {
	t.Helper()
	org, err := e.App.Orgs.CreateOrganization(context.Background(), name, owner.ID, nil)
	if err != nil {
		t.Fatalf("creating organization %s: %v", name, err)
	}
	return org.ID
}

// Put sends a JSON PUT.
func (e *Env) Put(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return e.Do(t, Request{Method: http.MethodPut, Path: path, Body: body, Token: token})
}

// Patch sends a JSON PATCH.
func (e *Env) Patch(t testing.TB, path, token string, body any) *Response {
	t.Helper()
	return e.Do(t, Request{Method: http.MethodPatch, Path: path, Body: body, Token: token})
}

// Delete sends a DELETE.
func (e *Env) Delete(t testing.TB, path, token string) *Response {
	t.Helper()
	return e.Do(t, Request{Method: http.MethodDelete, Path: path, Token: token})
}

// Licenses gives the organization a subscription of the given number of
// seats straight in the store, as checkout will, and returns the licenses.
func (e *Env) Licenses(t testing.TB, orgID string, seats int) []string {
	t.Helper()
	_, ids := e.Subscription(t, orgID, seats)
	return ids
}

// Subscription is Licenses that also returns the subscription's ID.
func (e *Env) Subscription(t testing.TB, orgID string, seats int) (string, []string) {
	t.Helper()
	ctx := context.Background()
	now := e.App.Clock.Now()
	subID := sk.NewID(sk.PrefixSubscription, now)
	var ids []string
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		err := tx.UpsertPlan(ctx, &store.PlanRecord{ID: "fixture", Name: "Fixture",
			Kind: "organization", Currency: "EUR", PriceMonth: 1000, PriceYear: 10000,
			MinSeats: 1, MaxSeats: 100000, MaxActivations: 1})
		if err != nil {
			return err
		}
		customer := &store.CustomerRecord{ID: sk.NewID(sk.PrefixCustomer, now),
			BillingName: "Fixture", BillingEmail: "billing@example.com", Currency: "EUR",
			CreatedAt: now}
		if err := tx.CreateCustomer(ctx, customer); err != nil {
			return err
		}
		ids, err = tx.CreateSubscription(ctx, &store.SubscriptionRecord{
			ID: subID, CustomerID: customer.ID, OrgID: &orgID,
			PlanID: "fixture", Period: "month", Seats: seats, Status: "active",
			PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0), CreatedAt: now})
		return err
	})
	if err != nil {
		t.Fatalf("creating licenses: %v", err)
	}
	return subID, ids
}

// EndSubscription ends a subscription straight in the store, as the end of
// its last period will.
func (e *Env) EndSubscription(t testing.TB, id string) {
	t.Helper()
	err := e.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.EndSubscription(context.Background(), id, e.App.Clock.Now())
	})
	if err != nil {
		t.Fatalf("ending subscription: %v", err)
	}
}

// Hold puts licenses where the holdings say, straight in the store.
func (e *Env) Hold(t testing.TB, orgID string, holdings ...store.LicenseHolding) {
	t.Helper()
	ctx := context.Background()
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		for _, h := range holdings {
			if err := tx.SetLicenseHolding(ctx, orgID, h, e.App.Clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("placing licenses: %v", err)
	}
}

// Holdings reads where the organization's licenses are.
func (e *Env) Holdings(t testing.TB, orgID string) []store.LicenseHolding {
	t.Helper()
	var list []store.LicenseHolding
	err := e.DB.View(context.Background(), func(tx *store.Tx) error {
		var err error
		list, err = tx.LicenseHoldings(context.Background(), orgID)
		return err
	})
	if err != nil {
		t.Fatalf("reading licenses: %v", err)
	}
	return list
}

// Join invites a user to a scope (the organization when team is nil) and
// has them accept through the link in the mail.
func (e *Env) Join(t testing.TB, by *User, org string, team *string, who *User, role sk.Role) {
	t.Helper()
	Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", by.Token, map[string]any{
		"email": who.Email, "role": role, "team_id": team,
	}), http.StatusCreated)
	path, token := e.LinkToken(t, e.MailTo(t, who.Email))
	if path != "/invitations/accept" {
		t.Fatalf("invitation link path %q", path)
	}
	Must(t, e.Post(t, "/api/v1/invitations/accept", who.Token,
		map[string]string{"token": token}), http.StatusOK)
}
