package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestCrashLeavesNoPartialState kills a serve process with SIGKILL while it
// is in the middle of bulk changes (change-team batches of thousands of
// licenses, seat changes, checkouts), restarts it on the same database, and
// checks that every batch was applied whole or not at all and that what the
// database keeps in step (license counts, seats, invoices and charges) is in
// step. It runs on SQLite, and on PostgreSQL when that is configured.
func TestCrashLeavesNoPartialState(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			runCrash(t, storetest.URL(t, d))
		})
	}
}

// crashRounds is how often the test kills the server mid-work.
const crashRounds = 2

func runCrash(t *testing.T, databaseURL string) {
	mailDir := t.TempDir()
	flags := serveFlags(databaseURL, "--mail", "dir:"+mailDir)
	s := startServer(t, flags...)
	db := storetest.OpenSQL(t, databaseURL)
	c := newCrashFixture(t, s, db)

	for round := range crashRounds {
		inFlight := c.killDuringWork(t, s, round)
		t.Logf("round %d: killed with %d requests in flight", round, inFlight)
		s = startServer(t, flags...)
		waitStatus(t, s.url("/readyz"), http.StatusOK)
		c.checkBatches(t, db)
		c.checkSeatHistory(t, db)
		checkStore(t, db)
	}
}

// crashFixture is an organization with thousands of licenses, split into
// batches that clients move between its teams.
type crashFixture struct {
	token   string
	org     string
	sub     string
	teams   []string   // two teams; a batch moves between them and the organization
	batches [][]string // disjoint sets of license IDs, each always moved whole
}

// crashSeats is the organization's size: large enough that moving a batch
// takes a while, small enough for a quick test.
const crashSeats = 6000

func newCrashFixture(t *testing.T, s *server, db *sql.DB) *crashFixture {
	t.Helper()
	token := signUpThrough(t, []*server{s}, db, "crash@example.com", "Crash Owner")
	org, sub, _ := checkoutThrough(t, s, token, crashSeats)
	c := &crashFixture{token: token, org: org, sub: sub}
	for _, name := range []string{"Red", "Blue"} {
		var team struct{ ID string }
		decodeInto(t, call(t, s, "POST", "/api/v1/orgs/"+org+"/teams", token,
			map[string]string{"name": name}, 201), &team)
		c.teams = append(c.teams, team.ID)
	}

	ids := licenseIDs(t, db, org)
	for len(ids) >= 1500 {
		c.batches = append(c.batches, ids[:1500])
		ids = ids[1500:]
	}
	return c
}

// killDuringWork starts clients that change the store in bulk, kills the
// server with SIGKILL once the work is well under way, and returns how many
// requests were in flight at that moment.
func (c *crashFixture) killDuringWork(t *testing.T, s *server, round int) int {
	t.Helper()
	var done, inFlight atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	work := []func(i int) (string, string, any){
		c.moveBatch(0), c.moveBatch(1), c.moveBatch(2), c.changeSeats, c.checkout,
	}
	for w, next := range work {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				method, path, body := next(round*1000 + i)
				inFlight.Add(1)
				crashCall(s, method, path, c.token, body, w, i)
				inFlight.Add(-1)
				done.Add(1)
			}
		})
	}

	// Kill once a few requests have finished, at a moment that varies, so
	// that some of the work in flight is cut off half done.
	deadline := time.Now().Add(20 * time.Second)
	for done.Load() < 6 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
	n := int(inFlight.Load())
	s.cmd.Process.Kill()
	s.wait(t, 10*time.Second)
	close(stop)
	wg.Wait()
	return n
}

// crashCall sends a request and ignores the answer: the server may die
// while it works on it, which is the point.
func crashCall(s *server, method, path, token string, body any, w, i int) {
	b, _ := json.Marshal(body)
	r, err := http.NewRequest(method, s.url(path), strings.NewReader(string(b)))
	if err != nil {
		return
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	if strings.HasSuffix(path, "/seats") || path == "/api/v1/checkout" {
		r.Header.Set("Idempotency-Key", fmt.Sprintf("crash-%d-%d-%d", w, i, time.Now().UnixNano()))
	}
	resp, err := crashClient.Do(r)
	if err == nil {
		resp.Body.Close()
	}
}

var crashClient = &http.Client{Timeout: 30 * time.Second}

// moveBatch moves batch b, whole, to the next of the two teams and the
// organization in turn.
func (c *crashFixture) moveBatch(b int) func(i int) (string, string, any) {
	return func(i int) (string, string, any) {
		dest := []*string{&c.teams[0], &c.teams[1], nil}[(i+b)%3]
		return "POST", "/api/v1/orgs/" + c.org + "/licenses/change-team",
			map[string]any{"license_ids": c.batches[b], "team_id": dest}
	}
}

// changeSeats grows the subscription by 500 seats or shrinks it by 400.
func (c *crashFixture) changeSeats(i int) (string, string, any) {
	seats := crashSeats + 500*(i%4)
	return "POST", "/api/v1/billing/subscriptions/" + c.sub + "/seats",
		map[string]int{"seats": seats}
}

// checkout buys another organization of a thousand seats.
func (c *crashFixture) checkout(i int) (string, string, any) {
	return "POST", "/api/v1/checkout", checkoutBody(fmt.Sprintf("Crash %d", i), 1000)
}

// checkBatches checks that each batch sits whole in one scope.
func (c *crashFixture) checkBatches(t *testing.T, db *sql.DB) {
	t.Helper()
	teams := map[string]string{}
	rows := query(t, db, `SELECT id, COALESCE(team_id, '') FROM licenses WHERE org_id = $1`,
		c.org)
	for rows.Next() {
		var id, team string
		scan(t, rows, &id, &team)
		teams[id] = team
	}
	for b, batch := range c.batches {
		where := map[string]int{}
		for _, id := range batch {
			if team, ok := teams[id]; ok {
				where[team]++
			}
		}
		if len(where) != 1 {
			t.Errorf("batch %d of %d licenses is split across scopes: %v", b, len(batch), where)
		}
	}
}

// checkSeatHistory follows the subscription's seat changes through the
// audit log: each starts where the one before ended, the last ends at the
// seats the subscription has, and each increase has its invoice.
func (c *crashFixture) checkSeatHistory(t *testing.T, db *sql.DB) {
	t.Helper()
	rows := query(t, db, `SELECT before, after FROM audit_events
		WHERE action = 'subscription.seats_changed' AND target_id = $1 ORDER BY id`, c.sub)
	seats, increases := crashSeats, 0
	for rows.Next() {
		var before, after struct{ Seats int }
		var b, a string
		scan(t, rows, &b, &a)
		if json.Unmarshal([]byte(b), &before) != nil || json.Unmarshal([]byte(a), &after) != nil {
			t.Fatalf("seat change recorded as %s → %s", b, a)
		}
		if before.Seats != seats {
			t.Errorf("a seat change starts from %d seats, the one before ended at %d",
				before.Seats, seats)
		}
		if after.Seats > before.Seats {
			increases++
		}
		seats = after.Seats
	}

	var now, invoices int
	row := db.QueryRow(`SELECT seats, (SELECT count(*) FROM invoices
		WHERE subscription_id = $1) FROM subscriptions WHERE id = $1`, c.sub)
	if err := row.Scan(&now, &invoices); err != nil {
		t.Fatal(err)
	}
	if now != seats || invoices != 1+increases {
		t.Errorf("subscription has %d seats and %d invoices; its audit log says %d seats "+
			"after %d increases", now, invoices, seats, increases)
	}
}

func query(t *testing.T, db *sql.DB, q string, args ...any) *sql.Rows {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	t.Cleanup(func() { rows.Close() })
	return rows
}

func scan(t *testing.T, rows *sql.Rows, dest ...any) {
	t.Helper()
	if err := rows.Scan(dest...); err != nil {
		t.Fatalf("scanning: %v", err)
	}
}

// licenseIDs lists an organization's licenses in ID order.
func licenseIDs(t *testing.T, db *sql.DB, org string) []string {
	t.Helper()
	var ids []string
	rows := query(t, db, `SELECT id FROM licenses WHERE org_id = $1 ORDER BY id`, org)
	for rows.Next() {
		var id string
		scan(t, rows, &id)
		ids = append(ids, id)
	}
	return ids
}

// checkStore checks what the database must keep in step whatever happened
// to the servers: license counts, seats and licenses, holders, Owners,
// invoices and charges.
func checkStore(t *testing.T, db *sql.DB) {
	t.Helper()
	checkLicenseCounts(t, db)
	checkSeats(t, db)
	checkHolders(t, db)
	checkOwners(t, db)
	checkCharges(t, db)
	checkCreations(t, db)
}

// checkCreations checks that every organization and subscription was
// recorded once as created, and every invoice recorded as paid exists.
func checkCreations(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{
		`SELECT o.id, count(e.id) FROM organizations o LEFT JOIN audit_events e
		ON e.target_id = o.id AND e.action = 'organization.created' GROUP BY o.id`,
		`SELECT s.id, count(e.id) FROM subscriptions s LEFT JOIN audit_events e
		ON e.target_id = s.id AND e.action = 'subscription.created' GROUP BY s.id`,
		`SELECT e.target_id, count(i.id) FROM audit_events e LEFT JOIN invoices i
		ON i.id = e.target_id WHERE e.action = 'invoice.paid' GROUP BY e.id, e.target_id`,
	} {
		rows := query(t, db, q)
		for rows.Next() {
			var id string
			var n int
			scan(t, rows, &id, &n)
			if n != 1 {
				t.Errorf("%s: recorded %d times", id, n)
			}
		}
	}
}

// checkLicenseCounts compares the counts that triggers keep with a recount,
// per scope and per subscription.
func checkLicenseCounts(t *testing.T, db *sql.DB) {
	t.Helper()
	type count struct{ total, held int }
	kept, recount := map[string]count{}, map[string]count{}
	checkSubscriptionCounts(t, db)
	rows := query(t, db, `SELECT org_id, scope, total, held FROM license_counts`)
	for rows.Next() {
		var org, scope string
		var c count
		scan(t, rows, &org, &scope, &c.total, &c.held)
		if c != (count{}) {
			kept[org+"/"+scope] = c
		}
	}
	rows = query(t, db, `
		SELECT org_id, COALESCE(team_id, ''), count(*),
			count(assignee_user_id) + count(assignee_email)
		FROM licenses WHERE org_id IS NOT NULL GROUP BY org_id, COALESCE(team_id, '')`)
	for rows.Next() {
		var org, scope string
		var c count
		scan(t, rows, &org, &scope, &c.total, &c.held)
		recount[org+"/"+scope] = c
	}
	for k, c := range recount {
		if kept[k] != c {
			t.Errorf("license_counts %s = %+v, a recount finds %+v", k, kept[k], c)
		}
	}
	for k, c := range kept {
		if _, ok := recount[k]; !ok {
			t.Errorf("license_counts %s = %+v for a scope without licenses", k, c)
		}
	}
}

// checkSubscriptionCounts compares the held licenses that triggers count
// per subscription with a recount.
func checkSubscriptionCounts(t *testing.T, db *sql.DB) {
	t.Helper()
	rows := query(t, db, `
		SELECT s.id, COALESCE(c.held, 0), (SELECT count(*) FROM licenses l
			WHERE l.subscription_id = s.id
				AND (l.assignee_user_id IS NOT NULL OR l.assignee_email IS NOT NULL))
		FROM subscriptions s LEFT JOIN subscription_counts c ON c.subscription_id = s.id`)
	for rows.Next() {
		var id string
		var kept, recount int
		scan(t, rows, &id, &kept, &recount)
		if kept != recount {
			t.Errorf("subscription_counts %s = %d, a recount finds %d", id, kept, recount)
		}
	}
}

// checkSeats checks that every subscription has one license per seat and
// no more held licenses than seats.
func checkSeats(t *testing.T, db *sql.DB) {
	t.Helper()
	rows := query(t, db, `
		SELECT s.id, s.seats, count(l.id), count(l.assignee_user_id) + count(l.assignee_email)
		FROM subscriptions s LEFT JOIN licenses l ON l.subscription_id = s.id
		GROUP BY s.id, s.seats`)
	for rows.Next() {
		var id string
		var seats, licenses, held int
		scan(t, rows, &id, &seats, &licenses, &held)
		if licenses != seats || held > seats {
			t.Errorf("subscription %s: %d seats, %d licenses, %d held", id, seats, licenses, held)
		}
	}
}

// checkHolders checks that nobody holds two licenses of one subscription,
// by account or by pending address.
func checkHolders(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{
		`SELECT subscription_id || ' ' || assignee_user_id FROM licenses
		WHERE assignee_user_id IS NOT NULL
		GROUP BY subscription_id, assignee_user_id HAVING count(*) > 1`,
		`SELECT subscription_id || ' ' || lower(assignee_email) FROM licenses
		WHERE assignee_email IS NOT NULL
		GROUP BY subscription_id, lower(assignee_email) HAVING count(*) > 1`,
		`SELECT a.subscription_id || ' ' || u.email FROM licenses a
		JOIN users u ON u.id = a.assignee_user_id
		JOIN licenses b ON b.subscription_id = a.subscription_id
			AND lower(b.assignee_email) = lower(u.email)`,
	} {
		rows := query(t, db, q)
		for rows.Next() {
			var who string
			scan(t, rows, &who)
			t.Errorf("held twice in one subscription: %s", who)
		}
	}
}

// checkOwners checks that every organization has an Owner.
func checkOwners(t *testing.T, db *sql.DB) {
	t.Helper()
	rows := query(t, db, `
		SELECT o.id FROM organizations o WHERE NOT EXISTS (
			SELECT 1 FROM role_grants g
			WHERE g.org_id = o.id AND g.team_id IS NULL AND g.role = 'owner')`)
	for rows.Next() {
		var id string
		scan(t, rows, &id)
		t.Errorf("organization %s has no Owner", id)
	}
}

// checkCharges checks invoices against charges. The built-in provider keeps
// no ledger: a charge exists only as the reference on the invoice it paid,
// derived from the charge's key: the invoice's ID, the attempt (one more
// than the declines counted on the invoice) and the card. So every paid
// invoice with something to pay must carry the reference of its own last
// attempt (one charge, on that one invoice), and nothing else may carry one.
func checkCharges(t *testing.T, db *sql.DB) {
	t.Helper()
	rows := query(t, db, `
		SELECT id, status, total, COALESCE(charge_ref, ''), charge_attempts,
			COALESCE(payment_method_id, '')
		FROM invoices`)
	for rows.Next() {
		var id, status, ref, card string
		var total int64
		var declined int
		scan(t, rows, &id, &status, &total, &ref, &declined, &card)
		switch charged := ref != ""; {
		case status == "paid" && total > 0 && ref != chargeRef(id, declined+1, card):
			t.Errorf("invoice %s paid %d with charge %q, not its attempt %d on card %q",
				id, total, ref, declined+1, card)
		case (status != "paid" || total == 0) && charged:
			t.Errorf("invoice %s (%s, total %d) carries charge %s", id, status, total, ref)
		}
	}
}

// chargeRef is the built-in provider's reference of attempt n to charge
// invoice id to card.
func chargeRef(id string, n int, card string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%s", id, n, card))
	return "ch_" + hex.EncodeToString(sum[:])[:24]
}

// Both stores are opened through the drivers that package store registers.
var _ = store.SQLite
