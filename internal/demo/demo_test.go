package demo_test

import (
	"context"
	"errors"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/demo"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestSeed fills an empty store and checks that the demo shows what it
// promises: every role, teams, assigned, pending and free licenses, and
// invoices; seeding again changes nothing, and a store with other
// accounts is left alone.
func TestSeed(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		env := apptest.Start(t, db)
		people, err := demo.Seed(ctx, env.App, db)
		if err != nil {
			t.Fatal(err)
		}

		owner := signIn(t, env, people[0].Email)
		_, orgs, err := env.App.Accounts.Me(ctx, owner)
		if err != nil || len(orgs) != 1 || orgs[0].Name != demo.OrgName {
			t.Fatalf("the owner's organizations: %+v, %v", orgs, err)
		}
		org := orgs[0].ID
		list, counts, _, err := env.App.Licenses.Licenses(ctx, owner, org, sk.LicenseFilter{},
			sk.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]int{}
		for _, l := range list {
			status[l.Status]++
		}
		if counts.Total != 35 || status[sk.LicenseAssigned] != 15 ||
			status[sk.LicensePending] != 1 || status[sk.LicenseUnassigned] != 19 {
			t.Errorf("licenses: counts %+v, by status %v", counts, status)
		}

		roles := map[sk.Role]int{}
		grants, _, err := env.App.Orgs.Roles(ctx, owner, sk.Scope{OrgID: org},
			sk.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grants {
			roles[g.Role]++
		}
		for _, r := range []sk.Role{sk.RoleOwner, sk.RoleManager, sk.RoleAssigner,
			sk.RoleViewer} {
			if roles[r] != 1 {
				t.Errorf("%d organization grants of %s, want 1", roles[r], r)
			}
		}
		teams, _, err := env.App.Orgs.Teams(ctx, owner, org, sk.Page{Limit: 10})
		if err != nil || len(teams) != 4 {
			t.Errorf("teams: %+v, %v", teams, err)
		}
		subs, err := env.App.Billing.OrgSubscriptions(ctx, owner, org)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions: %+v, %v", subs, err)
		}
		invoices, _, err := env.App.Billing.Invoices(ctx, owner, subs[0].CustomerID,
			sk.Page{Limit: 10})
		if err != nil || len(invoices) != 2 {
			t.Errorf("invoices: %d, %v; want the purchase and the added seats",
				len(invoices), err)
		}

		holder := signIn(t, env, people[len(people)-1].Email)
		held, err := env.App.Licenses.MyLicenses(ctx, holder)
		if err != nil || len(held) != 1 {
			t.Errorf("the license holder holds %d licenses (%v), want 1", len(held), err)
		}

		again, err := demo.Seed(ctx, env.App, db)
		if err != nil || len(again) != len(people) {
			t.Errorf("seeding again: %d people, %v", len(again), err)
		}
		if n := len(env.Holdings(t, org)); n != 35 {
			t.Errorf("seeding again left %d licenses, want 35", n)
		}
	})
}

// TestSeedLeavesRealStoresAlone checks that a store with accounts of its
// own gets no demo data.
func TestSeedLeavesRealStoresAlone(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	env := apptest.Start(t, db)
	env.User(t, "Real Person")
	_, err := demo.Seed(context.Background(), env.App, db)
	if !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("seeding a store in use: %v, want ErrNotEmpty", err)
	}
}

func signIn(t *testing.T, env *apptest.Env, email string) *sk.Actor {
	t.Helper()
	ctx := context.Background()
	token, _, err := env.App.Accounts.Login(ctx, sk.Client{IP: "test"}, email, demo.Password)
	if err != nil {
		t.Fatalf("signing in %s: %v", email, err)
	}
	a, err := env.App.Accounts.Authenticate(ctx, token.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
