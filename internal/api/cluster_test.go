package api_test

import (
	"net/http"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestLimitsHoldUnderConcurrentLoad sends sixty failed sign-ins for one
// account at once, spread over three servers: every answer is a refusal
// (401 until the account's limit, 429 after), never a server error from
// the contended counter, and the limit holds for the right password too.
func TestLimitsHoldUnderConcurrentLoad(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		servers := apptest.Cluster(t, db, 3)
		servers[0].SignUp(t, "ada@example.com", "Ada", password)

		statuses := race(t, servers, 60, func(e *apptest.Env, i int) *apptest.Response {
			return e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", "wrong one"))
		})
		if statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 60 ||
			statuses[http.StatusUnauthorized] > 10 {
			t.Errorf("sixty failed sign-ins over three servers: %v; want at most ten 401 "+
				"and the rest 429", statuses)
		}
		for _, e := range servers {
			r := e.Post(t, "/api/v1/auth/login", "", creds("ada@example.com", password))
			if r.Status != http.StatusTooManyRequests {
				t.Errorf("the right password after the limit: %d, want 429", r.Status)
			}
		}
	})
}

// TestIdempotencyHoldsAcrossServers races one checkout, with one
// Idempotency-Key, over three servers: one subscription is bought, and every
// other answer is the first one replayed or a conflict to retry.
func TestIdempotencyHoldsAcrossServers(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		servers := apptest.Cluster(t, db, 3)
		ada := servers[0].User(t, "Ada Buyer")
		body := map[string]any{"plan": "team", "period": "month", "seats": 2,
			"organization_name": "Acme", "card": card(cardOK)}

		statuses := race(t, servers, 12, func(e *apptest.Env, i int) *apptest.Response {
			return e.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/checkout",
				Token: ada.Token, Body: body, Header: http.Header{"Idempotency-Key": {"k"}}})
		})
		if statuses[http.StatusCreated] < 1 ||
			statuses[http.StatusCreated]+statuses[http.StatusConflict] != 12 {
			t.Errorf("one checkout raced over three servers: %v", statuses)
		}
		var mine struct{ Data []sk.Subscription }
		apptest.Must(t, servers[1].Get(t, "/api/v1/me/subscriptions", ada.Token),
			http.StatusOK).Decode(t, &mine)
		if len(mine.Data) != 1 {
			t.Errorf("%d subscriptions bought, want 1", len(mine.Data))
		}
	})
}
