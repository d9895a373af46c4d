package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// The soak test's knobs, read from the environment so that a longer run
// needs no code change.
const (
	soakDurationEnv = "SEATKEEPER_SOAK_DURATION" // e.g. "5m"; default 20s
	soakSeedEnv     = "SEATKEEPER_SOAK_SEED"     // replays a run's choices
)

// Shape of the soak: users, organizations bought in setup, clients, and the
// rounds between which the development clock moves a month.
const (
	soakUsers   = 12
	soakOrgs    = 3
	soakSeats   = 40
	soakClients = 16
	soakRounds  = 3
)

// TestSoakThreeServers starts three serve processes on one PostgreSQL,
// sets up organizations by checkout, and has many clients make random
// changes through all three at once, moving the development clock a month
// between rounds. Every successful change is recorded. At the end the
// database must hold no license twice, no more held licenses than seats,
// an Owner in every organization, exactly one audit event per recorded
// change, every charge on its one invoice, and no answer may have been a
// 5xx. The seed of the clients' choices is printed when it fails.
func TestSoakThreeServers(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
	t.Parallel()
	seed := soakSeed(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("soak seed %d; replay its choices with %s=%d", seed, soakSeedEnv, seed)
		}
	})

	databaseURL := storetest.URL(t, store.Postgres)
	s := &soak{t: t, seed: seed, db: storetest.OpenSQL(t, databaseURL), world: newWorld()}
	for range 3 {
		s.servers = append(s.servers,
			startServer(t, serveFlags(databaseURL, "--dev", "--mail", "dir:"+t.TempDir())...))
	}
	s.setUp()

	duration := soakDuration(t)
	for round := range soakRounds {
		s.runRound(round, duration/soakRounds)
		if round < soakRounds-1 {
			s.advanceMonth()
		}
	}
	s.check()
}

func soakSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv(soakSeedEnv); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", soakSeedEnv, v, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	if v := os.Getenv(soakDurationEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("%s=%q: want a positive duration", soakDurationEnv, v)
		}
		return d
	}
	return 20 * time.Second
}

// soak is one run: its servers, the database they share, what the clients
// know of the world, and what they recorded.
type soak struct {
	t       *testing.T
	seed    uint64
	servers []*server
	db      *sql.DB
	users   []*soakUser
	world   *world

	mu      sync.Mutex
	changes []change       // every successful change, as the audit log must show it
	faults  []string       // 5xx answers and failed requests
	ops     map[string]int // "op status" → how often, for the log
}

// soakUser is a user with a lasting API token.
type soakUser struct {
	id, email, token string
}

// change is one audit event the log must hold: its action, target and
// actor ("" for the system's own changes, such as renewals).
type change struct {
	action, target, actor string
}

// wildcard stands for a target that not every answer names (the card a
// checkout saves, the invoice that a renewal pays); such events are matched
// on action and actor.
const wildcard = "*"

func (s *soak) record(c ...change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = append(s.changes, c...)
}

// reply is an answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) decode(v any) error { return json.Unmarshal(r.body, v) }

var soakClient = &http.Client{
	Timeout:   60 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

// call sends a request to one of the servers and reads the answer. A 5xx
// or a request that fails is recorded as a fault.
func (s *soak) call(srv int, op, method, path, token string, body any,
	header http.Header) reply {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, s.servers[srv].url(path), rd)
	maps.Copy(r.Header, header)
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := soakClient.Do(r)
	if err != nil {
		s.fault("%s %s on server %d: %v", method, path, srv, err)
		return reply{}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.fault("%s %s on server %d: reading: %v", method, path, srv, err)
	}
	if resp.StatusCode >= 500 {
		s.fault("%s %s on server %d: %d %s", method, path, srv, resp.StatusCode, data)
	}
	s.count(op, resp.StatusCode)
	return reply{resp.StatusCode, resp.Header, data}
}

func (s *soak) fault(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fmt.Sprintf(format, args...))
}

func (s *soak) count(op string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops == nil {
		s.ops = map[string]int{}
	}
	s.ops[fmt.Sprintf("%s %d", op, status)]++
}

// must sends a setup request, which must succeed with want.
func (s *soak) must(srv int, method, path, token string, body any, want int) reply {
	s.t.Helper()
	r := s.call(srv, "setup", method, path, token, body, nil)
	if r.status != want {
		s.t.Fatalf("%s %s: %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

// setUp signs the users up, has the first users buy an organization each,
// invites the others into them with roles, makes teams, delegates licenses
// and assigns some; then it reads what the clients start from.
func (s *soak) setUp() {
	s.t.Helper()
	for i := range soakUsers {
		email := fmt.Sprintf("user%02d@example.com", i)
		token := signUpThrough(s.t, s.servers, s.db, email, fmt.Sprintf("User %02d", i))
		s.users = append(s.users, &soakUser{id: s.userID(email), email: email, token: token})
	}

	rng := rand.New(rand.NewPCG(s.seed, 1<<32))
	for o := range soakOrgs {
		org := s.buy(o%3, s.users[o], fmt.Sprintf("Org %d", o), soakSeats)
		s.populate(rng, org)
	}
	s.world.load(s.t, s.db, s.users)
}

func (s *soak) userID(email string) string {
	s.t.Helper()
	var id string
	if err := s.db.QueryRow(`SELECT id FROM users WHERE email = $1`, email).Scan(&id); err != nil {
		s.t.Fatalf("reading user %s: %v", email, err)
	}
	return id
}

// buy checks out an organization plan for the buyer with the test card, and
// records what a checkout changes.
func (s *soak) buy(srv int, buyer *soakUser, name string, seats int) string {
	s.t.Helper()
	var res checkoutResult
	s.must(srv, "POST", "/api/v1/checkout", buyer.token, checkoutBody(name, seats), 201).
		decode(&res)
	s.recordCheckout(buyer, res, seats)
	return res.Organization.ID
}

type checkoutResult struct {
	Organization struct{ ID string }
	Subscription struct {
		ID         string
		CustomerID string `json:"customer_id"`
	}
	Invoice struct{ ID string }
}

func (s *soak) recordCheckout(buyer *soakUser, res checkoutResult, seats int) {
	s.record(
		change{"payment_method.added", wildcard, buyer.id},
		change{"organization.created", res.Organization.ID, buyer.id},
		change{"subscription.created", res.Subscription.ID, buyer.id},
		change{"invoice.paid", wildcard, buyer.id},
	)
	s.world.addSubscription(res.Subscription.ID, res.Organization.ID, seats)
}

// populate gives an organization members, two teams, delegated licenses
// and assignees, through its Owner.
func (s *soak) populate(rng *rand.Rand, org string) {
	s.t.Helper()
	owner := s.users[slices.IndexFunc(s.users, func(u *soakUser) bool {
		return s.ownerOf(org) == u.id
	})]
	for _, u := range s.users {
		if u != owner && rng.IntN(2) == 0 {
			role := []string{"viewer", "assigner", "manager", "owner"}[rng.IntN(4)]
			s.inviteAndAccept(rng.IntN(3), owner, u, org, nil, role)
		}
	}

	lics := licenseIDs(s.t, s.db, org)
	for i := range 2 {
		var team struct{ ID string }
		s.must(i, "POST", "/api/v1/orgs/"+org+"/teams", owner.token,
			map[string]string{"name": fmt.Sprintf("Team %d", i)}, 201).decode(&team)
		s.record(change{"team.created", team.ID, owner.id})
		s.must(i, "POST", "/api/v1/orgs/"+org+"/licenses/change-team", owner.token,
			map[string]any{"license_ids": lics[i*10 : i*10+10], "team_id": team.ID}, 200)
		s.record(change{"licenses.team_changed", team.ID, owner.id})
	}
	for i, u := range s.users[:6] {
		lic := lics[5+i*5]
		s.must(i%3, "PUT", "/api/v1/orgs/"+org+"/licenses/"+lic+"/assignee", owner.token,
			map[string]string{"email": u.email}, 200)
		s.record(change{"license.assigned", lic, owner.id})
	}
}

func (s *soak) ownerOf(org string) string {
	s.t.Helper()
	var id string
	err := s.db.QueryRow(`SELECT user_id FROM role_grants WHERE org_id = $1
		AND role = 'owner' ORDER BY created_at LIMIT 1`, org).Scan(&id)
	if err != nil {
		s.t.Fatalf("reading the owner of %s: %v", org, err)
	}
	return id
}

// inviteAndAccept has by invite u to a role at a scope, and u accept with
// the link from the mail. It reports whether u holds the role now; every
// step that succeeds is recorded.
func (s *soak) inviteAndAccept(srv int, by, u *soakUser, org string, team *string,
	role string) bool {
	var inv struct{ ID string }
	r := s.call(srv, "invite-member", "POST", "/api/v1/orgs/"+org+"/invitations", by.token,
		map[string]any{"email": u.email, "role": role, "team_id": team}, nil)
	if r.status != 201 || r.decode(&inv) != nil {
		return false
	}
	s.record(change{"invitation.created", inv.ID, by.id})

	token := s.invitationToken(inv.ID, u.email)
	r = s.call((srv+1)%3, "accept", "POST", "/api/v1/invitations/accept", u.token,
		map[string]string{"token": token}, nil)
	if r.status != 200 {
		return false
	}
	s.record(change{"role.granted", u.id, u.id}, change{"invitation.accepted", inv.ID, u.id})
	return true
}

// invitationToken finds the link of an invitation in the mail queued to its
// address: the one whose token hashes to the invitation's.
func (s *soak) invitationToken(invID, email string) string {
	var hash string
	if err := s.db.QueryRow(`SELECT token_hash FROM invitations WHERE id = $1`,
		invID).Scan(&hash); err != nil {
		s.fault("reading invitation %s: %v", invID, err)
		return ""
	}
	rows, err := s.db.Query(`SELECT text_body FROM outbox WHERE recipient = $1`, email)
	if err != nil {
		s.fault("reading mail to %s: %v", email, err)
		return ""
	}
	defer rows.Close()
	for rows.Next() {
		var text string
		if rows.Scan(&text) != nil {
			continue
		}
		for _, m := range linkToken.FindAllStringSubmatch(text, -1) {
			if secret.Hash(m[1]) == hash {
				return m[1]
			}
		}
	}
	s.fault("no mail to %s carries the link of invitation %s", email, invID)
	return ""
}

// runRound runs the clients for a while and waits for all of them.
func (s *soak) runRound(round int, d time.Duration) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range soakClients {
		rng := rand.New(rand.NewPCG(s.seed, uint64(round*1000+w)))
		c := &worker{s: s, w: w, round: round, rng: rng}
		wg.Go(func() {
			for time.Now().Before(deadline) {
				c.step()
			}
		})
	}
	wg.Wait()
}

// advanceMonth moves every server's development clock by 31 days while no
// client runs, so that every subscription reaches the end of its period
// once, and records what that must do to each.
func (s *soak) advanceMonth() {
	s.t.Helper()
	for i := range s.servers {
		s.must(i, "POST", "/api/v1/dev/clock/advance", "",
			map[string]string{"duration": "744h"}, 200)
	}
	for _, sub := range s.world.subscriptions() {
		switch {
		case sub.status == "active" && sub.cancel:
			sub.status = "ended"
			s.record(change{"subscription.ended", sub.id, ""})
		case sub.status == "active":
			sub.invoices++
			s.record(change{"subscription.renewed", sub.id, ""},
				change{"invoice.paid", wildcard, ""})
		}
	}
}

// check compares the database with what the clients recorded.
func (s *soak) check() {
	t := s.t
	s.mu.Lock()
	t.Logf("%d changes recorded; answers by operation: %v", len(s.changes), s.ops)
	for _, f := range s.faults {
		t.Errorf("fault: %s", f)
	}
	s.mu.Unlock()

	checkStore(t, s.db)
	s.checkAudit()
	s.world.check(t, s.db)
}

// checkAudit matches the audit log with the recorded changes, one to one.
func (s *soak) checkAudit() {
	t := s.t
	want := map[change]int{}
	for _, c := range s.changes {
		want[c]++
	}
	got := map[change]int{}
	rows := query(t, s.db, `SELECT action, target_id, COALESCE(actor_id, '') FROM audit_events`)
	for rows.Next() {
		var c change
		scan(t, rows, &c.action, &c.target, &c.actor)
		if c.action == "payment_method.added" || c.action == "invoice.paid" {
			c.target = wildcard
		}
		got[c]++
	}
	for c, n := range want {
		if got[c] != n {
			t.Errorf("audit log holds %d of %+v; %d recorded", got[c], c, n)
		}
	}
	for c, n := range got {
		if _, ok := want[c]; !ok {
			t.Errorf("audit log holds %d of %+v; none recorded", n, c)
		}
	}
}

// signUpThrough signs a user up through the servers in turn (sign-up,
// the verification link from the queued mail, sign-in) and returns a
// lasting API token.
func signUpThrough(t *testing.T, servers []*server, db *sql.DB, email, name string) string {
	t.Helper()
	const password = "soak and crash passphrase"
	at := func(i int) *server { return servers[i%len(servers)] }
	call(t, at(0), "POST", "/api/v1/auth/signup", "", map[string]string{
		"email": email, "name": name, "password": password}, 202)

	var text string
	err := db.QueryRow(`SELECT text_body FROM outbox WHERE recipient = $1`, email).Scan(&text)
	m := linkToken.FindStringSubmatch(text)
	if err != nil || m == nil {
		t.Fatalf("no verification link mailed to %s: %v", email, err)
	}
	call(t, at(1), "POST", "/api/v1/auth/verify", "", map[string]string{"token": m[1]}, 200)

	var login, lasting struct{ Token string }
	decodeInto(t, call(t, at(2), "POST", "/api/v1/auth/login", "", map[string]string{
		"email": email, "password": password}, 200), &login)
	decodeInto(t, call(t, at(0), "POST", "/api/v1/me/tokens", login.Token,
		map[string]any{"name": "lasting"}, 201), &lasting)
	return lasting.Token
}

// checkoutBody is a checkout of the team plan, paid with the test card that
// always succeeds.
func checkoutBody(name string, seats int) map[string]any {
	return map[string]any{
		"plan": "team", "period": "month", "seats": seats, "organization_name": name,
		"card": map[string]any{"number": "4242424242424242", "exp_month": 12,
			"exp_year": 2040, "cvc": "123"},
	}
}

// checkoutThrough buys an organization and returns its ID, its
// subscription's and its invoice's.
func checkoutThrough(t *testing.T, s *server, token string, seats int) (org, sub, inv string) {
	t.Helper()
	var res checkoutResult
	decodeInto(t, call(t, s, "POST", "/api/v1/checkout", token, checkoutBody("Crash", seats),
		201), &res)
	return res.Organization.ID, res.Subscription.ID, res.Invoice.ID
}

// owner returns the client that handles a thing: the things of one client
// change only through that client, so it knows their state exactly and can
// tell a change from a request that changed nothing.
func owner(parts ...string) int {
	h := fnv.New32a()
	io.WriteString(h, strings.Join(parts, "/"))
	return int(h.Sum32() % soakClients)
}

// world is what the clients know of the store. Each license, user's roles
// in an organization, and subscription belongs to one client (owner), which
// alone changes it, so what the world says of it is exact; teams and the
// lists of things are shared and may be stale, which only costs refusals.
type world struct {
	mu       sync.Mutex
	orgs     []string
	teams    map[string][]string          // org → its teams
	licenses map[string]*licenseState     // license → where and whether held
	grants   map[string]map[string]string // org/user → scope ("" or team) → role
	subs     map[string]*subState
	invites  map[int][]*invite // client → the invitations of strangers it sent
}

type licenseState struct {
	org  string
	held bool
}

type subState struct {
	subFacts

	// seatsTurn makes the subscription's seat changes take turns.
	seatsTurn sync.Mutex
}

// subFacts is what the clients record of a subscription, and the store
// must hold.
type subFacts struct {
	id, org, status string
	cancel          bool
	seats, invoices int
}

type invite struct {
	org, id string
	revoked bool
}

func newWorld() *world {
	return &world{teams: map[string][]string{}, licenses: map[string]*licenseState{},
		grants: map[string]map[string]string{}, subs: map[string]*subState{},
		invites: map[int][]*invite{}}
}

// addSubscription starts to follow a subscription just bought.
func (w *world) addSubscription(id, org string, seats int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.subs[id] = &subState{subFacts: subFacts{id: id, org: org, status: "active", seats: seats,
		invoices: 1}}
}

// load reads the world from the database while no client runs.
func (w *world) load(t *testing.T, db *sql.DB, users []*soakUser) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	rows := query(t, db, `SELECT id FROM organizations ORDER BY id`)
	for rows.Next() {
		var id string
		scan(t, rows, &id)
		w.orgs = append(w.orgs, id)
	}
	rows = query(t, db, `SELECT org_id, id FROM teams ORDER BY id`)
	for rows.Next() {
		var org, id string
		scan(t, rows, &org, &id)
		w.teams[org] = append(w.teams[org], id)
	}
	rows = query(t, db, `SELECT org_id, COALESCE(team_id, ''), user_id, role FROM role_grants`)
	for rows.Next() {
		var org, scope, user, role string
		scan(t, rows, &org, &scope, &user, &role)
		w.setGrantLocked(org, user, scope, role)
	}
	rows = query(t, db, `SELECT id, seats, status, cancel_at_period_end FROM subscriptions`)
	for rows.Next() {
		var id, status string
		var seats int
		var cancel bool
		scan(t, rows, &id, &seats, &status, &cancel)
		sub := w.subs[id]
		sub.seats, sub.status, sub.cancel = seats, status, cancel
	}
	w.addLicensesLocked(t, db, "")
}

// addLicenses learns the licenses of an organization it does not know yet
// ("" for every organization). Licenses it knows keep what their owner
// says of them.
func (w *world) addLicenses(t *testing.T, db *sql.DB, org string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.addLicensesLocked(t, db, org)
}

func (w *world) addLicensesLocked(t *testing.T, db *sql.DB, org string) {
	rows, err := db.Query(`SELECT id, org_id, assignee_user_id IS NOT NULL
		OR assignee_email IS NOT NULL FROM licenses WHERE $1 = '' OR org_id = $1`, org)
	if err != nil {
		t.Errorf("reading licenses: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id, o string
		var held bool
		if rows.Scan(&id, &o, &held) == nil && w.licenses[id] == nil {
			w.licenses[id] = &licenseState{org: o, held: held}
		}
	}
}

// dropRemoved forgets the organization's licenses that are gone: a seat
// decrease removed them, and no license comes back.
func (w *world) dropRemoved(t *testing.T, db *sql.DB, org string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rows, err := db.Query(`SELECT id FROM licenses WHERE org_id = $1`, org)
	if err != nil {
		t.Errorf("reading licenses: %v", err)
		return
	}
	defer rows.Close()
	there := map[string]bool{}
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			there[id] = true
		}
	}
	for id, l := range w.licenses {
		if l.org == org && !there[id] {
			delete(w.licenses, id)
		}
	}
}

func (w *world) setGrantLocked(org, user, scope, role string) {
	k := org + "/" + user
	if w.grants[k] == nil {
		w.grants[k] = map[string]string{}
	}
	if role == "" {
		delete(w.grants[k], scope)
	} else {
		w.grants[k][scope] = role
	}
}

func (w *world) setGrant(org, user, scope, role string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.setGrantLocked(org, user, scope, role)
}

func (w *world) member(org, user string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.grants[org+"/"+user]) > 0
}

func (w *world) grant(org, user, scope string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.grants[org+"/"+user][scope]
}

// subscriptions lists the subscriptions followed, for the quiet moments
// between rounds.
func (w *world) subscriptions() []*subState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Collect(maps.Values(w.subs))
}

// check compares what the clients know with the database: each license's
// holder, each role, each subscription's state and invoices.
func (w *world) check(t *testing.T, db *sql.DB) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	rows := query(t, db, `SELECT id, assignee_user_id IS NOT NULL
		OR assignee_email IS NOT NULL FROM licenses`)
	for rows.Next() {
		var id string
		var held bool
		scan(t, rows, &id, &held)
		if l := w.licenses[id]; l != nil && l.held != held {
			t.Errorf("license %s: held %v, its client recorded %v", id, held, l.held)
		}
	}
	w.checkGrants(t, db)
	w.checkSubscriptions(t, db)
}

// checkGrants compares roles in live scopes, both ways.
func (w *world) checkGrants(t *testing.T, db *sql.DB) {
	t.Helper()
	live := map[string]bool{"": true}
	rows := query(t, db, `SELECT id FROM teams`)
	for rows.Next() {
		var id string
		scan(t, rows, &id)
		live[id] = true
	}
	inDB := map[string]string{}
	rows = query(t, db, `SELECT org_id, COALESCE(team_id, ''), user_id, role FROM role_grants`)
	for rows.Next() {
		var org, scope, user, role string
		scan(t, rows, &org, &scope, &user, &role)
		inDB[org+"/"+user+"@"+scope] = role
	}
	recorded := map[string]string{}
	for k, scopes := range w.grants {
		for scope, role := range scopes {
			if live[scope] {
				recorded[k+"@"+scope] = role
			}
		}
	}
	for k, role := range inDB {
		if recorded[k] != role {
			t.Errorf("role %s is %q, its client recorded %q", k, role, recorded[k])
		}
	}
	for k, role := range recorded {
		if _, ok := inDB[k]; !ok {
			t.Errorf("role %s is gone, its client recorded %q", k, role)
		}
	}
}

func (w *world) checkSubscriptions(t *testing.T, db *sql.DB) {
	t.Helper()
	rows := query(t, db, `SELECT s.id, s.seats, s.status, s.cancel_at_period_end,
		(SELECT count(*) FROM invoices i WHERE i.subscription_id = s.id)
		FROM subscriptions s`)
	for rows.Next() {
		var got subFacts
		scan(t, rows, &got.id, &got.seats, &got.status, &got.cancel, &got.invoices)
		want := w.subs[got.id]
		if want == nil {
			t.Errorf("subscription %s was never recorded", got.id)
			continue
		}
		got.org = want.org
		if got != want.subFacts {
			t.Errorf("subscription %s is %+v; its client recorded %+v", got.id, got,
				want.subFacts)
		}
	}
}

// worker is one of the soak's concurrent clients: it makes random
// requests, as random users, to random servers, and records the changes
// that succeed.
type worker struct {
	s     *soak
	w     int // which client
	round int
	rng   *rand.Rand
	n     int // requests made, for unique names
}

// operation is a kind of request and how often clients make it.
type operation struct {
	name   string
	weight int
	run    func(c *worker, org string)
}

var operations = []operation{
	{"assign", 24, (*worker).assign},
	{"unassign", 12, (*worker).unassign},
	{"change-team", 12, (*worker).changeTeam},
	{"create-team", 4, (*worker).createTeam},
	{"rename-team", 4, (*worker).renameTeam},
	{"remove-team", 2, (*worker).removeTeam},
	{"set-role", 12, (*worker).setRole},
	{"remove-role", 4, (*worker).removeRole},
	{"abandon-role", 2, (*worker).abandonRole},
	{"invite-member", 4, (*worker).inviteMember},
	{"invite", 3, (*worker).invite},
	{"revoke", 2, (*worker).revoke},
	{"resend", 2, (*worker).resend},
	{"seats", 5, (*worker).seats},
	{"cancel", 2, (*worker).cancel},
	{"renew", 2, (*worker).renew},
	{"checkout", 1, (*worker).checkout},
	{"read", 8, (*worker).read},
}

// step makes one random request.
func (c *worker) step() {
	total := 0
	for _, op := range operations {
		total += op.weight
	}
	n := c.rng.IntN(total)
	for _, op := range operations {
		if n -= op.weight; n < 0 {
			c.n++
			op.run(c, c.org())
			return
		}
	}
}

func (c *worker) srv() int { return c.rng.IntN(3) }

func (c *worker) name(prefix string) string {
	return fmt.Sprintf("%s r%d c%d n%d", prefix, c.round, c.w, c.n)
}

func (c *worker) org() string {
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.orgs[c.rng.IntN(len(w.orgs))]
}

// team returns one of the organization's teams, or "" if it has none.
func (c *worker) team(org string) string {
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	if teams := w.teams[org]; len(teams) > 0 {
		return teams[c.rng.IntN(len(teams))]
	}
	return ""
}

// actor picks who makes a request in an organization: mostly someone the
// world believes holds one of the roles, else anyone.
func (c *worker) actor(org string, roles ...string) *soakUser {
	w := c.s.world
	if c.rng.IntN(10) < 8 {
		w.mu.Lock()
		var fit []*soakUser
		for _, u := range c.s.users {
			if slices.Contains(roles, w.grants[org+"/"+u.id][""]) {
				fit = append(fit, u)
			}
		}
		w.mu.Unlock()
		if len(fit) > 0 {
			return fit[c.rng.IntN(len(fit))]
		}
	}
	return c.s.users[c.rng.IntN(len(c.s.users))]
}

func (c *worker) admin(org string) *soakUser {
	return c.actor(org, "owner", "manager")
}

// myLicense returns one of this client's licenses of the organization.
func (c *worker) myLicense(org string) (string, *licenseState) {
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	var mine []string
	for id, l := range w.licenses {
		if l.org == org && owner(id) == c.w {
			mine = append(mine, id)
		}
	}
	if len(mine) == 0 {
		return "", nil
	}
	slices.Sort(mine)
	id := mine[c.rng.IntN(len(mine))]
	return id, w.licenses[id]
}

func (w *world) setHeld(l *licenseState, held bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l.held = held
}

func (w *world) isHeld(l *licenseState) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return l.held
}

// assign gives one of the client's licenses to an address never used
// before, replacing its holder if it has one.
func (c *worker) assign(org string) {
	id, l := c.myLicense(org)
	if l == nil {
		return
	}
	a := c.actor(org, "owner", "manager", "assigner")
	email := fmt.Sprintf("r%dc%dn%d@soak.example.com", c.round, c.w, c.n)
	r := c.s.call(c.srv(), "assign", "PUT", "/api/v1/orgs/"+org+"/licenses/"+id+"/assignee",
		a.token, map[string]any{"email": email, "replace": c.s.world.isHeld(l)}, nil)
	if r.status == 200 {
		c.s.record(change{"license.assigned", id, a.id})
		c.s.world.setHeld(l, true)
	}
}

// unassign frees one of the client's licenses; freeing a free license
// succeeds and changes nothing.
func (c *worker) unassign(org string) {
	id, l := c.myLicense(org)
	if l == nil {
		return
	}
	a := c.actor(org, "owner", "manager", "assigner")
	r := c.s.call(c.srv(), "unassign", "DELETE",
		"/api/v1/orgs/"+org+"/licenses/"+id+"/assignee", a.token, nil, nil)
	if r.status == 204 && c.s.world.isHeld(l) {
		c.s.record(change{"license.unassigned", id, a.id})
		c.s.world.setHeld(l, false)
	}
}

// changeTeam moves a few of any client's licenses to a team or back to the
// organization; only the licenses that moved make a change.
func (c *worker) changeTeam(org string) {
	w := c.s.world
	w.mu.Lock()
	var ids []string
	for id, l := range w.licenses {
		if l.org == org {
			ids = append(ids, id)
		}
	}
	w.mu.Unlock()
	slices.Sort(ids)
	c.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	ids = ids[:min(len(ids), 1+c.rng.IntN(30))]

	var dest any
	target := "organization"
	if team := c.team(org); team != "" && c.rng.IntN(3) > 0 {
		dest, target = team, team
	}
	a := c.admin(org)
	r := c.s.call(c.srv(), "change-team", "POST", "/api/v1/orgs/"+org+"/licenses/change-team",
		a.token, map[string]any{"license_ids": ids, "team_id": dest}, nil)
	var moved struct{ Moved int }
	if r.status == 200 && r.decode(&moved) == nil && moved.Moved > 0 {
		c.s.record(change{"licenses.team_changed", target, a.id})
	}
}

func (c *worker) createTeam(org string) {
	a := c.admin(org)
	var team struct{ ID string }
	r := c.s.call(c.srv(), "create-team", "POST", "/api/v1/orgs/"+org+"/teams", a.token,
		map[string]string{"name": c.name("Team")}, nil)
	if r.status == 201 && r.decode(&team) == nil {
		c.s.record(change{"team.created", team.ID, a.id})
		w := c.s.world
		w.mu.Lock()
		w.teams[org] = append(w.teams[org], team.ID)
		w.mu.Unlock()
	}
}

func (c *worker) renameTeam(org string) {
	team := c.team(org)
	if team == "" {
		return
	}
	a := c.admin(org)
	r := c.s.call(c.srv(), "rename-team", "PATCH", "/api/v1/orgs/"+org+"/teams/"+team,
		a.token, map[string]string{"name": c.name("Renamed")}, nil)
	if r.status == 200 {
		c.s.record(change{"team.renamed", team, a.id})
	}
}

// removeTeam removes a team, whose roles go with it.
func (c *worker) removeTeam(org string) {
	team := c.team(org)
	if team == "" {
		return
	}
	a := c.admin(org)
	r := c.s.call(c.srv(), "remove-team", "DELETE", "/api/v1/orgs/"+org+"/teams/"+team,
		a.token, nil, nil)
	if r.status != 204 {
		return
	}
	c.s.record(change{"team.removed", team, a.id})
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	w.teams[org] = slices.DeleteFunc(w.teams[org], func(t string) bool { return t == team })
	for _, scopes := range w.grants {
		delete(scopes, team)
	}
}

// member returns a user whose roles in the organization this client owns,
// and a scope: the organization or one of its teams.
func (c *worker) member(org string) (*soakUser, string) {
	var mine []*soakUser
	for _, u := range c.s.users {
		if owner(org, u.id) == c.w {
			mine = append(mine, u)
		}
	}
	if len(mine) == 0 {
		return nil, ""
	}
	scope := ""
	if c.rng.IntN(2) == 0 {
		scope = c.team(org)
	}
	return mine[c.rng.IntN(len(mine))], scope
}

func rolesPath(org, scope string) string {
	if scope == "" {
		return "/api/v1/orgs/" + org + "/roles/"
	}
	return "/api/v1/orgs/" + org + "/teams/" + scope + "/roles/"
}

// role picks a role for a scope; Owner only at the organization, and
// often there, so that Owners come and go.
func (c *worker) role(scope string) string {
	roles := []string{"viewer", "assigner", "manager", "owner", "owner"}
	if scope != "" {
		roles = roles[:3]
	}
	return roles[c.rng.IntN(len(roles))]
}

// setRole grants, changes or re-grants a role: Owner promotions and
// demotions included.
func (c *worker) setRole(org string) {
	u, scope := c.member(org)
	if u == nil {
		return
	}
	// Read before the request: a team removed meanwhile clears its roles
	// from the world, but what the request changed is what it found. Only
	// members get roles; others are invited.
	before := c.s.world.grant(org, u.id, scope)
	if !c.s.world.member(org, u.id) {
		return
	}
	a := c.admin(org)
	role := c.role(scope)
	r := c.s.call(c.srv(), "set-role", "PUT", rolesPath(org, scope)+u.id, a.token,
		map[string]string{"role": role}, nil)
	if r.status != 200 {
		return
	}
	switch before {
	case "":
		c.s.record(change{"role.granted", u.id, a.id})
	case role:
	default:
		c.s.record(change{"role.changed", u.id, a.id})
	}
	c.s.world.setGrant(org, u.id, scope, role)
}

func (c *worker) removeRole(org string) {
	u, scope := c.member(org)
	if u == nil || c.s.world.grant(org, u.id, scope) == "" {
		return
	}
	a := c.admin(org)
	r := c.s.call(c.srv(), "remove-role", "DELETE", rolesPath(org, scope)+u.id, a.token,
		nil, nil)
	if r.status == 204 {
		c.s.record(change{"role.removed", u.id, a.id})
		c.s.world.setGrant(org, u.id, scope, "")
	}
}

func (c *worker) abandonRole(org string) {
	u, scope := c.member(org)
	if u == nil || c.s.world.grant(org, u.id, scope) == "" {
		return
	}
	r := c.s.call(c.srv(), "abandon-role", "DELETE", rolesPath(org, scope)+"me", u.token,
		nil, nil)
	if r.status == 204 {
		c.s.record(change{"role.abandoned", u.id, u.id})
		c.s.world.setGrant(org, u.id, scope, "")
	}
}

// inviteMember invites a user to a scope where they hold no role, and has
// them accept.
func (c *worker) inviteMember(org string) {
	u, scope := c.member(org)
	if u == nil || c.s.world.grant(org, u.id, scope) != "" {
		return
	}
	var team *string
	if scope != "" {
		team = &scope
	}
	role := c.role(scope)
	if c.s.inviteAndAccept(c.srv(), c.admin(org), u, org, team, role) {
		c.s.world.setGrant(org, u.id, scope, role)
	}
}

// invite invites an address that no account has, which stays pending.
func (c *worker) invite(org string) {
	a := c.admin(org)
	var team *string
	if t := c.team(org); t != "" && c.rng.IntN(2) == 0 {
		team = &t
	}
	email := fmt.Sprintf("guest-r%dc%dn%d@soak.example.com", c.round, c.w, c.n)
	var inv struct{ ID string }
	r := c.s.call(c.srv(), "invite", "POST", "/api/v1/orgs/"+org+"/invitations", a.token,
		map[string]any{"email": email, "role": "viewer", "team_id": team}, nil)
	if r.status == 201 && r.decode(&inv) == nil {
		c.s.record(change{"invitation.created", inv.ID, a.id})
		w := c.s.world
		w.mu.Lock()
		w.invites[c.w] = append(w.invites[c.w], &invite{org: org, id: inv.ID})
		w.mu.Unlock()
	}
}

// myInvite returns one of this client's invitations that is not revoked.
func (c *worker) myInvite() *invite {
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	var open []*invite
	for _, inv := range w.invites[c.w] {
		if !inv.revoked {
			open = append(open, inv)
		}
	}
	if len(open) == 0 {
		return nil
	}
	return open[c.rng.IntN(len(open))]
}

func (c *worker) revoke(string) {
	inv := c.myInvite()
	if inv == nil {
		return
	}
	a := c.admin(inv.org)
	r := c.s.call(c.srv(), "revoke", "DELETE",
		"/api/v1/orgs/"+inv.org+"/invitations/"+inv.id, a.token, nil, nil)
	if r.status == 204 {
		c.s.record(change{"invitation.revoked", inv.id, a.id})
		inv.revoked = true
	}
}

func (c *worker) resend(string) {
	inv := c.myInvite()
	if inv == nil {
		return
	}
	a := c.admin(inv.org)
	r := c.s.call(c.srv(), "resend", "POST",
		"/api/v1/orgs/"+inv.org+"/invitations/"+inv.id+"/resend", a.token, nil, nil)
	if r.status == 200 {
		c.s.record(change{"invitation.resent", inv.id, a.id})
	}
}

// mySub returns one of this client's subscriptions.
func (c *worker) mySub() *subState {
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	var mine []*subState
	for id, sub := range w.subs {
		if owner(id) == c.w {
			mine = append(mine, sub)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	slices.SortFunc(mine, func(a, b *subState) int { return strings.Compare(a.id, b.id) })
	return mine[c.rng.IntN(len(mine))]
}

// seats changes a subscription's seats by a few either way, sometimes with
// an Idempotency-Key and a retry that must be answered from the first. The
// subscription's seat changes take turns, so that each asks for another
// count than the one it has: asking for the same changes nothing and
// records nothing.
func (c *worker) seats(string) {
	sub := c.mySub()
	if sub == nil {
		return
	}
	a := c.actor(sub.org, "owner")
	sub.seatsTurn.Lock()
	defer sub.seatsTurn.Unlock()
	c.s.world.mu.Lock()
	step := 1 + c.rng.IntN(4)
	seats := sub.seats + step
	if c.rng.IntN(2) == 0 && sub.seats > step {
		seats = sub.seats - step
	}
	c.s.world.mu.Unlock()
	path := "/api/v1/billing/subscriptions/" + sub.id + "/seats"
	body := map[string]int{"seats": seats}
	header := http.Header{}
	if c.rng.IntN(2) == 0 {
		header.Set("Idempotency-Key", c.name("seats"))
	}
	r := c.s.call(c.srv(), "seats", "POST", path, a.token, body, header)
	if r.status != 200 {
		return
	}

	var answer struct{ Invoice *struct{ ID string } }
	if err := r.decode(&answer); err != nil {
		c.s.fault("seat change answered %s: %v", r.body, err)
	}
	c.s.record(change{"subscription.seats_changed", sub.id, a.id})
	if answer.Invoice != nil {
		c.s.record(change{"invoice.paid", wildcard, a.id})
	}
	c.s.world.mu.Lock()
	grew := seats > sub.seats
	sub.seats = seats
	if answer.Invoice != nil {
		sub.invoices++
	}
	c.s.world.mu.Unlock()
	if grew {
		c.s.world.addLicenses(c.s.t, c.s.db, sub.org)
	} else {
		c.s.world.dropRemoved(c.s.t, c.s.db, sub.org)
	}
	if header.Get("Idempotency-Key") != "" && c.rng.IntN(3) == 0 {
		c.replay(path, a, body, header, r)
	}
}

// replay retries a request with its Idempotency-Key: the answer must be the
// first one again, and change nothing.
func (c *worker) replay(path string, a *soakUser, body any, header http.Header, first reply) {
	r := c.s.call(c.srv(), "replay", "POST", path, a.token, body, header)
	if r.status != first.status || !bytes.Equal(r.body, first.body) ||
		r.header.Get("Idempotent-Replayed") != "true" {
		c.s.fault("retry of %s with key %s: %d %s (replayed %q); first %d %s", path,
			header.Get("Idempotency-Key"), r.status, r.body,
			r.header.Get("Idempotent-Replayed"), first.status, first.body)
	}
}

func (c *worker) cancel(string) {
	sub := c.mySub()
	if sub == nil {
		return
	}
	a := c.actor(sub.org, "owner")
	r := c.s.call(c.srv(), "cancel", "POST", "/api/v1/billing/subscriptions/"+sub.id+"/cancel",
		a.token, nil, nil)
	if r.status == 200 {
		c.s.record(change{"subscription.cancelled", sub.id, a.id})
		c.s.world.mu.Lock()
		sub.cancel = true
		c.s.world.mu.Unlock()
	}
}

// renew undoes a cancellation, or restarts an ended subscription with a new
// invoice.
func (c *worker) renew(string) {
	sub := c.mySub()
	if sub == nil {
		return
	}
	a := c.actor(sub.org, "owner")
	r := c.s.call(c.srv(), "renew", "POST", "/api/v1/billing/subscriptions/"+sub.id+"/renew",
		a.token, nil, nil)
	if r.status != 200 {
		return
	}
	c.s.record(change{"subscription.renewed", sub.id, a.id})
	w := c.s.world
	w.mu.Lock()
	defer w.mu.Unlock()
	if sub.status == "ended" {
		sub.invoices++
		c.s.record(change{"invoice.paid", wildcard, a.id})
	}
	sub.status, sub.cancel = "active", false
}

// checkout has anyone buy a small organization, which joins the world.
func (c *worker) checkout(string) {
	w := c.s.world
	w.mu.Lock()
	full := len(w.orgs) >= 8
	w.mu.Unlock()
	if full {
		return
	}
	buyer := c.s.users[c.rng.IntN(len(c.s.users))]
	seats := 5 + c.rng.IntN(10)
	var res checkoutResult
	r := c.s.call(c.srv(), "checkout", "POST", "/api/v1/checkout", buyer.token,
		checkoutBody(c.name("Bought"), seats), nil)
	if r.status != 201 || r.decode(&res) != nil {
		return
	}
	c.s.recordCheckout(buyer, res, seats)
	org := res.Organization.ID
	w.addLicenses(c.s.t, c.s.db, org)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.setGrantLocked(org, buyer.id, "", "owner")
	w.orgs = append(w.orgs, org)
}

// read lists something, with filters and a second page.
func (c *worker) read(org string) {
	a := c.actor(org, "owner", "manager", "assigner", "viewer")
	paths := []string{
		"/api/v1/orgs/" + org + "/licenses?limit=7&status=" +
			[]string{"", "assigned", "pending", "unassigned", "expired"}[c.rng.IntN(5)],
		"/api/v1/orgs/" + org + "/licenses?team=organization&limit=5&q=soak",
		"/api/v1/orgs/" + org + "/audit-log?limit=20",
		"/api/v1/orgs/" + org + "/roles",
		"/api/v1/orgs/" + org + "/teams?limit=2",
		"/api/v1/orgs/" + org + "/invitations",
		"/api/v1/orgs/" + org + "/subscriptions",
		"/api/v1/me", "/api/v1/me/licenses", "/api/v1/me/subscriptions",
	}
	path := paths[c.rng.IntN(len(paths))]
	r := c.s.call(c.srv(), "read", "GET", path, a.token, nil, nil)
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	if r.status == 200 && r.decode(&page) == nil && page.NextCursor != "" {
		sep := map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")]
		c.s.call(c.srv(), "read", "GET", path+sep+"cursor="+page.NextCursor, a.token, nil, nil)
	}
}
