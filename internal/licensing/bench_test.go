package licensing_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/licensing"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// The scale of the licenses issue's targets: an organization of 100,000
// licenses and 1,000 teams.
const (
	benchLicenses = 100_000
	benchTeams    = 1_000
)

// bigOrg is an organization at that scale: nine in ten licenses delegated
// round-robin to the teams, the rest managed by the organization.
type bigOrg struct {
	db       *store.DB
	svc      *licensing.Service
	owner    *sk.Actor
	orgID    string
	teams    []string
	licenses []string
}

func newBigOrg(b *testing.B, d store.Dialect) *bigOrg {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, d)
	clock := sk.SystemClock{}
	now := clock.Now()
	templates, err := mail.NewTemplates()
	if err != nil {
		b.Fatal(err)
	}
	o := &bigOrg{db: db, svc: licensing.New(licensing.Config{DB: db, Clock: clock,
		Mail: templates, Logger: slog.New(slog.DiscardHandler)})}

	err = db.Tx(ctx, func(tx *store.Tx) error {
		owner := &store.UserRecord{User: sk.User{ID: sk.NewID(sk.PrefixUser, now),
			Email: "owner@example.com", Name: "Owner", EmailVerified: true, CreatedAt: now},
			PasswordHash: "-"}
		if err := tx.CreateUser(ctx, owner); err != nil {
			return err
		}
		o.owner = &sk.Actor{User: owner.User}

		org := &sk.Organization{ID: sk.NewID(sk.PrefixOrganization, now), Name: "Big", CreatedAt: now}
		if err := tx.CreateOrganization(ctx, org, nil); err != nil {
			return err
		}
		o.orgID = org.ID
		grant := &sk.Grant{ID: sk.NewID(sk.PrefixGrant, now), User: sk.UserRef{ID: owner.ID},
			Role: sk.RoleOwner}
		if err := tx.CreateGrant(ctx, sk.Scope{OrgID: org.ID}, grant, nil, now); err != nil {
			return err
		}

		for i := range benchTeams {
			team := &sk.Team{ID: sk.NewID(sk.PrefixTeam, now), Name: fmt.Sprint("Team ", i),
				CreatedAt: now}
			if err := tx.CreateTeam(ctx, org.ID, team); err != nil {
				return err
			}
			o.teams = append(o.teams, team.ID)
		}

		if err := tx.UpsertPlan(ctx, &store.PlanRecord{ID: "big", Name: "Big",
			Kind: "organization", Currency: "EUR", PriceMonth: 100, PriceYear: 1000,
			MinSeats: 1, MaxSeats: benchLicenses, MaxActivations: 1}); err != nil {
			return err
		}
		customer := &store.CustomerRecord{ID: sk.NewID(sk.PrefixCustomer, now),
			BillingName: "Big", BillingEmail: "billing@example.com", Currency: "EUR",
			CreatedAt: now}
		if err := tx.CreateCustomer(ctx, customer); err != nil {
			return err
		}
		o.licenses, err = tx.CreateSubscription(ctx, &store.SubscriptionRecord{
			ID: sk.NewID(sk.PrefixSubscription, now), CustomerID: customer.ID, OrgID: &org.ID,
			PlanID: "big", Period: "year", Seats: benchLicenses, Status: "active",
			PeriodStart: now, PeriodEnd: now.AddDate(1, 0, 0), CreatedAt: now})
		if err != nil {
			return err
		}

		byTeam := map[string][]string{}
		for i, id := range o.licenses {
			if i%10 != 0 {
				team := o.teams[i%benchTeams]
				byTeam[team] = append(byTeam[team], id)
			}
		}
		for team, ids := range byTeam {
			if err := tx.MoveLicenses(ctx, org.ID, ids, &team); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("building the organization: %v", err)
	}
	return o
}

// pageAfter returns the key of the license that a page deep into the list
// starts after: the list's order is by ID.
func (o *bigOrg) pageAfter(b *testing.B, fraction float64) string {
	b.Helper()
	var key string
	err := o.db.View(context.Background(), func(tx *store.Tx) error {
		list, err := tx.Licenses(context.Background(), o.orgID, sk.LicenseFilter{},
			"", int(fraction*benchLicenses))
		if len(list) > 0 {
			key = list[len(list)-1].ID
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return key
}

// BenchmarkLicenseList lists a page of 50 licenses of the big organization,
// through the service (authorization included), first and 90% deep. The
// first page also counts the organization's licenses.
func BenchmarkLicenseList(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			o := newBigOrg(b, d)
			deep := o.pageAfter(b, 0.9)
			for _, c := range []struct {
				name  string
				after string
			}{{"first", ""}, {"deep", deep}} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						list, _, _, err := o.svc.Licenses(context.Background(), o.owner, o.orgID,
							sk.LicenseFilter{}, sk.Page{After: c.after, Limit: 50})
						if err != nil || len(list) != 50 {
							b.Fatalf("%d licenses, %v", len(list), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkChangeTeam moves 10,000 licenses of the big organization between
// two teams in one request.
func BenchmarkChangeTeam(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			o := newBigOrg(b, d)
			ids := o.licenses[:10_000]
			i := 0
			for b.Loop() {
				team := o.teams[i%2]
				i++
				moved, err := o.svc.ChangeTeam(context.Background(), o.owner, sk.Client{},
					o.orgID, ids, &team)
				if err != nil || moved == 0 {
					b.Fatalf("moved %d: %v", moved, err)
				}
			}
		})
	}
}
