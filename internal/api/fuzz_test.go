package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/api"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// The fuzz targets of this file send what the fuzzer makes to the real API
// handler of a running Seatkeeper, one per available store, and hold every
// answer to the API's promise: never a 5xx, and a well-formed problem
// document for every refusal. See docs/testing.md for how to run them.

// fuzzEnv is a running Seatkeeper with one of everything an ID in a path can
// name, owned by one user, so that fuzzed requests get past "not found".
type fuzzEnv struct {
	e     *apptest.Env
	owner *apptest.User
	ids   map[string]string // path parameter name → a real ID
	log   *tailLog
}

// fuzzTB sends a server's log to a tailLog instead of the test log, which a
// fuzz target may not write to once it runs, so that a failure can show the
// server's side of it.
type fuzzTB struct {
	testing.TB
	log *tailLog
}

func (tb fuzzTB) Log(args ...any) { tb.log.add(fmt.Sprint(args...)) }

// tailLog keeps the last lines a server logged.
type tailLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *tailLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if len(l.lines) > 10 {
		l.lines = slices.Delete(l.lines, 0, len(l.lines)-10)
	}
}

func (l *tailLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// fuzzPassword is the password of the fuzz environments' owner; no seed
// holds it, so that no fuzzed request changes it or the owner's address.
const fuzzPassword = "fuzz owner passphrase"

// newFuzzEnvs starts one environment per available store, with fixtures
// unless bare.
func newFuzzEnvs(f *testing.F, bare bool) []*fuzzEnv {
	f.Helper()
	var envs []*fuzzEnv
	for _, d := range storetest.Dialects() {
		log := &tailLog{}
		tb := fuzzTB{TB: f, log: log}
		e := apptest.Start(tb, storetest.Open(f, d))
		env := &fuzzEnv{e: e, owner: e.User(tb, "Fuzz Owner"), log: log}
		if !bare {
			env.ids = fuzzFixtures(f, e, env.owner)
		}
		envs = append(envs, env)
	}
	return envs
}

// fuzzFixtures buys an organization through the API and makes a team, an
// invitation, and an activated license held by the owner; it returns their
// IDs by the name of the path parameter that takes them.
func fuzzFixtures(f *testing.F, e *apptest.Env, owner *apptest.User) map[string]string {
	f.Helper()
	var bought sk.CheckoutResult
	apptest.Must(f, e.Post(f, "/api/v1/checkout", owner.Token, map[string]any{
		"plan": "team", "period": "month", "seats": 5, "organization_name": "Fuzz",
		"card": map[string]any{"number": "4242424242424242", "exp_month": 12,
			"exp_year": 2040, "cvc": "123"},
	}), http.StatusCreated).Decode(f, &bought)
	org := bought.Organization.ID
	ids := map[string]string{"org": org, "user": owner.ID, "sub": bought.Subscription.ID,
		"customer": bought.Subscription.CustomerID, "invoice": bought.Invoice.ID}

	var customer sk.Customer
	apptest.Must(f, e.Get(f, "/api/v1/billing/customers/"+ids["customer"], owner.Token),
		http.StatusOK).Decode(f, &customer)
	ids["pm"] = customer.PaymentMethods[0].ID

	var team, inv, act struct{ ID string }
	apptest.Must(f, e.Post(f, "/api/v1/orgs/"+org+"/teams", owner.Token,
		map[string]string{"name": "Fuzzers"}), http.StatusCreated).Decode(f, &team)
	ids["team"] = team.ID
	apptest.Must(f, e.Post(f, "/api/v1/orgs/"+org+"/invitations", owner.Token,
		map[string]any{"email": "invited@example.com", "role": "viewer"}),
		http.StatusCreated).Decode(f, &inv)
	ids["inv"] = inv.ID

	var lics struct{ Data []sk.License }
	apptest.Must(f, e.Get(f, "/api/v1/orgs/"+org+"/licenses", owner.Token),
		http.StatusOK).Decode(f, &lics)
	ids["license"], ids["held"] = lics.Data[0].ID, lics.Data[1].ID
	apptest.Must(f, e.Put(f, "/api/v1/orgs/"+org+"/licenses/"+ids["held"]+"/assignee",
		owner.Token, map[string]string{"email": owner.Email}), http.StatusOK)
	apptest.Must(f, e.Post(f, "/api/v1/licenses/"+ids["held"]+"/activations", owner.Token,
		map[string]string{"fingerprint": "fuzz-machine", "name": "Fuzz box"}),
		http.StatusCreated).Decode(f, &act)
	ids["activation"] = act.ID
	return ids
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// path fills a route pattern's parameters with the environment's IDs. The
// product's routes get the license the owner holds; the rest another one.
func (env *fuzzEnv) path(pattern string) string {
	_, p, _ := strings.Cut(pattern, " ")
	product := strings.HasPrefix(p, "/api/v1/licenses/")
	return pathParam.ReplaceAllStringFunc(p, func(m string) string {
		name := strings.Trim(m, "{}")
		if name == "license" && product {
			name = "held"
		}
		if id, ok := env.ids[name]; ok {
			return id
		}
		return "x"
	})
}

// send serves one request with the real handler, from a client address
// derived from the request so that rate limits rarely stand in the way.
func (env *fuzzEnv) send(method, target string, body []byte,
	header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", bytes.NewReader(body))
	r.URL = &url.URL{Path: "/"}
	if p, q, ok := strings.Cut(target, "?"); ok {
		r.URL.Path, r.URL.RawQuery = p, q
	} else {
		r.URL.Path = target
	}
	r.RequestURI = target
	r.Header = header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Authorization", "Bearer "+env.owner.Token)

	h := fnv.New32a()
	fmt.Fprintf(h, "%s %s %s", method, target, body)
	n := h.Sum32()
	r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", byte(n>>16), byte(n>>8), byte(n))

	w := httptest.NewRecorder()
	env.e.App.Handler.ServeHTTP(w, r)
	return w
}

// checkAnswer fails the test on a server error, a refusal that is not a
// problem document, or a success whose body is not JSON.
func (env *fuzzEnv) checkAnswer(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	body := w.Body.Bytes()
	if w.Code >= 500 {
		t.Fatalf("%s: %d %s\nserver log:\n%s", what, w.Code, body, env.log)
	}
	if w.Code < 400 {
		if len(body) > 0 && !json.Valid(body) {
			t.Fatalf("%s: %d with a body that is not JSON: %q", what, w.Code, body)
		}
		return
	}

	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: %d with Content-Type %q", what, w.Code, ct)
	}
	var p api.Problem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %d with a problem that does not decode: %v: %q", what, w.Code, err, body)
	}
	if p.Status != w.Code || p.Code == "" || p.Title == "" || p.Type == "" {
		t.Fatalf("%s: %d with an incomplete problem %+v", what, w.Code, p)
	}
	for _, fe := range p.Errors {
		if fe.Field == "" || fe.Message == "" {
			t.Fatalf("%s: %d names a field error without field or message: %+v",
				what, w.Code, p)
		}
	}
}

// bodyRoutes lists the routes that take a request body, by pattern. Logout
// is left out: it would revoke the token every request uses.
func bodyRoutes(env *fuzzEnv) []string {
	var list []string
	for _, pattern := range env.e.App.API.Patterns() {
		method, path, _ := strings.Cut(pattern, " ")
		switch {
		case method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch:
		case path == "/api/v1/auth/logout":
		default:
			list = append(list, pattern)
		}
	}
	slices.Sort(list)
	return list
}

// pick returns the item named by choice, or, for a choice that names none,
// one chosen by its hash, so that every fuzzed string reaches some item.
func pick(items []string, choice string) string {
	if slices.Contains(items, choice) {
		return choice
	}
	h := fnv.New32a()
	io.WriteString(h, choice)
	return items[h.Sum32()%uint32(len(items))]
}

// exampleBodies are well-formed bodies per route, for the seed corpus: the
// fuzzer mutates them into the near misses that reach deepest.
var exampleBodies = pairs(
	"POST /api/v1/auth/signup",
	`{"email":"new@example.com","name":"New Person",`+
		`"password":"correct horse battery"}`,
	"POST /api/v1/auth/verify", `{"token":"skl_AAAA"}`,
	"POST /api/v1/auth/verify/resend", `{"email":"new@example.com"}`,
	"POST /api/v1/auth/login", `{"email":"new@example.com","password":"wrong guess"}`,
	"POST /api/v1/auth/session", `{"email":"new@example.com","password":"wrong guess"}`,
	"POST /api/v1/auth/password-reset", `{"email":"new@example.com"}`,
	"POST /api/v1/auth/password-reset/confirm",
	`{"token":"skl_AAAA","password":"another long one"}`,
	"POST /api/v1/me/password",
	`{"current_password":"not it","password":"longer than eight"}`,
	"POST /api/v1/me/email",
	`{"current_password":"not it","email":"other@example.com"}`,
	"POST /api/v1/me/email/confirm", `{"token":"skl_AAAA"}`,
	"POST /api/v1/me/tokens", `{"name":"ci","expires_at":"2099-01-02T03:04:05Z"}`,
	"PATCH /api/v1/orgs/{org}", `{"name":"Fuzz Ltd"}`,
	"POST /api/v1/orgs/{org}/teams", `{"name":"Platform"}`,
	"PATCH /api/v1/orgs/{org}/teams/{team}", `{"name":"Fuzzers 2"}`,
	"PUT /api/v1/orgs/{org}/roles/{user}", `{"role":"manager"}`,
	"PUT /api/v1/orgs/{org}/teams/{team}/roles/{user}", `{"role":"viewer"}`,
	"POST /api/v1/orgs/{org}/invitations",
	`{"email":"someone@example.com","role":"assigner","team_id":null}`,
	"POST /api/v1/invitations/accept", `{"token":"skl_AAAA"}`,
	"PUT /api/v1/orgs/{org}/licenses/{license}/assignee",
	`{"email":"p@example.com","replace":true}`,
	"POST /api/v1/orgs/{org}/licenses/change-team",
	`{"license_ids":["lic_x"],"team_id":null}`,
	"POST /api/v1/billing/subscriptions/{sub}/seats", `{"seats":6}`,
	"POST /api/v1/billing/subscriptions/{sub}/seats/preview", `{"seats":4}`,
	"POST /api/v1/checkout",
	`{"plan":"team","period":"year","seats":2,`+
		`"organization_name":"Seeded","card":{"number":"4242 4242 4242 4242",`+
		`"exp_month":1,"exp_year":2045,"cvc":"999"}}`,
	"POST /api/v1/billing/customers/{customer}/payment-methods",
	`{"card":{"number":`+
		`"4000000000000341","exp_month":12,"exp_year":2040,"cvc":"123"}}`,
	"POST /api/v1/licenses/{license}/activations",
	`{"fingerprint":"box-2","name":"Box","replace_oldest":true}`,
	"POST /api/v1/licenses/{license}/token", `{"fingerprint":"fuzz-machine"}`,
)

// pairs makes a map of its arguments, taken two by two.
func pairs(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// badBodies are malformed in the ways a decoder must survive.
var badBodies = []string{
	``, `{}`, `null`, `[]`, `"text"`, `{"a":1}`, `{} {}`, `{"name":`, `{"seats":1e999}`,
	`{"seats":-9223372036854775808}`, `{"email":"\u0000@example.com"}`,
	`{"name":"` + strings.Repeat("é", 200) + `"}`, strings.Repeat("[", 20000),
}

// FuzzRequestBodies posts fuzzed bodies, with a fuzzed Content-Type and
// Idempotency-Key, to every route that takes a body.
func FuzzRequestBodies(f *testing.F) {
	envs := newFuzzEnvs(f, false)
	routes := bodyRoutes(envs[0])
	// Each route gets a few of the bad bodies, in turn, so that all of them
	// reach every decoder without the corpus growing by their product.
	for i, route := range routes {
		for j := range 4 {
			body := badBodies[(4*i+j)%len(badBodies)]
			f.Add(route, []byte(body), "application/json", "")
		}
		if body, ok := exampleBodies[route]; ok {
			f.Add(route, []byte(body), "application/json; charset=utf-8", "")
			f.Add(route, []byte(body), "", "key-1")
			f.Add(route, []byte(body), "text/plain", "")
		}
	}

	f.Fuzz(func(t *testing.T, route string, body []byte, contentType, key string) {
		route = pick(routes, route)
		header := http.Header{}
		if contentType != "" && validHeader(contentType) {
			header.Set("Content-Type", contentType)
		}
		if key != "" && validHeader(key) {
			header.Set("Idempotency-Key", key)
		}
		for _, env := range envs {
			method, _, _ := strings.Cut(route, " ")
			w := env.send(method, env.path(route), body, header)
			env.checkAnswer(t, fmt.Sprintf("%s with %q", route, body), w)
		}
	})
}

// validHeader reports whether a header value could arrive over the wire.
func validHeader(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool {
		return r < 0x20 && r != '\t' || r == 0x7f
	})
}

// collections are the last path segments of the routes that answer a list.
var collections = []string{"licenses", "teams", "roles", "invitations", "audit-log",
	"tokens", "invoices", "subscriptions", "activations", "plans"}

// listRoutes are the routes that answer a list, by pattern.
func listRoutes(env *fuzzEnv) []string {
	var list []string
	for _, pattern := range env.e.App.API.Patterns() {
		method, path, _ := strings.Cut(pattern, " ")
		last := path[strings.LastIndex(path, "/")+1:]
		if method == http.MethodGet && slices.Contains(collections, last) {
			list = append(list, pattern)
		}
	}
	slices.Sort(list)
	return list
}

// FuzzListQueries sends fuzzed query strings (limit, cursor, the filters,
// and whatever else) to every list route.
func FuzzListQueries(f *testing.F) {
	envs := newFuzzEnvs(f, false)
	routes := listRoutes(envs[0])
	queries := []string{
		"", "limit=1", "limit=0", "limit=201", "limit=-1", "limit=1e3", "limit=%zz",
		"cursor=", "cursor=AAAA", "cursor=eyJxIjoiIiwiYSI6IiJ9", "status=assigned",
		"status=pending&team=organization", "team=" + envs[0].ids["team"], "team=x",
		"q=ada", "q=%00", "q=%ff%fe", "team=%00", "q=" + strings.Repeat("a", 201),
		"limit=2&limit=3&cursor=a&cursor=b", ";;&&==", "status=%E2%80%AE",
	}
	for i, route := range routes {
		for j := range 6 {
			f.Add(route, queries[(6*i+j)%len(queries)])
		}
	}

	f.Fuzz(func(t *testing.T, route, rawQuery string) {
		route = pick(routes, route)
		for _, env := range envs {
			w := env.send(http.MethodGet, env.path(route)+"?"+rawQuery, nil, nil)
			what := fmt.Sprintf("%s?%s", route, rawQuery)
			env.checkAnswer(t, what, w)
			if w.Code == http.StatusOK {
				checkList(t, what, w.Body.Bytes())
			}
		}
	})
}

// checkList fails unless body is a list answer.
func checkList(t *testing.T, what string, body []byte) {
	t.Helper()
	var l struct {
		Data       []json.RawMessage `json:"data"`
		NextCursor *string           `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &l); err != nil || l.Data == nil {
		t.Fatalf("%s: not a list answer (%v): %s", what, err, body)
	}
}

// FuzzCursorBinding continues a licenses list with a genuine cursor under
// fuzzed filters: the cursor works only with the query that made it, and is
// refused, naming the cursor, with any other.
func FuzzCursorBinding(f *testing.F) {
	envs := newFuzzEnvs(f, false)
	type minted struct {
		env    *fuzzEnv
		path   string
		cursor string
	}
	var all []minted
	for _, env := range envs {
		path := "/api/v1/orgs/" + env.ids["org"] + "/licenses"
		w := env.send(http.MethodGet, path+"?limit=1", nil, nil)
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || page.NextCursor == "" {
			f.Fatalf("first page: %d %s", w.Code, w.Body)
		}
		all = append(all, minted{env, path, page.NextCursor})
	}
	f.Add("", "", "", "1")
	f.Add("assigned", "", "", "1")
	f.Add("", "organization", "", "2")
	f.Add("", "", "fuzz", "")
	f.Add("", envs[0].ids["team"], "", "1")
	f.Add("unassigned", "organization", "a", "500")

	f.Fuzz(func(t *testing.T, status, team, q, limit string) {
		for _, m := range all {
			v := url.Values{}
			for name, value := range map[string]string{"status": status, "team": team,
				"q": q, "limit": limit} {
				if value != "" {
					v.Set(name, value)
				}
			}
			v.Set("cursor", m.cursor)
			w := m.env.send(http.MethodGet, m.path+"?"+v.Encode(), nil, nil)
			what := "licenses?" + v.Encode()
			m.env.checkAnswer(t, what, w)

			sameQuery := status == "" && team == "" && q == ""
			refused := w.Code == http.StatusBadRequest &&
				strings.Contains(w.Body.String(), `"field":"cursor"`)
			if sameQuery == refused {
				t.Fatalf("%s: %d %s (same query: %v)", what, w.Code, w.Body, sameQuery)
			}
		}
	})
}

// FuzzDevClockAdvance moves the development clock by fuzzed durations: the
// clock only ever moves forward. Its environments sell nothing, so that no
// advance has years of renewals to run.
func FuzzDevClockAdvance(f *testing.F) {
	envs := newFuzzEnvs(f, true)
	for _, s := range []string{`{"duration":"720h"}`, `{"duration":"1ns"}`,
		`{"duration":"-1h"}`, `{"duration":"0"}`, `{"duration":"2562047h47m16.854775807s"}`,
		`{"duration":"9223372036854775807ns"}`, `{"duration":1}`, `{"duration":"1e9h"}`,
		`{"duration":".5h"}`} {
		f.Add([]byte(s))
	}

	// Each body is sent twice, so that one input can take the clock past
	// the end of what a Duration holds.
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, env := range envs {
			for range 2 {
				before := env.e.App.Clock.Now()
				w := env.send(http.MethodPost, "/api/v1/dev/clock/advance", body,
					http.Header{"Content-Type": {"application/json"}})
				env.checkAnswer(t, fmt.Sprintf("advance %q", body), w)
				if w.Code != http.StatusOK {
					break
				}
				var got struct{ Now time.Time }
				err := json.Unmarshal(w.Body.Bytes(), &got)
				if err != nil || got.Now.Before(before) {
					t.Fatalf("advance %q: now %v (%v), was %v", body, got.Now, err, before)
				}
			}
		}
	})
}
