package store_test

import (
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestActivationsAndKeysSchema checks what the schema of the product's side
// refuses and does by itself: one activation per machine and license, one
// current signing key, and activations that leave with the license's holder.
func TestActivationsAndKeysSchema(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		seedUser(t, db, "usr_a", "a@example.com")
		seedUser(t, db, "usr_b", "b@example.com")
		seedOrg(t, db, "org_1", "cus_1")
		mustTx(t, db, `INSERT INTO plans (id, name, kind, currency, price_month, price_year,
			max_seats) VALUES ('team', 'Team', 'organization', 'EUR', 1000, 10000, 1000)`)
		mustTx(t, db, `INSERT INTO subscriptions (id, customer_id, org_id, plan_id, period, seats,
			status, current_period_start, current_period_end, created_at)
			VALUES ('sub_1', 'cus_1', 'org_1', 'team', 'month', 2, 'active', $1, $2, $1)`,
			now(), now().Add(time.Hour))
		mustTx(t, db, `INSERT INTO licenses (id, subscription_id, org_id, assignee_user_id,
			created_at) VALUES ('lic_1', 'sub_1', 'org_1', 'usr_a', $1),
			('lic_2', 'sub_1', 'org_1', NULL, $1)`, now())
		mustTx(t, db, `INSERT INTO activations (id, license_id, fingerprint, name, created_at)
			VALUES ('act_1', 'lic_1', 'm1', 'One', $1), ('act_2', 'lic_1', 'm2', 'Two', $1)`,
			now())
		mustTx(t, db, `INSERT INTO signing_keys (id, public_key, private_key, is_current,
			created_at) VALUES ('key_1', 'p', 's', TRUE, $1)`, now())

		tests := []struct {
			name  string
			query string
			args  []any
			is    func(error) bool
		}{
			{"one activation per machine and license",
				`INSERT INTO activations (id, license_id, fingerprint, name, created_at)
				VALUES ('act_3', 'lic_1', 'm1', 'Again', $1)`, []any{now()},
				store.IsUniqueViolation},
			{"activation of an unknown license",
				`INSERT INTO activations (id, license_id, fingerprint, name, created_at)
				VALUES ('act_3', 'lic_9', 'm1', 'X', $1)`, []any{now()},
				store.IsForeignKeyViolation},
			{"a second current key",
				`INSERT INTO signing_keys (id, public_key, private_key, is_current, created_at)
				VALUES ('key_2', 'p', 's', TRUE, $1)`, []any{now()}, store.IsUniqueViolation},
			{"a current key with a retirement date",
				`UPDATE signing_keys SET retired_at = $1`, []any{now()}, store.IsCheckViolation},
		}
		for _, tt := range tests {
			err := db.Tx(ctx, func(tx *store.Tx) error {
				return tx.Exec(ctx, tt.query, tt.args...)
			})
			if err == nil || !tt.is(err) {
				t.Errorf("%s: got %v, want the constraint to refuse it", tt.name, err)
			}
		}

		// The same machine may be active for another license.
		mustTx(t, db, `INSERT INTO activations (id, license_id, fingerprint, name, created_at)
			VALUES ('act_3', 'lic_2', 'm1', 'One', $1)`, now())

		// Touching a license without changing its holder keeps its activations;
		// a new holder, or none, drops them.
		mustTx(t, db, `UPDATE licenses SET assignee_user_id = 'usr_a', team_id = NULL
			WHERE id = 'lic_1'`)
		activationsOf := func(lic string) int {
			return count(t, db, `SELECT count(*) FROM activations WHERE license_id = $1`, lic)
		}
		if n := activationsOf("lic_1"); n != 2 {
			t.Errorf("%d activations after an update that kept the holder, want 2", n)
		}
		mustTx(t, db, `UPDATE licenses SET assignee_user_id = 'usr_b' WHERE id = 'lic_1'`)
		if n := activationsOf("lic_1"); n != 0 {
			t.Errorf("%d activations outlived their holder, want 0", n)
		}
		if n := activationsOf("lic_2"); n != 1 {
			t.Errorf("another license's activations went too: %d left, want 1", n)
		}
	})
}
