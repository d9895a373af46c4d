// Package demo fills an empty store with a realistic organization, so that
// a newcomer who runs `seatkeeper serve --demo` sees a living dashboard at
// once: teams, people in every role, assigned, pending and free licenses,
// invoices and an audit log. Everything goes through the same services as
// the dashboard, so the data is what real use would leave behind.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Password is the password of every demo account.
const Password = "seatkeeper-demo"

// OrgName is the demo organization's name.
const OrgName = "Northwind Labs"

// ErrNotEmpty is returned by Seed for a store that already has accounts:
// demo data never mixes with real data.
var ErrNotEmpty = errors.New(
	"the store already has accounts; demo data goes only into an empty one")

// Person is a demo account and what signing in as it shows.
type Person struct {
	Email, Name, Shows string
}

// client is where the demo's changes come from, as the audit log says.
var client = sk.Client{IP: "demo"}

// people with a role, in the order the sign-in hint lists them.
var staff = []struct {
	name  string
	role  sk.Role
	team  string // "" for the organization
	shows string
}{
	{"Olivia Owner", sk.RoleOwner, "", "Owner: everything, billing included"},
	{"Max Manager", sk.RoleManager, "", "Manager: licenses, teams and roles"},
	{"Ada Assigner", sk.RoleAssigner, "", "Assigner: assigns licenses, nothing else"},
	{"Vic Viewer", sk.RoleViewer, "", "Viewer: reads, changes nothing"},
	{"Tess Lead", sk.RoleManager, "Design", "Manager of the Design team only"},
}

// holders hold licenses and no role; the first one is the sign-in hint's
// example of what a license holder sees.
var holders = []string{"Hana Holder", "Liam Brooks", "Maya Chen", "Noah Diaz",
	"Priya Iyer", "Omar Haddad", "Zoe Martin", "Luca Rossi", "Ines Silva",
	"Kenji Sato", "Elena Petrova", "Jonas Berg", "Amara Okafor", "Felix Wagner"}

// teams and how many licenses each is delegated.
var teams = []struct {
	name     string
	licenses int
}{{"Design", 8}, {"Platform", 10}, {"Support", 5}, {"Research", 3}}

// Seed fills an empty store with the demo organization and returns who can
// sign in. On a store it filled before it only returns them again; on any
// other store that has accounts it returns ErrNotEmpty.
func Seed(ctx context.Context, a *app.App, db *store.DB) ([]Person, error) {
	s := &seeder{app: a, actors: map[string]*sk.Actor{}, users: map[string]*sk.User{}}
	var any, seeded bool
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		if any, err = tx.HasUsers(ctx); err != nil || !any {
			return err
		}
		_, err = tx.UserByEmail(ctx, email(staff[0].name))
		seeded = err == nil
		if sk.ErrorCode(err) == sk.ENOTFOUND {
			err = nil
		}
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case seeded:
		return s.people(), nil // a demo store, started again
	case any:
		return nil, ErrNotEmpty
	}

	steps := []func(context.Context) error{s.accounts, s.buy, s.organize, s.assign}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, fmt.Errorf("seeding demo data: %w", err)
		}
	}
	return s.people(), nil
}

// seeder carries what the steps of Seed make for the next ones.
type seeder struct {
	app    *app.App
	users  map[string]*sk.User  // by name
	actors map[string]*sk.Actor // by name, for those who act
	org    string
	teams  map[string]string // team IDs by name
}

// email is a demo person's address: reserved example.com, never delivered.
func email(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
}

// accounts makes every demo person's verified account. The staff act in
// the later steps as themselves.
func (s *seeder) accounts(ctx context.Context) error {
	for _, p := range staff {
		u, err := s.app.Accounts.CreateVerified(ctx, email(p.name), p.name, Password)
		if err != nil {
			return err
		}
		s.users[p.name], s.actors[p.name] = u, &sk.Actor{User: *u}
	}
	for _, name := range holders {
		u, err := s.app.Accounts.CreateVerified(ctx, email(name), name, Password)
		if err != nil {
			return err
		}
		s.users[name] = u
	}
	return nil
}

// buy has the Owner buy seats for the organization, with the test card, and
// add more seats later: two invoices, one of them prorated.
func (s *seeder) buy(ctx context.Context) error {
	owner := s.actors["Olivia Owner"]
	res, err := s.app.Billing.Checkout(ctx, owner, client, sk.Checkout{
		Plan: "team", Period: sk.PeriodYear, Seats: 30, OrganizationName: OrgName,
		Card: &sk.Card{Number: "4242 4242 4242 4242", ExpMonth: 12,
			ExpYear: s.app.Clock.Now().Year() + 3, CVC: "123"},
	})
	if err != nil {
		return err
	}
	s.org = res.Organization.ID
	_, err = s.app.Billing.ChangeSeats(ctx, owner, client, res.Subscription.ID, 35)
	return err
}

// organize creates the teams, gives the staff their roles, delegates
// licenses to the teams and leaves one invitation pending.
func (s *seeder) organize(ctx context.Context) error {
	owner := s.actors["Olivia Owner"]
	s.teams = map[string]string{}
	for _, t := range teams {
		team, err := s.app.Orgs.CreateTeam(ctx, owner, client, s.org, t.name)
		if err != nil {
			return err
		}
		s.teams[t.name] = team.ID
	}
	for _, p := range staff[1:] {
		scope := sk.Scope{OrgID: s.org, TeamID: s.teams[p.team]}
		_, err := s.app.Orgs.AddMember(ctx, owner, client, scope, s.users[p.name].ID, p.role)
		if err != nil {
			return err
		}
	}

	free, err := s.free(ctx)
	if err != nil {
		return err
	}
	manager := s.actors["Max Manager"]
	for _, t := range teams {
		id := s.teams[t.name]
		moving := free[:t.licenses]
		_, err := s.app.Licenses.ChangeTeam(ctx, manager, client, s.org, moving, &id)
		if err != nil {
			return err
		}
		free = free[t.licenses:]
	}
	_, err = s.app.Orgs.Invite(ctx, manager, client, s.org, sk.Invite{
		Email: "sam.candidate@example.com", Role: sk.RoleViewer})
	return err
}

// free lists the organization's unassigned licenses that it manages itself.
func (s *seeder) free(ctx context.Context) ([]string, error) {
	list, _, _, err := s.app.Licenses.Licenses(ctx, s.actors["Olivia Owner"], s.org,
		sk.LicenseFilter{Team: "organization", Status: sk.LicenseUnassigned},
		sk.Page{Limit: 200})
	ids := make([]string, len(list))
	for i, l := range list {
		ids[i] = l.ID
	}
	return ids, err
}

// assign gives licenses to the holders across the teams, one to the Owner,
// and one to a new hire who has no account yet, which stays pending.
func (s *seeder) assign(ctx context.Context) error {
	assigner := s.actors["Ada Assigner"]
	emails := []string{email("Olivia Owner")}
	for _, name := range holders {
		emails = append(emails, email(name))
	}
	emails = append(emails, "new.hire@example.com")

	var licenses []string
	for _, t := range teams {
		list, _, _, err := s.app.Licenses.Licenses(ctx, assigner, s.org,
			sk.LicenseFilter{Team: s.teams[t.name]}, sk.Page{Limit: 200})
		if err != nil {
			return err
		}
		// Leave each team a free license or two.
		for _, l := range list[:len(list)-min(2, len(list)-1)] {
			licenses = append(licenses, l.ID)
		}
	}
	for i, address := range emails {
		_, err := s.app.Licenses.Assign(ctx, assigner, client, s.org, licenses[i],
			sk.Assignment{Email: address})
		if err != nil {
			return err
		}
	}
	return nil
}

// people lists who can sign in, staff first, then a license holder.
func (s *seeder) people() []Person {
	var out []Person
	for _, p := range staff {
		out = append(out, Person{Email: email(p.name), Name: p.name, Shows: p.shows})
	}
	return append(out, Person{Email: email(holders[0]), Name: holders[0],
		Shows: "holds a license and no role: My licenses only"})
}

// Print writes how to sign in as each demo person.
func Print(w io.Writer, baseURL string, people []Person) {
	fmt.Fprintf(w, "\nDemo data is ready: %s, with teams, people in every role, "+
		"licenses and invoices.\n", OrgName)
	fmt.Fprintf(w, "Sign in at %s/sign-in with the password %q as:\n", baseURL, Password)
	for _, p := range people {
		fmt.Fprintf(w, "  %-28s %s\n", p.Email, p.Shows)
	}
	fmt.Fprintln(w)
}
