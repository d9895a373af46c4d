package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// The built-in provider's test cards.
const (
	cardOK          = "4242 4242 4242 4242"
	cardDeclined    = "4000 0000 0000 0002"
	cardChargeFails = "4000 0000 0000 0341"
)

func card(number string) map[string]any {
	return map[string]any{"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
}

// buy checks out an organization plan with a new card and returns what it
// made.
func buy(t *testing.T, e *apptest.Env, by *apptest.User, seats int, number string) *sk.CheckoutResult {
	t.Helper()
	var res sk.CheckoutResult
	apptest.Must(t, e.Post(t, "/api/v1/checkout", by.Token, map[string]any{
		"plan": "team", "period": "month", "seats": seats, "organization_name": "Acme",
		"card": card(number),
	}), http.StatusCreated).Decode(t, &res)
	return &res
}

func getSub(t *testing.T, e *apptest.Env, by *apptest.User, id string) sk.Subscription {
	t.Helper()
	var sub sk.Subscription
	apptest.Must(t, e.Get(t, "/api/v1/billing/subscriptions/"+id, by.Token), http.StatusOK).
		Decode(t, &sub)
	return sub
}

func invoices(t *testing.T, e *apptest.Env, by *apptest.User, customer string) []sk.Invoice {
	t.Helper()
	var page struct{ Data []sk.Invoice }
	apptest.Must(t, e.Get(t, "/api/v1/billing/customers/"+customer+"/invoices", by.Token),
		http.StatusOK).Decode(t, &page)
	var full []sk.Invoice
	for _, inv := range page.Data {
		var one sk.Invoice
		apptest.Must(t, e.Get(t, "/api/v1/billing/invoices/"+inv.ID, by.Token), 200).Decode(t, &one)
		full = append(full, one)
	}
	return full
}

// checkInvoice checks that an invoice adds up line by line.
func checkInvoice(t *testing.T, inv sk.Invoice) {
	t.Helper()
	var sum int64
	for _, l := range inv.Lines {
		sum += l.Amount
		if !l.Proration && l.Amount != int64(l.Quantity)*l.UnitAmount {
			t.Errorf("invoice %d line %q: %d × %d ≠ %d", inv.Number, l.Description,
				l.Quantity, l.UnitAmount, l.Amount)
		}
	}
	if sum != inv.Subtotal || inv.Total != inv.Subtotal-inv.CreditApplied || inv.Total < 0 {
		t.Errorf("invoice %d does not add up: lines %d, subtotal %d, credit %d, total %d",
			inv.Number, sum, inv.Subtotal, inv.CreditApplied, inv.Total)
	}
}

func TestCheckout(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")

		res := buy(t, e, ada, 5, cardOK)
		if res.Organization == nil || res.Organization.Name != "Acme" {
			t.Fatalf("organization = %+v", res.Organization)
		}
		sub, inv := res.Subscription, res.Invoice
		if sub.Seats != 5 || sub.Status != "active" || sub.Period != "month" ||
			*sub.OrganizationID != res.Organization.ID {
			t.Errorf("subscription = %+v", sub)
		}
		if inv.Status != "paid" || inv.Total != 5*1500 || inv.Card == nil || inv.Card.Last4 != "4242" {
			t.Errorf("invoice = %+v", inv)
		}
		checkInvoice(t, *inv)

		// The buyer owns the organization; its five licenses are free.
		org := res.Organization.ID
		var o sk.Organization
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org, ada.Token), 200).Decode(t, &o)
		if len(o.MyRoles) != 1 || o.MyRoles[0].Role != sk.RoleOwner {
			t.Errorf("buyer's roles = %+v", o.MyRoles)
		}
		if l := listLicenses(t, e, ada, org, ""); l.Counts.Total != 5 || l.Counts.Free != 5 {
			t.Errorf("licenses = %+v", l.Counts)
		}

		// The customer account keeps the card, as its default.
		var c sk.Customer
		apptest.Must(t, e.Get(t, "/api/v1/billing/customers/"+sub.CustomerID, ada.Token), 200).
			Decode(t, &c)
		if len(c.PaymentMethods) != 1 || !c.PaymentMethods[0].Default ||
			c.PaymentMethods[0].Last4 != "4242" || c.Currency != "USD" {
			t.Errorf("customer = %+v", c)
		}

		// A second checkout reuses the account and its saved card.
		var second sk.CheckoutResult
		apptest.Must(t, e.Post(t, "/api/v1/checkout", ada.Token, map[string]any{
			"plan": "team", "period": "year", "seats": 2, "organization_name": "Acme Labs",
			"customer_id": sub.CustomerID, "payment_method": c.PaymentMethods[0].ID,
		}), http.StatusCreated).Decode(t, &second)
		if second.Invoice.Total != 2*15000 || second.Invoice.Number != inv.Number+1 {
			t.Errorf("second invoice = %+v (first was number %d)", second.Invoice, inv.Number)
		}
		var mine struct{ Data []sk.Subscription }
		apptest.Must(t, e.Get(t, "/api/v1/me/subscriptions", ada.Token), 200).Decode(t, &mine)
		if len(mine.Data) != 2 {
			t.Errorf("my subscriptions = %+v", mine.Data)
		}
	})
}

func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")

		for _, number := range []string{cardDeclined, cardChargeFails} {
			r := e.Post(t, "/api/v1/checkout", ada.Token, map[string]any{
				"plan": "team", "period": "month", "seats": 3, "organization_name": "Acme",
				"card": card(number)})
			if r.Status != http.StatusPaymentRequired || r.Code(t) != "payment_failed" {
				t.Errorf("card %s: %d %s", number, r.Status, r.Body)
			}
		}
		// Nothing was left behind.
		if orgs := apptest.Must(t, e.Get(t, "/api/v1/me", ada.Token), 200).JSON(t)["organizations"]; len(orgs.([]any)) != 0 {
			t.Errorf("a declined checkout left organizations: %v", orgs)
		}
		var mine struct{ Data []sk.Subscription }
		apptest.Must(t, e.Get(t, "/api/v1/me/subscriptions", ada.Token), 200).Decode(t, &mine)
		if len(mine.Data) != 0 {
			t.Errorf("a declined checkout left subscriptions: %+v", mine.Data)
		}

		tests := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"plan": "gold", "period": "month", "seats": 1, "card": card(cardOK)}, "plan"},
			{map[string]any{"plan": "team", "period": "week", "seats": 1, "organization_name": "A",
				"card": card(cardOK)}, "period"},
			{map[string]any{"plan": "team", "period": "month", "seats": 0, "organization_name": "A",
				"card": card(cardOK)}, "seats"},
			{map[string]any{"plan": "team", "period": "month", "seats": 1, "card": card(cardOK)},
				"organization_name"},
			{map[string]any{"plan": "personal", "period": "month", "seats": 2, "card": card(cardOK)},
				"seats"},
			{map[string]any{"plan": "team", "period": "month", "seats": 1, "organization_name": "A"},
				"payment_method"},
			{map[string]any{"plan": "team", "period": "month", "seats": 1, "organization_name": "A",
				"card": card("4242 4242 4242 4241")}, "card.number"},
			{map[string]any{"plan": "team", "period": "month", "seats": 1, "organization_name": "A",
				"card": map[string]any{"number": cardOK, "exp_month": 13, "exp_year": 2040,
					"cvc": "1"}}, "card.exp_month"},
		}
		for _, tt := range tests {
			wantField(t, e.Post(t, "/api/v1/checkout", ada.Token, tt.body),
				http.StatusBadRequest, tt.field)
		}
	})
}

func TestPersonalPlan(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Solo")
		var res sk.CheckoutResult
		apptest.Must(t, e.Post(t, "/api/v1/checkout", ada.Token, map[string]any{
			"plan": "personal", "period": "year", "seats": 1, "card": card(cardOK),
		}), http.StatusCreated).Decode(t, &res)
		if res.Organization != nil || res.Subscription.UserID == nil || res.Invoice.Total != 9000 {
			t.Fatalf("personal checkout = %+v", res)
		}

		var mine struct{ Data []sk.HeldLicense }
		apptest.Must(t, e.Get(t, "/api/v1/me/licenses", ada.Token), 200).Decode(t, &mine)
		if len(mine.Data) != 1 || !mine.Data[0].Valid || mine.Data[0].Plan.ID != "personal" ||
			mine.Data[0].Organization != nil {
			t.Errorf("licenses = %+v", mine.Data)
		}
		// Its holder runs its billing.
		if s := getSub(t, e, ada, res.Subscription.ID); s.Seats != 1 {
			t.Errorf("subscription = %+v", s)
		}
	})
}

func TestSeatChanges(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		res := buy(t, e, ada, 4, cardOK)
		sub := res.Subscription
		base := "/api/v1/billing/subscriptions/" + sub.ID

		// Half way through the period, two more seats cost half a period each.
		half := sub.CurrentPeriodEnd.Sub(sub.CurrentPeriodStart) / 2
		advance(t, e, half.String())
		var preview sk.SeatChange
		apptest.Must(t, e.Post(t, base+"/seats/preview", ada.Token, map[string]int{"seats": 6}),
			http.StatusOK).Decode(t, &preview)
		if want := int64(1500); preview.AmountDueNow < want-2 || preview.AmountDueNow > want+2 ||
			preview.Credit != 0 || preview.Currency != "USD" {
			t.Errorf("preview = %+v, want about %d due now", preview, want)
		}
		var change sk.SeatChange
		apptest.Must(t, e.Post(t, base+"/seats", ada.Token, map[string]int{"seats": 6}),
			http.StatusOK).Decode(t, &change)
		if change.AmountDueNow != preview.AmountDueNow || change.Invoice == nil ||
			change.Invoice.Total != change.AmountDueNow || !change.Invoice.Lines[0].Proration {
			t.Errorf("change = %+v, preview %+v", change, preview)
		}
		org := res.Organization.ID
		if l := listLicenses(t, e, ada, org, ""); l.Counts.Total != 6 {
			t.Errorf("licenses after the increase = %+v", l.Counts)
		}

		// A decrease needs free licenses: with five of six held, going to two
		// needs three more unassigned first.
		lics := listLicenses(t, e, ada, org, "")
		for i, l := range lics.Data[:5] {
			apptest.Must(t, assign(t, e, ada, org, l.ID, fmt.Sprintf("p%d@example.com", i), false), 200)
		}
		r := e.Post(t, base+"/seats", ada.Token, map[string]int{"seats": 2})
		if r.Status != http.StatusConflict || !strings.Contains(r.JSON(t)["detail"].(string), "unassign 3") {
			t.Errorf("decrease past the free licenses: %d %s", r.Status, r.Body)
		}
		apptest.Must(t, e.Post(t, base+"/seats", ada.Token, map[string]int{"seats": 5}),
			http.StatusOK).Decode(t, &change)
		if change.Credit < 750-2 || change.Credit > 750+2 || change.AmountDueNow != 0 {
			t.Errorf("decrease = %+v, want about 750 credited", change)
		}
		var c sk.Customer
		apptest.Must(t, e.Get(t, "/api/v1/billing/customers/"+sub.CustomerID, ada.Token), 200).
			Decode(t, &c)
		if c.Balance != change.Credit {
			t.Errorf("balance %d, want %d", c.Balance, change.Credit)
		}

		// The renewal spends the credit.
		advance(t, e, half.String())
		all := invoices(t, e, ada, sub.CustomerID)
		renewal := all[0]
		if renewal.Subtotal != 5*1500 || renewal.CreditApplied != change.Credit ||
			renewal.Status != "paid" {
			t.Errorf("renewal = %+v", renewal)
		}
		for i, inv := range all {
			checkInvoice(t, inv)
			if i > 0 && inv.Number != all[i-1].Number-1 {
				t.Errorf("invoice numbers not sequential: %d after %d", inv.Number, all[i-1].Number)
			}
		}

		wantField(t, e.Post(t, base+"/seats", ada.Token, map[string]int{"seats": 0}),
			http.StatusBadRequest, "seats")
	})
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		res := buy(t, e, ada, 2, cardOK)
		sub, org := res.Subscription, res.Organization.ID
		lic := listLicenses(t, e, ada, org, "").Data[0].ID
		apptest.Must(t, assign(t, e, ada, org, lic, ada.Email, false), 200)

		// Renewal at period end.
		start := getSub(t, e, ada, sub.ID).CurrentPeriodEnd
		advance(t, e, "745h") // past any month's end
		renewed := getSub(t, e, ada, sub.ID)
		if renewed.Status != "active" || !renewed.CurrentPeriodStart.Equal(start) {
			t.Errorf("after renewal = %+v", renewed)
		}

		// A card whose charges fail: past due, three retries, then the end.
		useCard(t, e, ada, sub.CustomerID, cardChargeFails)
		advance(t, e, "745h")
		if s := getSub(t, e, ada, sub.ID); s.Status != "past_due" {
			t.Fatalf("after a failed renewal: %+v", s)
		}
		advance(t, e, "50h") // the first retry, after a day
		if s := getSub(t, e, ada, sub.ID); s.Status != "past_due" {
			t.Fatalf("after the first retry: %+v", s)
		}
		advance(t, e, "100h") // the retries after three and five days
		ended := getSub(t, e, ada, sub.ID)
		if ended.Status != "ended" {
			t.Fatalf("after the retries: %+v", ended)
		}
		if held := heldLicense(t, e, ada); held.Valid || held.Status != sk.LicenseExpired {
			t.Errorf("license after the end = %+v", held)
		}
		if l := listLicenses(t, e, ada, org, "status=expired"); len(l.Data) != 2 {
			t.Errorf("expired licenses = %d", len(l.Data))
		}
		uncollectible := 0
		for _, inv := range invoices(t, e, ada, sub.CustomerID) {
			if inv.Status == "uncollectible" {
				uncollectible++
			}
		}
		if uncollectible != 1 {
			t.Errorf("%d uncollectible invoices, want 1", uncollectible)
		}

		// Renewing with a good card restores the licenses to their holders.
		good := useCard(t, e, ada, sub.CustomerID, cardOK)
		apptest.Must(t, e.Post(t, "/api/v1/billing/subscriptions/"+sub.ID+"/renew", ada.Token,
			nil), 200)
		if held := heldLicense(t, e, ada); !held.Valid {
			t.Errorf("license after renewing = %+v", held)
		}

		// Cancel at period end; renew undoes it; cancel again and it ends.
		base := "/api/v1/billing/subscriptions/" + sub.ID
		apptest.Must(t, e.Post(t, base+"/cancel", ada.Token, nil), 200)
		apptest.Must(t, e.Post(t, base+"/renew", ada.Token, nil), 200)
		if s := getSub(t, e, ada, sub.ID); s.CancelAtPeriodEnd {
			t.Errorf("renew did not undo the cancellation: %+v", s)
		}
		apptest.Must(t, e.Post(t, base+"/cancel", ada.Token, nil), 200)
		advance(t, e, "745h")
		if s := getSub(t, e, ada, sub.ID); s.Status != "ended" {
			t.Errorf("cancelled subscription after its period: %+v", s)
		}

		// The default card pays for nothing now and can go.
		apptest.Must(t, e.Delete(t, "/api/v1/billing/customers/"+sub.CustomerID+
			"/payment-methods/"+good.ID, ada.Token), 204)
	})
}

func TestDefaultCardStaysWhileNeeded(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, storetest.Open(t, store.SQLite))
	ada := e.User(t, "Ada Buyer")
	res := buy(t, e, ada, 1, cardOK)
	var c sk.Customer
	apptest.Must(t, e.Get(t, "/api/v1/billing/customers/"+res.Subscription.CustomerID, ada.Token),
		200).Decode(t, &c)
	r := e.Delete(t, "/api/v1/billing/customers/"+c.ID+"/payment-methods/"+c.PaymentMethods[0].ID,
		ada.Token)
	if r.Status != http.StatusConflict {
		t.Errorf("removing the default card of a live subscription: %d %s", r.Status, r.Body)
	}
}

func TestIdempotentCheckout(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		body := map[string]any{"plan": "team", "period": "month", "seats": 2,
			"organization_name": "Acme", "card": card(cardOK)}
		post := func(key string, body any) *apptest.Response {
			return e.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/checkout",
				Token: ada.Token, Body: body, Header: http.Header{"Idempotency-Key": {key}}})
		}

		first := apptest.Must(t, post("k1", body), http.StatusCreated)
		again := apptest.Must(t, post("k1", body), http.StatusCreated)
		if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry answered differently:\n%s\n%s", first.Body, again.Body)
		}
		other := map[string]any{"plan": "team", "period": "month", "seats": 3,
			"organization_name": "Acme", "card": card(cardOK)}
		wantField(t, post("k1", other), http.StatusBadRequest, "Idempotency-Key")

		// Identical requests racing: one checkout, one charge.
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Go(func() { statuses[i] = post("k2", body).Status })
		}
		wg.Wait()
		created := 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("racing request: status %d", s)
			}
		}
		var mine struct{ Data []sk.Subscription }
		apptest.Must(t, e.Get(t, "/api/v1/me/subscriptions", ada.Token), 200).Decode(t, &mine)
		if created < 1 || len(mine.Data) != 2 {
			t.Errorf("%d created, %d subscriptions; want 2 subscriptions in all", created, len(mine.Data))
		}
	})
}

func TestBillingPermissions(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Owner")
		mia := e.User(t, "Mia Manager")
		ola := e.User(t, "Ola Owner")
		eve := e.User(t, "Eve Stranger")
		res := buy(t, e, ada, 2, cardOK)
		org, sub, customer := res.Organization.ID, res.Subscription.ID, res.Subscription.CustomerID
		join(t, e, ada, org, nil, mia, sk.RoleManager)

		// A second organization of the same customer account, with its own
		// Owner: Owner there grants billing over the first one's subscription.
		var second sk.CheckoutResult
		var c sk.Customer
		apptest.Must(t, e.Get(t, "/api/v1/billing/customers/"+customer, ada.Token), 200).Decode(t, &c)
		apptest.Must(t, e.Post(t, "/api/v1/checkout", ada.Token, map[string]any{
			"plan": "team", "period": "month", "seats": 1, "organization_name": "Acme Two",
			"customer_id": customer, "payment_method": c.PaymentMethods[0].ID,
		}), 201).Decode(t, &second)
		join(t, e, ada, second.Organization.ID, nil, ola, sk.RoleOwner)
		if s := getSub(t, e, ola, sub); s.ID != sub {
			t.Errorf("owner of a sibling organization: %+v", s)
		}

		// The Manager reads the organization's subscriptions, and no more.
		var list struct{ Data []sk.Subscription }
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/subscriptions", mia.Token), 200).Decode(t, &list)
		if len(list.Data) != 1 {
			t.Errorf("manager's view = %+v", list.Data)
		}
		checks := []struct {
			who    *apptest.User
			method string
			path   string
			status int
		}{
			{mia, "GET", "/api/v1/billing/subscriptions/" + sub, 403},
			{mia, "POST", "/api/v1/billing/subscriptions/" + sub + "/cancel", 403},
			{mia, "GET", "/api/v1/billing/customers/" + customer, 404},
			{eve, "GET", "/api/v1/billing/subscriptions/" + sub, 404},
			{eve, "GET", "/api/v1/billing/customers/" + customer + "/invoices", 404},
			{eve, "GET", "/api/v1/billing/invoices/" + res.Invoice.ID, 404},
			{eve, "GET", "/api/v1/orgs/" + org + "/subscriptions", 404},
		}
		for _, c := range checks {
			r := e.Do(t, apptest.Request{Method: c.method, Path: c.path, Token: c.who.Token})
			if r.Status != c.status {
				t.Errorf("%s %s %s: %d, want %d", c.who.Name, c.method, c.path, r.Status, c.status)
			}
		}
	})
}

// TestRenewalRunsOnce runs the due work from several goroutines at once, as
// several servers would: each renewal bills once.
func TestRenewalRunsOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		ada := e.User(t, "Ada Buyer")
		res := buy(t, e, ada, 3, cardOK)

		// Move the clock without running anything, then run from four places.
		e.App.Clock.(*sk.DevClock).Advance(745 * time.Hour)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := e.App.Billing.RunDue(t.Context()); err != nil {
					t.Errorf("RunDue: %v", err)
				}
			})
		}
		wg.Wait()

		all := invoices(t, e, ada, res.Subscription.CustomerID)
		if len(all) != 2 {
			t.Fatalf("%d invoices after one renewal run four times, want 2", len(all))
		}
		if n, err := e.App.Billing.RunDue(t.Context()); err != nil || n != 0 {
			t.Errorf("running again changed %d subscriptions (%v)", n, err)
		}
	})
}
