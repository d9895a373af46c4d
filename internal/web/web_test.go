package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
	"github.com/seatkeeper/seatkeeper/internal/web"
)

// visitor is a browser without JavaScript: a cookie jar that follows no
// redirect, so that a test sees each answer.
type visitor struct {
	t      *testing.T
	env    *apptest.Env
	client *http.Client
}

func newVisitor(t *testing.T, env *apptest.Env) *visitor {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client := &http.Client{Jar: jar, CheckRedirect: noRedirect}
	return &visitor{t: t, env: env, client: client}
}

// page is an answer of the dashboard.
type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (v *visitor) do(req *http.Request) page {
	v.t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	return page{resp.StatusCode, string(b), resp.Header.Get("Location"), resp.Header}
}

// get opens a page.
func (v *visitor) get(path string) page {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.env.URL+path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	return v.do(req)
}

// post sends a form with the visitor's CSRF token, as a page of the site
// would.
func (v *visitor) post(path string, form url.Values) page {
	v.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", v.csrf())
	}
	req, err := http.NewRequest(http.MethodPost, v.env.URL+path,
		strings.NewReader(form.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", v.env.URL)
	return v.do(req)
}

// csrf returns the visitor's CSRF token, opening a page to get one.
func (v *visitor) csrf() string {
	v.t.Helper()
	u, _ := url.Parse(v.env.URL)
	for _, c := range v.client.Jar.Cookies(u) {
		if c.Name == "sk_csrf" {
			return c.Value
		}
	}
	v.get("/sign-in")
	for _, c := range v.client.Jar.Cookies(u) {
		if c.Name == "sk_csrf" {
			return c.Value
		}
	}
	v.t.Fatal("no CSRF cookie after opening the sign-in page")
	return ""
}

// signIn signs the visitor in as u.
func (v *visitor) signIn(u *apptest.User) {
	v.t.Helper()
	p := v.post("/sign-in", url.Values{"email": {u.Email}, "password": {apptest.Password}})
	if p.status != http.StatusSeeOther {
		v.t.Fatalf("signing in %s: %d\n%s", u.Email, p.status, p.body)
	}
}

// must fails the test unless the page has the status.
func (p page) must(t *testing.T, status int) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d (location %q)\n%s", p.status, status, p.location,
			excerpt(p.body))
	}
	return p
}

// has fails the test unless the page's HTML contains every text.
func (p page) has(t *testing.T, texts ...string) page {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Errorf("the page lacks %q\n%s", s, excerpt(p.body))
		}
	}
	return p
}

var mainPart = regexp.MustCompile(`(?s)<main.*</main>`)

// excerpt is the main part of a page, for failure messages.
func excerpt(body string) string {
	if m := mainPart.FindString(body); m != "" {
		return m
	}
	return body
}

// shop is an organization bought through the dashboard's checkout, with a
// team, a pending invitation, an API token and an assigned license.
type shop struct {
	owner  *apptest.User
	org    string
	team   string
	sub    string
	cus    string
	inv    string
	invite string
}

func buy(t *testing.T, env *apptest.Env, v *visitor, owner *apptest.User) shop {
	t.Helper()
	v.signIn(owner)
	p := v.post("/checkout", checkoutForm("Acme", 4, "4242424242424242", "k1")).
		must(t, http.StatusSeeOther)
	s := shop{owner: owner, org: strings.Split(p.location, "/")[2]}

	ctx := context.Background()
	a := &sk.Actor{User: sk.User{ID: owner.ID, Email: owner.Email, Name: owner.Name,
		EmailVerified: true}}
	team, err := env.App.Orgs.CreateTeam(ctx, a, sk.Client{}, s.org, "Design")
	if err != nil {
		t.Fatal(err)
	}
	s.team = team.ID
	subs, err := env.App.Billing.OrgSubscriptions(ctx, a, s.org)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions after checkout: %v, %v", subs, err)
	}
	s.sub, s.cus = subs[0].ID, subs[0].CustomerID
	invoices, _, err := env.App.Billing.Invoices(ctx, a, s.cus, sk.Page{Limit: 5})
	if err != nil || len(invoices) != 1 {
		t.Fatalf("invoices after checkout: %v, %v", invoices, err)
	}
	s.inv = invoices[0].ID
	inv, err := env.App.Orgs.Invite(ctx, a, sk.Client{}, s.org,
		sk.Invite{Email: "newbie@example.com", Role: sk.RoleViewer, TeamID: &s.team})
	if err != nil {
		t.Fatal(err)
	}
	s.invite = inv.ID
	return s
}

// checkoutForm is the checkout form for an organization plan paid with a
// new card.
func checkoutForm(org string, seats int, card, key string) url.Values {
	return url.Values{"plan": {"team"}, "period": {"month"}, "seats": {strconv.Itoa(seats)},
		"organization_name": {org}, "card.number": {card}, "card.exp_month": {"12"},
		"card.exp_year": {"2031"}, "card.cvc": {"123"}, "idempotency_key": {key}}
}

// TestEveryPageRenders opens every page of the dashboard as someone who may
// see it, on each store, and fails for a page template that no case opens.
func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		lic := firstLicense(t, env, s)
		invitee := env.User(t, "Ivy Invitee")

		cases := []struct {
			path, page, want string
		}{
			{"/licenses", "my-licenses", "My licenses"},
			{"/subscriptions", "my-subscriptions", "Team"},
			{"/account", "account", "Change password"},
			{"/tokens", "tokens", "New token"},
			{"/checkout", "checkout", "Pay and create"},
			{"/orgs/" + s.org + "/licenses", "licenses", `data-label="Team license, valid`},
			{"/orgs/" + s.org + "/licenses/" + lic + "/assign", "assign", "Team license, valid"},
			{"/orgs/" + s.org + "/licenses/change-team?license=" + lic, "change-team",
				"Move 1 license"},
			{"/orgs/" + s.org + "/subscriptions", "org-subscriptions", "Billing portal"},
			{"/orgs/" + s.org + "/teams", "teams", "Add a team"},
			{"/orgs/" + s.org + "/roles", "roles", "newbie@example.com"},
			{"/orgs/" + s.org + "/rename", "rename", "Organization name"},
			{"/orgs/" + s.org + "/teams/" + s.team + "/licenses", "licenses", "Design"},
			{"/orgs/" + s.org + "/teams/" + s.team + "/roles", "roles", "Invite member"},
			{"/orgs/" + s.org + "/teams/" + s.team + "/rename", "rename", "Team name"},
			{"/orgs/" + s.org + "/audit-log", "audit-log", "team.created"},
			{"/billing/customers/" + s.cus, "portal", "Payment methods"},
			{"/billing/subscriptions/" + s.sub, "subscription", "Change seats"},
			{"/billing/invoices/" + s.inv, "invoice", "Seatkeeper</p>"},
			{"/invitations/accept?token=x", "invitation", "Accept invitation"},
			{"/orgs/nope/licenses", "error", "There is nothing here"},
		}
		rendered := map[string]bool{}
		for _, c := range cases {
			want := http.StatusOK
			if c.page == "error" {
				want = http.StatusNotFound
			}
			v.get(c.path).must(t, want).has(t, c.want).strict(t, c.path)
			rendered[c.page] = true
		}

		// A user with only a team role sees the organization's overview.
		lead := env.User(t, "Tess Lead")
		env.Join(t, s.owner, s.org, &s.team, lead, sk.RoleManager)
		lv := newVisitor(t, env)
		lv.signIn(lead)
		lv.get("/orgs/"+s.org).must(t, http.StatusOK).has(t, "Your teams", "Design").
			strict(t, "/orgs/"+s.org)
		rendered["org-overview"] = true

		// Pages for visitors.
		anon := newVisitor(t, env)
		for _, c := range []struct{ path, page, want string }{
			{"/sign-in", "sign-in", "Sign in"},
			{"/sign-up?email=a%40example.com", "sign-up", `value="a@example.com"`},
			{"/verify-email?token=x", "verify-email", "Confirm my address"},
			{"/reset-password", "reset-password", "Email me a link"},
			{"/reset-password?token=x", "reset-password", "Choose a new password"},
			{"/confirm-email?token=x", "confirm-email", "Use this address"},
		} {
			anon.get(c.path).must(t, http.StatusOK).has(t, c.want).strict(t, c.path)
			rendered[c.page] = true
		}
		anon.post("/reset-password", url.Values{"email": {invitee.Email}}).
			must(t, http.StatusOK).has(t, "Check your inbox").strict(t, "check-inbox")
		rendered["check-inbox"] = true
		v.post("/orgs/"+s.org+"/teams/"+s.team+"/remove", url.Values{"name": {"Design"}}).
			must(t, http.StatusOK).has(t, "Remove the team Design?", `name="confirm"`).
			strict(t, "confirm")
		rendered["confirm"] = true

		names, err := web.PageNames()
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if !rendered[name] {
				t.Errorf("no case renders the page %q", name)
			}
		}
	})
}

var (
	scriptTag    = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	styleAttr    = regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`)
	postForm     = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	csrfField    = regexp.MustCompile(`name="csrf" value="[^"]+"`)
	headerCell   = regexp.MustCompile(`(?is)<th\b[^>]*>(.*?)</th>`)
	anyTag       = regexp.MustCompile(`<[^>]*>`)
	methodIsPost = regexp.MustCompile(`(?i)\bmethod="post"`)
)

// strict fails the test for what the page's Content-Security-Policy would
// refuse (a script without src, a style element or attribute), for a form
// that changes something without the CSRF field, and for a table header
// with no text for screen readers.
func (p page) strict(t *testing.T, name string) page {
	t.Helper()
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp,
		"script-src 'self'") {
		t.Errorf("%s: Content-Security-Policy %q", name, csp)
	}
	for _, tag := range scriptTag.FindAllString(p.body, -1) {
		if !strings.Contains(tag, " src=") {
			t.Errorf("%s: an inline script: %s", name, tag)
		}
	}
	if strings.Contains(strings.ToLower(p.body), "<style") {
		t.Errorf("%s: a <style> element", name)
	}
	if m := styleAttr.FindString(p.body); m != "" {
		t.Errorf("%s: a style attribute: %s", name, m)
	}

	for _, m := range postForm.FindAllStringSubmatch(p.body, -1) {
		if methodIsPost.MatchString(m[1]) && !csrfField.MatchString(m[2]) {
			t.Errorf("%s: a form without the CSRF field: <form%s>", name, m[1])
		}
	}
	for _, m := range headerCell.FindAllStringSubmatch(p.body, -1) {
		text := strings.TrimSpace(anyTag.ReplaceAllString(m[1], ""))
		if text == "" && !strings.Contains(m[1], "aria-label=") {
			t.Errorf("%s: a table header without text: %s", name, m[0])
		}
	}
	return p
}

// firstLicense returns the ID of one of the shop's licenses.
func firstLicense(t *testing.T, env *apptest.Env, s shop) string {
	t.Helper()
	holdings := env.Holdings(t, s.org)
	if len(holdings) == 0 {
		t.Fatal("the organization has no license")
	}
	return holdings[0].ID
}

// TestFormsShowErrorsBesideFields sends bad forms and expects the page
// again, with each error next to its field and nothing changed.
func TestFormsShowErrorsBesideFields(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		lic := firstLicense(t, env, s)

		anon := newVisitor(t, env)
		anon.post("/sign-up", url.Values{"name": {"Al"}, "email": {"not-an-email"},
			"password": {"short"}}).must(t, http.StatusBadRequest).
			has(t, `id="email-error"`, `id="password-error"`, `aria-invalid="true"`)

		v.post("/orgs/"+s.org+"/teams", url.Values{"name": {"design"}}).
			must(t, http.StatusBadRequest).has(t, `id="name-error"`, `value="design"`)
		v.post("/orgs/"+s.org+"/licenses/"+lic+"/assign", url.Values{"email": {"nope"}}).
			must(t, http.StatusBadRequest).has(t, `id="email-error"`)
		v.post("/billing/subscriptions/"+s.sub+"/seats/preview", url.Values{"seats": {"x"}}).
			must(t, http.StatusBadRequest).has(t, `id="seats-error"`)

		// Selects are tied to their errors as inputs are.
		v.post("/orgs/"+s.org+"/invitations", url.Values{"email": {"x@example.com"},
			"role": {"admin"}}).must(t, http.StatusBadRequest).
			has(t, `aria-describedby="invite-role-error"`, `id="invite-role-error"`,
				`value="x@example.com"`)
		v.post("/billing/customers/"+s.cus+"/payment-methods", url.Values{
			"card.number": {"4242424242424242"}, "card.exp_month": {"x"},
			"card.exp_year": {"2031"}, "card.cvc": {"123"}}).
			must(t, http.StatusBadRequest).
			has(t, `aria-describedby="card-exp-month-error"`, `id="card-exp-month-error"`)
		v.post("/checkout", checkoutForm("Beta", 2, "4000000000000002", "k2")).
			must(t, http.StatusPaymentRequired).
			has(t, "flash-error").has(t, "declined")
		v.post("/account/password", url.Values{"current_password": {"wrong password"},
			"password": {"a new long password"}}).must(t, http.StatusBadRequest).
			has(t, `id="pw-current-error"`)

		subs, err := env.App.Billing.MySubscriptions(context.Background(), actor(s.owner))
		if err != nil || len(subs) != 1 {
			t.Errorf("after a declined checkout: %d subscriptions (%v), want the first only",
				len(subs), err)
		}
	})
}

// TestRefusals covers what the dashboard refuses whatever the page shows:
// forms without the CSRF token or from another site, and actions beyond
// the actor's role.
func TestRefusals(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))

		// No token, or another browser's: refused, nothing made.
		v.post("/orgs/"+s.org+"/teams", url.Values{"name": {"Sneaky"}, "csrf": {"forged"}}).
			must(t, http.StatusForbidden).has(t, "This form has expired")
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/orgs/"+s.org+"/teams",
			strings.NewReader(url.Values{"name": {"Sneaky"}, "csrf": {v.csrf()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		v.do(req).must(t, http.StatusForbidden).has(t, "from another site")

		// A Viewer's forms are refused by the services.
		viewer := env.User(t, "Vera Viewer")
		env.Join(t, s.owner, s.org, nil, viewer, sk.RoleViewer)
		vv := newVisitor(t, env)
		vv.signIn(viewer)
		lic := firstLicense(t, env, s)
		vv.post("/orgs/"+s.org+"/teams", url.Values{"name": {"Mine"}}).
			must(t, http.StatusForbidden)
		vv.post("/orgs/"+s.org+"/licenses/"+lic+"/assign",
			url.Values{"email": {viewer.Email}}).must(t, http.StatusForbidden)
		vv.get("/billing/customers/"+s.cus).must(t, http.StatusNotFound)
		vv.get("/orgs/"+s.org+"/audit-log").must(t, http.StatusForbidden)

		teams, _, err := env.App.Orgs.Teams(context.Background(), actor(s.owner), s.org,
			sk.Page{Limit: 10})
		if err != nil || len(teams) != 1 {
			t.Errorf("teams after refused forms: %v, %v; want Design alone", teams, err)
		}
		for _, h := range env.Holdings(t, s.org) {
			if h.AssigneeUserID != nil {
				t.Errorf("license %s was assigned by a refused form", h.ID)
			}
		}

		// Signed out: pages send to sign-in and back.
		anon := newVisitor(t, env)
		p := anon.get("/orgs/"+s.org+"/licenses").must(t, http.StatusSeeOther)
		if p.location != "/sign-in?next=%2Forgs%2F"+s.org+"%2Flicenses" {
			t.Errorf("signed out, sent to %q", p.location)
		}
	})
}

// TestDestructiveFormsAskFirst checks that a destructive form without its
// confirmation changes nothing, and with it acts.
func TestDestructiveFormsAskFirst(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))
		path := "/orgs/" + s.org + "/teams/" + s.team + "/remove"

		v.post(path, url.Values{"name": {"Design"}}).must(t, http.StatusOK).
			has(t, "Remove the team Design?")
		v.get("/orgs/"+s.org+"/teams").must(t, http.StatusOK).has(t, "Design")

		p := v.post(path, url.Values{"name": {"Design"}, "confirm": {"yes"}}).
			must(t, http.StatusSeeOther)
		v.get(p.location).must(t, http.StatusOK).has(t, "The team is removed").
			has(t, "No teams yet")
	})
}

// TestChargingFormsRunOnce sends the same seat change twice, as a double
// click would, and expects one charge.
func TestChargingFormsRunOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		env := apptest.Start(t, db)
		v := newVisitor(t, env)
		s := buy(t, env, v, env.User(t, "Olivia Owner"))

		form := url.Values{"seats": {"6"}, "idempotency_key": {"same-form"}}
		first := v.post("/billing/subscriptions/"+s.sub+"/seats", form).
			must(t, http.StatusSeeOther)
		second := v.post("/billing/subscriptions/"+s.sub+"/seats", form).
			must(t, http.StatusSeeOther)
		if first.location != second.location {
			t.Errorf("the second send went to %q, the first to %q", second.location,
				first.location)
		}
		invoices, _, err := env.App.Billing.Invoices(context.Background(), actor(s.owner),
			s.cus, sk.Page{Limit: 10})
		if err != nil || len(invoices) != 2 {
			t.Errorf("%d invoices (%v) after one checkout and a seat change sent twice, "+
				"want 2", len(invoices), err)
		}
	})
}

// TestAssetsAndHeaders checks the headers every page carries and that
// static files are served with long caching only for their current version.
// TestEveryPageRenders checks every page's HTML against the policy.
func TestAssetsAndHeaders(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	env := apptest.Start(t, db)
	v := newVisitor(t, env)

	p := v.get("/sign-in").must(t, http.StatusOK)
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'",
		"frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
		t.Error("a page has an inline script or style, which the policy forbids")
	}

	css := regexp.MustCompile(`/static/app\.css\?v=[0-9a-f]+`).FindString(p.body)
	if css == "" {
		t.Fatal("the page links no versioned stylesheet")
	}
	got := v.get(css).must(t, http.StatusOK)
	if cc := got.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("current stylesheet Cache-Control %q", cc)
	}
	if cc := v.get("/static/app.css?v=old").header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("old version Cache-Control %q, want no-cache", cc)
	}
	v.get("/static/nothing.js").must(t, http.StatusNotFound)
}

func actor(u *apptest.User) *sk.Actor {
	return &sk.Actor{User: sk.User{ID: u.ID, Email: u.Email, Name: u.Name,
		EmailVerified: true}}
}
