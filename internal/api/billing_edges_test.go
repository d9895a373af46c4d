package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// useCard adds a card to the customer account, makes it the default and
// returns it.
func useCard(t *testing.T, e *apptest.Env, by *apptest.User, customer,
	number string) sk.PaymentMethod {
	t.Helper()
	base := "/api/v1/billing/customers/" + customer + "/payment-methods"
	var m sk.PaymentMethod
	apptest.Must(t, e.Post(t, base, by.Token, map[string]any{"card": card(number)}),
		http.StatusCreated).Decode(t, &m)
	apptest.Must(t, e.Post(t, base+"/"+m.ID+"/default", by.Token, nil), http.StatusOK)
	return m
}

// heldLicense returns the one license the user holds, as the product sees it.
func heldLicense(t *testing.T, e *apptest.Env, by *apptest.User) sk.HeldLicense {
	t.Helper()
	var mine struct{ Data []sk.HeldLicense }
	apptest.Must(t, e.Get(t, "/api/v1/me/licenses", by.Token), http.StatusOK).Decode(t, &mine)
	if len(mine.Data) != 1 {
		t.Fatalf("%d licenses held, want 1", len(mine.Data))
	}
	return mine.Data[0]
}

// TestPastDue follows a renewal whose card fails: while past due the
// licenses stay valid only until the last payment retry, wherever they are
// read; the Owner's own retry with the same card is declined, recorded and
// changes nothing else; with a good card it pays the same invoice. Left
// alone, the subscription ends at its last retry, and the licenses with it.
func TestPastDue(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		res := buy(t, e, ada, 2, cardOK)
		sub, org := res.Subscription, res.Organization.ID
		lic := listLicenses(t, e, ada, org, "").Data[0].ID
		apptest.Must(t, assign(t, e, ada, org, lic, ada.Email, false), http.StatusOK)

		useCard(t, e, ada, sub.CustomerID, cardChargeFails)
		advance(t, e, "745h")
		due := getSub(t, e, ada, sub.ID)
		if due.Status != sk.SubscriptionPastDue {
			t.Fatalf("after a declined renewal: %+v", due)
		}
		lastRetry := sk.PastDueEnd(due.CurrentPeriodStart)
		if held := heldLicense(t, e, ada); !held.Valid || !held.ValidUntil.Equal(lastRetry) {
			t.Errorf("held license while past due = %+v, want valid until the last retry %v",
				held, lastRetry)
		}
		listed := listLicenses(t, e, ada, org, "status=assigned").Data[0]
		if !listed.ValidUntil.Equal(lastRetry) {
			t.Errorf("listed license valid until %v, want %v", listed.ValidUntil, lastRetry)
		}

		// The Owner retries with the failing card: declined, and recorded.
		renew := "/api/v1/billing/subscriptions/" + sub.ID + "/renew"
		r := e.Post(t, renew, ada.Token, nil)
		if r.Status != http.StatusPaymentRequired || r.Code(t) != sk.EPAYMENT {
			t.Errorf("renewing past due with a failing card: %d %s", r.Status, r.Body)
		}
		if got := getSub(t, e, ada, sub.ID); got.Status != sk.SubscriptionPastDue {
			t.Errorf("after a declined retry: %+v, want still past due", got)
		}
		if ev := auditLog(t, e, ada, org)["subscription.payment_retried"]; ev == nil ||
			ev.Actor == nil || ev.Actor.ID != ada.ID {
			t.Errorf("the Owner's declined retry is not in the audit log: %+v", ev)
		}

		// With a good card the same invoice is paid, and nothing is charged
		// twice.
		useCard(t, e, ada, sub.CustomerID, cardOK)
		apptest.Must(t, e.Post(t, renew, ada.Token, nil), http.StatusOK)
		if got := getSub(t, e, ada, sub.ID); got.Status != sk.SubscriptionActive ||
			!got.CurrentPeriodEnd.Equal(due.CurrentPeriodEnd) {
			t.Errorf("after paying: %+v, want active in the same period", got)
		}
		all := invoices(t, e, ada, sub.CustomerID)
		if len(all) != 2 || all[0].Status != "paid" || all[1].Status != "paid" {
			t.Errorf("invoices after paying the renewal: %+v, want the two paid", all)
		}

		// Left to its retries, it ends at the last one, and its period with it.
		useCard(t, e, ada, sub.CustomerID, cardChargeFails)
		advance(t, e, "745h")
		due = getSub(t, e, ada, sub.ID)
		advance(t, e, "150h")
		ended := getSub(t, e, ada, sub.ID)
		end := sk.PastDueEnd(due.CurrentPeriodStart)
		if ended.Status != sk.SubscriptionEnded || !ended.CurrentPeriodEnd.Equal(end) {
			t.Errorf("after the retries: %+v, want ended at the last retry %v", ended, end)
		}
		if held := heldLicense(t, e, ada); held.Valid || held.Status != sk.LicenseExpired ||
			!held.ValidUntil.Equal(end) {
			t.Errorf("held license after the end = %+v, want expired at %v", held, end)
		}
	})
}

// TestSeatChangeEdges asks for the seats a subscription has, which changes
// nothing and bills nothing, and previews a decrease past the free
// licenses, which is refused as the change would be.
func TestSeatChangeEdges(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		res := buy(t, e, ada, 3, cardOK)
		sub, org := res.Subscription, res.Organization.ID
		base := "/api/v1/billing/subscriptions/" + sub.ID

		var same sk.SeatChange
		apptest.Must(t, e.Post(t, base+"/seats", ada.Token, map[string]int{"seats": 3}),
			http.StatusOK).Decode(t, &same)
		if same.Seats != 3 || same.AmountDueNow != 0 || same.Credit != 0 || same.Invoice != nil {
			t.Errorf("asking for the same seats = %+v, want nothing charged or credited", same)
		}
		if n := len(invoices(t, e, ada, sub.CustomerID)); n != 1 {
			t.Errorf("%d invoices after asking for the same seats, want the checkout's", n)
		}
		if ev := auditLog(t, e, ada, org)["subscription.seats_changed"]; ev != nil {
			t.Errorf("asking for the same seats was audited: %+v", ev)
		}

		for i, l := range listLicenses(t, e, ada, org, "").Data[:2] {
			apptest.Must(t, assign(t, e, ada, org, l.ID, []string{"a@example.com",
				"b@example.com"}[i], false), http.StatusOK)
		}
		r := e.Post(t, base+"/seats/preview", ada.Token, map[string]int{"seats": 1})
		if detail, _ := r.JSON(t)["detail"].(string); r.Status != http.StatusConflict ||
			!strings.Contains(detail, "unassign 1") {
			t.Errorf("previewing a decrease past the free licenses: %d %s", r.Status, r.Body)
		}
		apptest.Must(t, e.Post(t, base+"/seats/preview", ada.Token, map[string]int{"seats": 2}),
			http.StatusOK)
	})
}

// TestCheckoutKeepsAccountKinds refuses to put a personal subscription on an
// account that pays for an organization, and the other way round: billing
// rights follow the Owner role on one and the holder on the other.
func TestCheckoutKeepsAccountKinds(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		orgAccount := buy(t, e, ada, 1, cardOK).Subscription.CustomerID

		var personal sk.CheckoutResult
		personalBody := map[string]any{"plan": "personal", "period": "year", "seats": 1,
			"card": card(cardOK)}
		apptest.Must(t, e.Post(t, "/api/v1/checkout", ada.Token, personalBody),
			http.StatusCreated).Decode(t, &personal)
		personalAccount := personal.Subscription.CustomerID
		if personalAccount == orgAccount {
			t.Fatal("a personal checkout without customer_id reused the organization's account")
		}

		personalBody["customer_id"] = orgAccount
		wantField(t, e.Post(t, "/api/v1/checkout", ada.Token, personalBody),
			http.StatusBadRequest, "customer_id")
		wantField(t, e.Post(t, "/api/v1/checkout", ada.Token, map[string]any{
			"plan": "team", "period": "month", "seats": 1, "organization_name": "Second",
			"customer_id": personalAccount, "card": card(cardOK)}),
			http.StatusBadRequest, "customer_id")

		// Another organization may share the first one's account.
		apptest.Must(t, e.Post(t, "/api/v1/checkout", ada.Token, map[string]any{
			"plan": "team", "period": "month", "seats": 1, "organization_name": "Second",
			"customer_id": orgAccount, "card": card(cardOK)}), http.StatusCreated)
	})
}

// TestIdempotencyKeysExpire reuses a key a day later with another request:
// it runs afresh, as the first answer is forgotten after a day.
func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		post := func(seats int) *apptest.Response {
			return e.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/checkout",
				Token: ada.Token, Header: http.Header{"Idempotency-Key": {"monthly"}},
				Body: map[string]any{"plan": "team", "period": "month", "seats": seats,
					"organization_name": "Acme", "card": card(cardOK)}})
		}

		apptest.Must(t, post(2), http.StatusCreated)
		wantField(t, post(3), http.StatusBadRequest, "Idempotency-Key")
		advance(t, e, (25 * time.Hour).String())
		again := apptest.Must(t, post(3), http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "" {
			t.Error("a key a day old replayed its first answer")
		}
		var mine struct{ Data []sk.Subscription }
		apptest.Must(t, e.Get(t, "/api/v1/me/subscriptions", ada.Token), http.StatusOK).
			Decode(t, &mine)
		if len(mine.Data) != 2 {
			t.Errorf("%d subscriptions, want 2: the key's first and its reuse", len(mine.Data))
		}
	})
}
