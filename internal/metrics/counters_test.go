package metrics_test

import (
	"net/http"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/metrics/metricstest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

func card(number string) map[string]any {
	return map[string]any{"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
}

// TestCountersMoveOncePerCommittedChange makes real requests, some of
// which change nothing or fail, and reads /metrics from the same server:
// each counter moved once for each change that committed.
func TestCountersMoveOncePerCommittedChange(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")

		bought := checkout(t, e, ada, "team", "4242 4242 4242 4242", http.StatusCreated)
		checkout(t, e, ada, "team", "4000 0000 0000 0002", http.StatusPaymentRequired)
		personal := checkout(t, e, ada, "personal", "4242 4242 4242 4242", http.StatusCreated)
		sub, org := bought.Subscription, bought.Organization.ID

		for _, seats := range []int{7, 6, 6} { // up, down, and no change
			apptest.Must(t, e.Post(t, "/api/v1/billing/subscriptions/"+sub.ID+"/seats",
				ada.Token, map[string]int{"seats": seats}), http.StatusOK)
		}

		var licenses struct{ Data []sk.License }
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/licenses", ada.Token), http.StatusOK).
			Decode(t, &licenses)
		// The second is Bob's already, and changes nothing.
		emails := []string{"bob@example.com", "bob@example.com", "cy@example.com"}
		for i, email := range emails {
			path := "/api/v1/orgs/" + org + "/licenses/" + licenses.Data[i/2].ID + "/assignee"
			apptest.Must(t, e.Put(t, path, ada.Token, map[string]string{"email": email}),
				http.StatusOK)
		}

		var inv sk.Invitation
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", ada.Token,
			map[string]string{"email": "dee@example.com", "role": "viewer"}),
			http.StatusCreated).Decode(t, &inv)
		apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations/"+inv.ID+"/resend",
			ada.Token, nil), http.StatusOK)

		// The organization's renewal fails on a card whose charges fail; the
		// personal subscription, another customer's, renews.
		failing := addCard(t, e, ada, sub.CustomerID, "4000 0000 0000 0341")
		apptest.Must(t, e.Post(t, "/api/v1/billing/customers/"+sub.CustomerID+
			"/payment-methods/"+failing+"/default", ada.Token, nil), http.StatusOK)
		end := sub.CurrentPeriodEnd
		if p := personal.Subscription.CurrentPeriodEnd; p.After(end) {
			end = p
		}
		pastEnd := end.Sub(e.App.Clock.Now()) + time.Hour
		apptest.Must(t, e.Post(t, "/api/v1/dev/clock/advance", "",
			map[string]string{"duration": pastEnd.String()}), http.StatusOK)

		s := metricstest.Get(t, e.URL+"/metrics")
		want := []struct {
			name   string
			labels []string
			n      float64
		}{
			{"seatkeeper_checkouts_total", []string{"plan", "team"}, 1},
			{"seatkeeper_checkouts_total", []string{"plan", "personal"}, 1},
			{"seatkeeper_seat_changes_total", []string{"direction", "up"}, 1},
			{"seatkeeper_seat_changes_total", []string{"direction", "down"}, 1},
			{"seatkeeper_licenses_assigned_total", nil, 3}, // two, and the personal plan's
			{"seatkeeper_invitations_sent_total", []string{"kind", "new"}, 1},
			{"seatkeeper_invitations_sent_total", []string{"kind", "resent"}, 1},
			{"seatkeeper_renewals_total", []string{"outcome", "renewed"}, 1},
			{"seatkeeper_renewals_total", []string{"outcome", "payment_failed"}, 1},
			{"seatkeeper_renewal_charges_failed_total", nil, 1},
			{"seatkeeper_subscriptions_past_due", nil, 1},
			{"seatkeeper_http_requests_total",
				[]string{"route", "POST /api/v1/checkout", "code", "201"}, 2},
			{"seatkeeper_http_requests_total",
				[]string{"route", "POST /api/v1/checkout", "code", "402"}, 1},
			{"seatkeeper_http_requests_total", []string{"route",
				"PUT /api/v1/orgs/{org}/licenses/{license}/assignee", "code", "200"}, 3},
		}
		for _, w := range want {
			if got, _ := s.Value(w.name, w.labels...); got != w.n {
				series := metricstest.Series(w.name, w.labels...)
				t.Errorf("%s = %v, want %v", series, got, w.n)
			}
		}
		checkMailCounted(t, e)
	})
}

// checkMailCounted waits for the outbox to empty and checks that every
// message the SMTP server took was counted once.
func checkMailCounted(t *testing.T, e *apptest.Env) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := metricstest.Get(t, e.URL+"/metrics")
		unsent, _ := s.Value("seatkeeper_mail_unsent")
		sent, _ := s.Value("seatkeeper_mail_sent_total")
		received := len(e.SMTP.Messages())
		if unsent == 0 && sent == float64(received) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail: %v unsent, %v counted as sent, %d received", unsent, sent,
				received)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func checkout(t *testing.T, e *apptest.Env, by *apptest.User, plan, number string,
	status int) *sk.CheckoutResult {
	t.Helper()
	body := map[string]any{"plan": plan, "period": "month", "seats": 5,
		"organization_name": "Acme", "card": card(number)}
	if plan == "personal" {
		body["seats"] = 1
		delete(body, "organization_name")
	}
	var res sk.CheckoutResult
	r := apptest.Must(t, e.Post(t, "/api/v1/checkout", by.Token, body), status)
	if status == http.StatusCreated {
		r.Decode(t, &res)
	}
	return &res
}

func addCard(t *testing.T, e *apptest.Env, by *apptest.User, customer, number string) string {
	t.Helper()
	var m sk.PaymentMethod
	apptest.Must(t, e.Post(t, "/api/v1/billing/customers/"+customer+"/payment-methods",
		by.Token, map[string]any{"card": card(number)}), http.StatusCreated).Decode(t, &m)
	return m.ID
}
