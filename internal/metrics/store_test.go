package metrics_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/metrics/metricstest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestStoreGauges fills the queues by hand, with no worker to empty them,
// and reads them back from a scrape.
func TestStoreGauges(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		clock := &sk.DevClock{}
		m := metrics.New(quiet)
		if err := m.WatchStore(db, clock); err != nil {
			t.Fatal(err)
		}
		if err := m.WatchStore(db, clock); err == nil {
			t.Error("a registry watched two stores")
		}

		// Four messages: one sent, one failed and waiting long to retry, two
		// due.
		tx(t, db, func(tx *store.Tx) error {
			for range 4 {
				m := mail.Message{To: "ada@example.com", Subject: "Hello", Text: "Hi."}
				if err := tx.EnqueueMail(ctx, m, clock.Now()); err != nil {
					return err
				}
			}
			claimed, err := tx.ClaimMail(ctx, clock.Now(), time.Minute, 2)
			if err != nil {
				return err
			}
			if err := tx.MailSent(ctx, claimed[0].ID, clock.Now()); err != nil {
				return err
			}
			retry := clock.Now().Add(60 * 24 * time.Hour)
			return tx.MailFailed(ctx, claimed[1].ID, "refused", retry)
		})
		subscribe(t, db, clock.Now())
		clock.Advance(32 * 24 * time.Hour) // past any month's end

		srv := httptest.NewServer(m.Handler())
		t.Cleanup(srv.Close)
		s := metricstest.Get(t, srv.URL)
		want := map[string]float64{
			"seatkeeper_mail_unsent":             3,
			"seatkeeper_mail_due":                2,
			"seatkeeper_mail_failing":            1,
			"seatkeeper_subscriptions_due":       1,
			"seatkeeper_subscriptions_past_due":  0,
			"seatkeeper_db_connections_max_open": float64(db.Stats().MaxOpenConnections),
		}
		for name, n := range want {
			if got, ok := s.Value(name); got != n || !ok {
				t.Errorf("%s = %v (present: %v), want %v", name, got, ok, n)
			}
		}
		if _, ok := s.Value("seatkeeper_db_connections_closed_total", "reason",
			"max_idle_time"); !ok {
			t.Error("no seatkeeper_db_connections_closed_total{reason=\"max_idle_time\"}")
		}
	})
}

func tx(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// subscribe stores a monthly subscription that begins now.
func subscribe(t *testing.T, db *store.DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	tx(t, db, func(tx *store.Tx) error {
		err := tx.UpsertPlan(ctx, &store.PlanRecord{ID: "solo", Name: "Solo",
			Kind: sk.PlanPersonal, Currency: "EUR", PriceMonth: 1000, PriceYear: 10000,
			MinSeats: 1, MaxSeats: 1, MaxActivations: 1})
		if err != nil {
			return err
		}
		user := &store.UserRecord{User: sk.User{ID: sk.NewID(sk.PrefixUser, now),
			Email: "ada@example.com", Name: "Ada", CreatedAt: now}, PasswordHash: "x"}
		if err := tx.CreateUser(ctx, user); err != nil {
			return err
		}
		customer := &store.CustomerRecord{ID: sk.NewID(sk.PrefixCustomer, now),
			BillingName: "Ada", BillingEmail: "ada@example.com", Currency: "EUR",
			CreatedAt: now}
		if err := tx.CreateCustomer(ctx, customer); err != nil {
			return err
		}
		_, err = tx.CreateSubscription(ctx, &store.SubscriptionRecord{
			ID: sk.NewID(sk.PrefixSubscription, now), CustomerID: customer.ID,
			UserID: &user.ID, PlanID: "solo", Period: "month", Seats: 1, Status: "active",
			PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0), CreatedAt: now})
		return err
	})
}
