package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

var ctx = context.Background()

func TestMigrations(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, err := store.Open(ctx, storetest.URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			if err := db.Ready(ctx); sk.ErrorCode(err) != sk.EUNAVAILABLE {
				t.Fatalf("Ready before migrating = %v, want %s", err, sk.EUNAVAILABLE)
			}
			n, err := db.Migrate(ctx)
			if err != nil || n == 0 {
				t.Fatalf("first Migrate = %d, %v; want some migrations applied", n, err)
			}
			if n, err := db.Migrate(ctx); err != nil || n != 0 {
				t.Fatalf("second Migrate = %d, %v; want nothing to do", n, err)
			}
			if err := db.Ready(ctx); err != nil {
				t.Fatalf("Ready after migrating: %v", err)
			}

			list, err := db.Migrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range list {
				if !m.Applied {
					t.Errorf("migration %d %s not applied", m.Version, m.Name)
				}
			}
		})
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			mustExec(t, tx, `INSERT INTO counters (name, value) VALUES ('a', 1)`)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v, want the unit of work's own error", err)
		}
		if n := count(t, db, `SELECT count(*) FROM counters`); n != 0 {
			t.Fatalf("rolled-back insert left %d rows", n)
		}
	})
}

// TestTxRetriesLostRaces runs read-modify-write increments from many
// goroutines at once. Each loses races on PostgreSQL (serialization failures)
// or waits on SQLite's write lock; the total shows that none was lost and
// none surfaced as an error.
func TestTxRetriesLostRaces(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		mustTx(t, db, `INSERT INTO counters (name, value) VALUES ('n', 0)`)

		const workers = 16
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				errs <- db.Tx(ctx, func(tx *store.Tx) error {
					n, err := tx.QueryInt(ctx, `SELECT value FROM counters WHERE name = 'n'`)
					if err != nil {
						return err
					}
					time.Sleep(time.Millisecond) // widen the race
					return tx.Exec(ctx, `UPDATE counters SET value = $1 WHERE name = 'n'`, n+1)
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("increment: %v", err)
			}
		}
		if n := count(t, db, `SELECT value FROM counters WHERE name = 'n'`); n != workers {
			t.Fatalf("counter = %d after %d increments", n, workers)
		}
	})
}

func TestTimesRoundTripAndCompare(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		seedUser(t, db, "usr_a", "a@example.com")
		early := sk.Normalize(time.Date(2026, 1, 2, 3, 4, 5, 500_000_000, time.UTC))
		late := early.Add(1500 * time.Microsecond)
		mustTx(t, db, `UPDATE users SET email_verified_at = $1, updated_at = $2`, early, late)

		var verified, updated time.Time
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.Scan(ctx, []any{&verified, &updated},
				`SELECT email_verified_at, updated_at FROM users WHERE id = 'usr_a'`)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !verified.Equal(early) || !updated.Equal(late) {
			t.Fatalf("read %v, %v; want %v, %v", verified, updated, early, late)
		}
		if n := count(t, db, `SELECT count(*) FROM users WHERE email_verified_at < updated_at
			AND updated_at > $1 AND updated_at < $2`, early, late.Add(time.Microsecond)); n != 1 {
			t.Fatalf("time comparison in SQL matched %d rows, want 1", n)
		}
	})
}

// TestConstraints checks that the schema itself refuses what must never be
// stored, whatever a service might get wrong.
func TestConstraints(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		seedUser(t, db, "usr_a", "Ada@Example.com")
		seedUser(t, db, "usr_b", "bob@example.com")
		seedUser(t, db, "usr_e", "Émile@example.com")
		seedOrg(t, db, "org_1", "cus_1")
		seedOrg(t, db, "org_2", "cus_2")
		mustTx(t, db, `INSERT INTO teams (id, org_id, name, created_at) VALUES
			('team_1', 'org_1', 'Backend', $1), ('team_2', 'org_2', 'Other', $1),
			('team_e', 'org_1', 'Équipe', $1)`, now())
		mustTx(t, db, `INSERT INTO plans (id, name, kind, currency, price_month, price_year,
			max_seats) VALUES ('team', 'Team', 'organization', 'EUR', 1000, 10000, 1000)`)
		mustTx(t, db, `INSERT INTO subscriptions (id, customer_id, org_id, plan_id, period, seats,
			status, current_period_start, current_period_end, created_at)
			VALUES ('sub_1', 'cus_1', 'org_1', 'team', 'month', 2, 'active', $1, $2, $1)`,
			now(), now().Add(time.Hour))
		mustTx(t, db, `INSERT INTO licenses (id, subscription_id, org_id, created_at) VALUES
			('lic_1', 'sub_1', 'org_1', $1), ('lic_2', 'sub_1', 'org_1', $1)`, now())
		mustTx(t, db, `UPDATE licenses SET assignee_user_id = 'usr_a' WHERE id = 'lic_1'`)
		mustTx(t, db, `INSERT INTO role_grants (id, org_id, team_id, user_id, role, created_at)
			VALUES ('g1', 'org_1', NULL, 'usr_a', 'owner', $1), ('g2', 'org_1', 'team_1', 'usr_a',
			'manager', $1)`, now())
		mustTx(t, db, `INSERT INTO payment_methods (id, customer_id, brand, last4, exp_month,
			exp_year, provider_ref, is_default, created_at)
			VALUES ('pm_1', 'cus_1', 'visa', '4242', 12, 2030, 'r1', TRUE, $1)`, now())

		tests := []struct {
			name  string
			query string
			args  []any
			is    func(error) bool
		}{
			{"email unique ignoring case",
				`INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
				VALUES ('usr_c', 'ADA@example.COM', 'x', 'h', $1, $1)`,
				[]any{now()}, store.IsUniqueViolation},
			{"email unique ignoring the case of any letter",
				`INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
				VALUES ('usr_c', 'émile@EXAMPLE.com', 'x', 'h', $1, $1)`,
				[]any{now()}, store.IsUniqueViolation},
			{"team name unique ignoring the case of any letter",
				`INSERT INTO teams (id, org_id, name, created_at) VALUES ('team_3', 'org_1',
				'équipe', $1)`, []any{now()}, store.IsUniqueViolation},
			{"team name unique per organization ignoring case",
				`INSERT INTO teams (id, org_id, name, created_at) VALUES ('team_3', 'org_1',
				'BACKEND', $1)`, []any{now()}, store.IsUniqueViolation},
			{"team of an unknown organization",
				`INSERT INTO teams (id, org_id, name, created_at) VALUES ('team_3', 'org_9', 'X',
				$1)`, []any{now()}, store.IsForeignKeyViolation},
			{"no owner grant on a team",
				`INSERT INTO role_grants (id, org_id, team_id, user_id, role, created_at)
				VALUES ('g3', 'org_1', 'team_1', 'usr_b', 'owner', $1)`,
				[]any{now()}, store.IsCheckViolation},
			{"unknown role",
				`INSERT INTO role_grants (id, org_id, user_id, role, created_at)
				VALUES ('g3', 'org_1', 'usr_b', 'admin', $1)`,
				[]any{now()}, store.IsCheckViolation},
			{"one organization grant per user",
				`INSERT INTO role_grants (id, org_id, user_id, role, created_at)
				VALUES ('g3', 'org_1', 'usr_a', 'viewer', $1)`,
				[]any{now()}, store.IsUniqueViolation},
			{"one team grant per user",
				`INSERT INTO role_grants (id, org_id, team_id, user_id, role, created_at)
				VALUES ('g3', 'org_1', 'team_1', 'usr_a', 'viewer', $1)`,
				[]any{now()}, store.IsUniqueViolation},
			{"grant on a team of another organization",
				`INSERT INTO role_grants (id, org_id, team_id, user_id, role, created_at)
				VALUES ('g3', 'org_1', 'team_2', 'usr_b', 'viewer', $1)`,
				[]any{now()}, store.IsForeignKeyViolation},
			{"license delegated to a team of another organization",
				`UPDATE licenses SET team_id = 'team_2' WHERE id = 'lic_2'`,
				nil, store.IsForeignKeyViolation},
			{"one license of a subscription per user",
				`UPDATE licenses SET assignee_user_id = 'usr_a' WHERE id = 'lic_2'`,
				nil, store.IsUniqueViolation},
			{"a license is held by a user or pending for an email, not both",
				`UPDATE licenses SET assignee_email = 'x@example.com' WHERE id = 'lic_1'`,
				nil, store.IsCheckViolation},
			{"license held by an unknown user",
				`UPDATE licenses SET assignee_user_id = 'usr_x' WHERE id = 'lic_2'`,
				nil, store.IsForeignKeyViolation},
			{"one default payment method per customer",
				`INSERT INTO payment_methods (id, customer_id, brand, last4, exp_month, exp_year,
				provider_ref, is_default, created_at)
				VALUES ('pm_2', 'cus_1', 'visa', '1111', 1, 2031, 'r2', TRUE, $1)`,
				[]any{now()}, store.IsUniqueViolation},
			{"subscription of both an organization and a user",
				`UPDATE subscriptions SET user_id = 'usr_a' WHERE id = 'sub_1'`,
				nil, store.IsCheckViolation},
			{"negative customer balance",
				`UPDATE customer_accounts SET balance = -1 WHERE id = 'cus_1'`,
				nil, store.IsCheckViolation},
			{"invoice total that does not add up",
				`INSERT INTO invoices (id, number, customer_id, status, currency, subtotal,
				credit_applied, total, created_at)
				VALUES ('in_1', 1, 'cus_1', 'paid', 'EUR', 1000, 100, 1000, $1)`,
				[]any{now()}, store.IsCheckViolation},
		}
		for _, tt := range tests {
			err := db.Tx(ctx, func(tx *store.Tx) error { return tx.Exec(ctx, tt.query, tt.args...) })
			if err == nil || !tt.is(err) {
				t.Errorf("%s: got %v, want the constraint to refuse it", tt.name, err)
			}
		}

		// The audit log is append-only.
		mustTx(t, db, `INSERT INTO audit_events (id, org_id, action, target_type, target_id,
			created_at) VALUES ('evt_1', 'org_1', 'team.created', 'team', 'team_1', $1)`, now())
		for _, q := range []string{
			`UPDATE audit_events SET action = 'forged'`,
			`DELETE FROM audit_events`,
		} {
			err := db.Tx(ctx, func(tx *store.Tx) error { return tx.Exec(ctx, q) })
			if err == nil {
				t.Errorf("%s: the audit log was rewritten", q)
			}
		}

		// Removing a team drops its grants with it.
		mustTx(t, db, `DELETE FROM teams WHERE id = 'team_1'`)
		if n := count(t, db, `SELECT count(*) FROM role_grants WHERE team_id = 'team_1'`); n != 0 {
			t.Errorf("%d grants outlived their team", n)
		}
	})
}

func now() time.Time { return sk.SystemClock{}.Now() }

func mustExec(t *testing.T, tx *store.Tx, query string, args ...any) {
	t.Helper()
	if err := tx.Exec(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func mustTx(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	err := db.Tx(ctx, func(tx *store.Tx) error { return tx.Exec(ctx, query, args...) })
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.QueryInt(ctx, query, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func seedUser(t *testing.T, db *store.DB, id, email string) {
	t.Helper()
	mustTx(t, db, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
		VALUES ($1, $2, 'Test User', 'hash', $3, $3)`, id, email, now())
}

func seedOrg(t *testing.T, db *store.DB, id, customer string) {
	t.Helper()
	mustTx(t, db, `INSERT INTO customer_accounts (id, billing_name, billing_email, currency,
		created_at) VALUES ($1, 'Billing', 'billing@example.com', 'EUR', $2)`, customer, now())
	mustTx(t, db, `INSERT INTO organizations (id, name, customer_id, created_at, updated_at)
		VALUES ($1, 'Acme', $2, $3, $3)`, id, customer, now())
}

// TestLicenseCountsFollowChanges moves and assigns licenses in every way the
// store offers and checks the counters that the triggers keep against a
// count of the licenses themselves.
func TestLicenseCountsFollowChanges(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		seedUser(t, db, "usr_a", "a@example.com")
		seedOrg(t, db, "org_1", "cus_1")
		mustTx(t, db, `INSERT INTO teams (id, org_id, name, created_at) VALUES
			('team_1', 'org_1', 'One', $1), ('team_2', 'org_1', 'Two', $1)`, now())
		mustTx(t, db, `INSERT INTO plans (id, name, kind, currency, price_month, price_year,
			max_seats) VALUES ('team', 'Team', 'organization', 'EUR', 1000, 10000, 1000)`)

		org := "org_1"
		team1, team2 := "team_1", "team_2"
		user := "usr_a"
		pending := "p@example.com"
		err := db.Tx(ctx, func(tx *store.Tx) error {
			ids, err := tx.CreateSubscription(ctx, &store.SubscriptionRecord{ID: "sub_1",
				CustomerID: "cus_1", OrgID: &org, PlanID: "team", Period: "month", Seats: 12,
				Status: "active", PeriodStart: now(), PeriodEnd: now().Add(time.Hour),
				CreatedAt: now()})
			if err != nil {
				return err
			}
			steps := []error{
				tx.MoveLicenses(ctx, org, ids[:6], &team1),
				tx.MoveLicenses(ctx, org, ids[4:8], &team2),
				tx.SetAssignee(ctx, ids[9], &user, nil, now()),
				tx.SetAssignee(ctx, ids[9], nil, nil, now()),
				tx.SetAssignee(ctx, ids[0], &user, nil, now()),
				tx.SetAssignee(ctx, ids[5], nil, &pending, now()),
				tx.MoveLicenses(ctx, org, ids[5:6], nil),
			}
			if err := errors.Join(steps...); err != nil {
				return err
			}
			_, err = tx.RemoveTeam(ctx, org, team1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		checkCounts := func(team string) {
			t.Helper()
			var got *sk.LicenseCounts
			err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.LicenseCounts(ctx, org, team)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			where := "org_id = 'org_1'"
			switch team {
			case "organization":
				where += " AND team_id IS NULL"
			case "":
			default:
				where += " AND team_id = '" + team + "'"
			}
			total := count(t, db, "SELECT count(*) FROM licenses WHERE "+where)
			held := count(t, db, "SELECT count(*) FROM licenses WHERE "+where+
				" AND (assignee_user_id IS NOT NULL OR assignee_email IS NOT NULL)")
			if got.Total != total || got.Assigned != held || got.Free != total-held {
				t.Errorf("counts of %q = %+v, want total %d held %d", team, got, total, held)
			}
		}
		for _, team := range []string{"", "organization", team1, team2} {
			checkCounts(team)
		}
	})
}
