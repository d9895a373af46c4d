package api_test

import (
	"fmt"
	"net/http"
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// The permission matrix: every actor (no role, each role held at the
// organization or at team A, and a few who hold roles at two scopes) against
// every target scope (the organization, team A, team B, another
// organization) and every action of PRODUCT.md's roles table, through the
// HTTP API. The expectations are written from PRODUCT.md's table here, not
// taken from package policy, so that the two must agree.

// actor is a user holding roles at up to three places, or none.
type actor struct {
	name    string
	orgRole sk.Role // "" for none
	teamA   sk.Role // role at team A, "" for none
	teamB   sk.Role // role at team B, "" for none
	user    *apptest.User
}

// target is where an action is aimed.
type target int

const (
	atOrg target = iota
	atTeamA
	atTeamB
	atOtherOrg
)

func (tg target) String() string {
	return [...]string{"organization", "team A", "team B", "another organization"}[tg]
}

func atLeast(r, min sk.Role) bool { return r.Level() >= min.Level() }

func higher(a, b sk.Role) sk.Role {
	if b.Level() > a.Level() {
		return b
	}
	return a
}

// holds is the role the actor holds at the target itself, "" for none.
func (a *actor) holds(tg target) sk.Role {
	switch tg {
	case atOrg:
		return a.orgRole
	case atTeamA:
		return a.teamA
	case atTeamB:
		return a.teamB
	}
	return ""
}

// effective is the actor's role at the target, per PRODUCT.md: the higher of
// the organization role and that team's role.
func (a *actor) effective(tg target) sk.Role {
	if tg == atTeamA || tg == atTeamB {
		return higher(a.orgRole, a.holds(tg))
	}
	return a.holds(tg)
}

// sees reports whether the target exists for the actor at all: the
// organization for anyone with a role in it; a team for readers of the
// organization and holders of a role at the team.
func (a *actor) sees(tg target) bool {
	switch tg {
	case atOrg:
		return a.orgRole != "" || a.teamA != "" || a.teamB != ""
	case atTeamA, atTeamB:
		return a.orgRole != "" || a.effective(tg) != ""
	}
	return false
}

// action is one request of the matrix, with who may make it.
type action struct {
	name    string
	targets []target
	allowed func(a *actor, tg target) bool

	// sees overrides actor.sees when the action aims at something inside the
	// target that has visibility of its own.
	sees func(a *actor, tg target) bool

	// refused is the status of a refusal to an actor who sees the target:
	// 403 unless set.
	refused int

	do func(f *fixture, a *actor, tg target) *apptest.Response

	// after restores the state once the request is answered; ok says
	// whether it succeeded.
	after func(f *fixture, a *actor, tg target, ok bool)
}

// effectiveAtLeast allows actors whose effective role at the target is min
// or above.
func effectiveAtLeast(min sk.Role) func(*actor, target) bool {
	return func(a *actor, tg target) bool { return atLeast(a.effective(tg), min) }
}

// orgRoleAtLeast allows actors whose role at the target's organization is
// min or above.
func orgRoleAtLeast(min sk.Role) func(*actor, target) bool {
	return func(a *actor, tg target) bool { return tg != atOtherOrg && atLeast(a.orgRole, min) }
}

// prepared is an action that needs something made first, by the target
// organization's Owner; what prepare returns is passed to do.
func prepared(prepare func(f *fixture, a *actor, tg target) string,
	do func(f *fixture, a *actor, tg target, made string) *apptest.Response) func(
	*fixture, *actor, target) *apptest.Response {
	return func(f *fixture, a *actor, tg target) *apptest.Response {
		return do(f, a, tg, prepare(f, a, tg))
	}
}

type fixture struct {
	t       *testing.T
	e       *apptest.Env
	owner   *apptest.User // Owner of the organization; makes the repairs
	other   *apptest.User // Owner of the other organization
	subject *apptest.User // a member whose roles are granted and removed
	org     string
	otherID string
	teamA   string
	teamB   string
	teamC   string // where the subject keeps a role, so stays a member

	bought  map[target]*sk.CheckoutResult // of the organization and the other
	license map[target]string             // one license managed at each target
	n       int
}

func (f *fixture) orgOf(tg target) string {
	if tg == atOtherOrg {
		return f.otherID
	}
	return f.org
}

// scopePath is the path of the target's scope: the organization or a team.
func (f *fixture) scopePath(tg target) string {
	switch tg {
	case atTeamA:
		return "/api/v1/orgs/" + f.org + "/teams/" + f.teamA
	case atTeamB:
		return "/api/v1/orgs/" + f.org + "/teams/" + f.teamB
	}
	return "/api/v1/orgs/" + f.orgOf(tg)
}

func (f *fixture) teamID(tg target) *string {
	switch tg {
	case atTeamA:
		return &f.teamA
	case atTeamB:
		return &f.teamB
	}
	return nil
}

// ownerOf is the Owner of the target's organization.
func (f *fixture) ownerOf(tg target) *apptest.User {
	if tg == atOtherOrg {
		return f.other
	}
	return f.owner
}

// billing is what checkout made for the target's organization.
func (f *fixture) billing(tg target) *sk.CheckoutResult {
	if tg == atOtherOrg {
		return f.bought[atOtherOrg]
	}
	return f.bought[atOrg]
}

func (f *fixture) fresh() string {
	f.n++
	return fmt.Sprint("n", f.n)
}

// restoreSubject puts the subject back to their roles, Viewer at team B and
// at team C, after an action granted them another or took one.
func (f *fixture) restoreSubject(tg target) {
	path := f.scopePath(tg) + "/roles/" + f.subject.ID
	if tg == atTeamB {
		apptest.Must(f.t, f.e.Put(f.t, path, f.owner.Token, map[string]string{"role": "viewer"}),
			http.StatusOK)
		return
	}
	apptest.Must(f.t, f.e.Delete(f.t, path, f.owner.Token), http.StatusNoContent)
}

// subjectAs gives the subject a role at the target, for the actions that
// change or remove an existing grant.
func subjectAs(role sk.Role) func(*fixture, *actor, target) string {
	return func(f *fixture, _ *actor, tg target) string {
		if tg != atOtherOrg {
			apptest.Must(f.t, f.e.Put(f.t, f.scopePath(tg)+"/roles/"+f.subject.ID,
				f.owner.Token, map[string]sk.Role{"role": role}), http.StatusOK)
		}
		return f.subject.ID
	}
}

// restoreSubjectUnlessRemoved restores the subject after a change or
// removal of their grant at the target, however it was answered.
func restoreSubjectUnlessRemoved(removing bool) func(*fixture, *actor, target, bool) {
	return func(f *fixture, _ *actor, tg target, ok bool) {
		if tg == atOtherOrg || (removing && ok) {
			return
		}
		f.restoreSubject(tg)
	}
}

// rejoin gives the actor back the role they abandoned at the target: by a
// grant while they are still a member, else by a new invitation.
func (f *fixture) rejoin(a *actor, tg target) {
	role := a.holds(tg)
	stillMember := false
	for _, other := range []target{atOrg, atTeamA, atTeamB} {
		stillMember = stillMember || (other != tg && a.holds(other) != "")
	}
	if !stillMember {
		join(f.t, f.e, f.owner, f.org, f.teamID(tg), a.user, role)
		return
	}
	apptest.Must(f.t, f.e.Put(f.t, f.scopePath(tg)+"/roles/"+a.user.ID, f.owner.Token,
		map[string]sk.Role{"role": role}), http.StatusOK)
}

// invitation has the target organization's Owner invite a new address to
// the target's scope and returns the invitation's ID.
func invitation(role sk.Role) func(*fixture, *actor, target) string {
	return func(f *fixture, _ *actor, tg target) string {
		var inv struct{ ID string }
		apptest.Must(f.t, f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations",
			f.ownerOf(tg).Token, map[string]any{"email": f.fresh() + "@example.com",
				"role": role, "team_id": f.teamID(tg)}),
			http.StatusCreated).Decode(f.t, &inv)
		return inv.ID
	}
}

// assigned has the target organization's Owner assign the target's license
// to a new address, and returns the license.
func assigned(f *fixture, _ *actor, tg target) string {
	apptest.Must(f.t, assign(f.t, f.e, f.ownerOf(tg), f.orgOf(tg), f.license[tg],
		f.fresh()+"@example.com", false), http.StatusOK)
	return f.license[tg]
}

// unassign frees the target's license, as its organization's Owner.
func (f *fixture) unassign(tg target) {
	apptest.Must(f.t, f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/licenses/"+
		f.license[tg]+"/assignee", f.ownerOf(tg).Token), http.StatusNoContent)
}

// move sends a change-team of the licenses to the team (nil for the
// organization).
func (f *fixture) move(by *apptest.User, org string, licenses []string,
	team *string) *apptest.Response {
	return f.e.Post(f.t, "/api/v1/orgs/"+org+"/licenses/change-team", by.Token,
		map[string]any{"license_ids": licenses, "team_id": team})
}

// moveTo is the change-team of the target's license to the scope to: it
// needs Manager at the scope left and at the scope joined, and is seen by
// those who read the license and see the scope joined.
func moveTo(to target) action {
	return action{
		name: "move a license to " + to.String(),
		allowed: func(a *actor, from target) bool {
			return atLeast(a.effective(from), sk.RoleManager) &&
				atLeast(a.effective(to), sk.RoleManager)
		},
		sees: func(a *actor, from target) bool {
			return atLeast(a.effective(from), sk.RoleViewer) && a.sees(to)
		},
		do: func(f *fixture, a *actor, from target) *apptest.Response {
			return f.move(a.user, f.orgOf(from), []string{f.license[from]}, f.teamID(to))
		},
		after: func(f *fixture, _ *actor, from target, ok bool) {
			if ok {
				apptest.Must(f.t, f.move(f.owner, f.org, []string{f.license[from]},
					f.teamID(from)), http.StatusOK)
			}
		},
	}
}

var allTargets = []target{atOrg, atTeamA, atTeamB, atOtherOrg}
var orgTargets = []target{atOrg, atOtherOrg}
var teamTargets = []target{atTeamA, atTeamB}

// readActions read the organization, its teams, roles and invitations.
var readActions = []action{
	{
		name:    "see the organization",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return true },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg), a.user.Token)
		},
	},
	{
		name:    "list teams",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/teams", a.user.Token)
		},
	},
	{
		name:    "read a team",
		targets: teamTargets,
		allowed: effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg), a.user.Token)
		},
	},
	{
		name:    "list roles",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/roles", a.user.Token)
		},
	},
	{
		name:    "list invitations",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/invitations", a.user.Token)
		},
	},
	{
		name:    "read the audit log",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/audit-log", a.user.Token)
		},
	},
}

// licenseActions read, assign and move licenses.
var licenseActions = []action{
	{
		name:    "list licenses",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/licenses", a.user.Token)
		},
	},
	{
		name:    "list licenses by the team filter",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			team := "organization"
			if id := f.teamID(tg); id != nil {
				team = *id
			}
			return f.e.Get(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/licenses?team="+team,
				a.user.Token)
		},
	},
	{
		name:    "read a license",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleViewer),
		sees:    effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/licenses/"+f.license[tg],
				a.user.Token)
		},
	},
	{
		name:    "assign a license",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleAssigner),
		sees:    effectiveAtLeast(sk.RoleViewer),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return assign(f.t, f.e, a.user, f.orgOf(tg), f.license[tg],
				f.fresh()+"@example.com", false)
		},
		after: func(f *fixture, _ *actor, tg target, ok bool) {
			if ok {
				f.unassign(tg)
			}
		},
	},
	{
		name:    "unassign a license",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleAssigner),
		sees:    effectiveAtLeast(sk.RoleViewer),
		do: prepared(assigned, func(f *fixture, a *actor, tg target, lic string) *apptest.Response {
			return f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/licenses/"+lic+"/assignee",
				a.user.Token)
		}),
		after: func(f *fixture, _ *actor, tg target, ok bool) {
			if !ok {
				f.unassign(tg)
			}
		},
	},
	withTargets(moveTo(atOrg), atTeamA, atTeamB, atOtherOrg),
	withTargets(moveTo(atTeamA), atOrg, atTeamB),
	withTargets(moveTo(atTeamB), atOrg, atTeamA),
}

func withTargets(act action, targets ...target) action {
	act.targets = targets
	return act
}

// billingActions read subscriptions and open the billing portal.
var billingActions = []action{
	{
		name:    "list subscriptions",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/subscriptions", a.user.Token)
		},
	},
	{
		name:    "open a subscription in the billing portal",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		sees:    orgRoleAtLeast(sk.RoleManager), // Managers read, others hear of nothing
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, "/api/v1/billing/subscriptions/"+f.billing(tg).Subscription.ID,
				a.user.Token)
		},
	},
	{
		name:    "cancel a subscription",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		sees:    orgRoleAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Post(f.t, "/api/v1/billing/subscriptions/"+
				f.billing(tg).Subscription.ID+"/cancel", a.user.Token, nil)
		},
		after: func(f *fixture, _ *actor, tg target, ok bool) {
			if ok {
				apptest.Must(f.t, f.e.Post(f.t, "/api/v1/billing/subscriptions/"+
					f.billing(tg).Subscription.ID+"/renew", f.owner.Token, nil), http.StatusOK)
			}
		},
	},
	{
		name:    "read the customer account",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		sees:    orgRoleAtLeast(sk.RoleOwner),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, "/api/v1/billing/customers/"+
				f.billing(tg).Subscription.CustomerID, a.user.Token)
		},
	},
	{
		name:    "list invoices",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		sees:    orgRoleAtLeast(sk.RoleOwner),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, "/api/v1/billing/customers/"+
				f.billing(tg).Subscription.CustomerID+"/invoices", a.user.Token)
		},
	},
}

// teamActions change the organization and its teams.
var teamActions = []action{
	{
		name:    "rename the organization",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Patch(f.t, f.scopePath(tg), a.user.Token, map[string]string{"name": f.fresh()})
		},
	},
	{
		name:    "create a team",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Post(f.t, f.scopePath(tg)+"/teams", a.user.Token,
				map[string]string{"name": f.fresh()})
		},
	},
	{
		name:    "rename a team",
		targets: teamTargets,
		allowed: orgRoleAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Patch(f.t, f.scopePath(tg), a.user.Token, map[string]string{"name": f.fresh()})
		},
	},
	{
		// A new team where the actor holds what they hold at team A (or B),
		// so that the holders of a team's roles try to remove it; at the
		// organization, a new team where nobody holds a role.
		name:    "remove a team",
		targets: allTargets,
		allowed: orgRoleAtLeast(sk.RoleManager),
		sees: func(a *actor, tg target) bool {
			return a.sees(tg) && (tg != atOrg || a.orgRole != "")
		},
		do: prepared(func(f *fixture, a *actor, tg target) string {
			team := createTeam(f.t, f.e, f.ownerOf(tg), f.orgOf(tg), f.fresh())
			if role := a.holds(tg); tg != atOrg && role != "" {
				apptest.Must(f.t, f.e.Put(f.t, "/api/v1/orgs/"+f.org+"/teams/"+team+
					"/roles/"+a.user.ID, f.owner.Token, map[string]sk.Role{"role": role}),
					http.StatusOK)
			}
			return team
		}, func(f *fixture, a *actor, tg target, team string) *apptest.Response {
			r := f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/teams/"+team, a.user.Token)
			if r.Status >= 300 {
				apptest.Must(f.t, f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/teams/"+team,
					f.ownerOf(tg).Token), http.StatusNoContent)
			}
			return r
		}),
	},
}

// roleActions grant, change, remove and abandon roles, and send, resend
// and revoke invitations.
var roleActions = []action{
	{
		name:    "grant a role",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Put(f.t, f.scopePath(tg)+"/roles/"+f.subject.ID, a.user.Token,
				map[string]string{"role": "assigner"})
		},
		after: func(f *fixture, _ *actor, tg target, ok bool) {
			if ok {
				f.restoreSubject(tg)
			}
		},
	},
	{
		name:    "grant Owner",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Put(f.t, f.scopePath(tg)+"/roles/"+f.subject.ID, a.user.Token,
				map[string]string{"role": "owner"})
		},
		after: func(f *fixture, _ *actor, tg target, ok bool) {
			if ok {
				f.restoreSubject(tg)
			}
		},
	},
	{
		name:    "change a role",
		targets: []target{atOrg, atTeamA, atOtherOrg},
		allowed: effectiveAtLeast(sk.RoleManager),
		do: prepared(subjectAs(sk.RoleViewer),
			func(f *fixture, a *actor, tg target, user string) *apptest.Response {
				return f.e.Put(f.t, f.scopePath(tg)+"/roles/"+user, a.user.Token,
					map[string]string{"role": "assigner"})
			}),
		after: restoreSubjectUnlessRemoved(false),
	},
	{
		name:    "remove a role",
		targets: []target{atOrg, atTeamA, atOtherOrg},
		allowed: effectiveAtLeast(sk.RoleManager),
		do: prepared(subjectAs(sk.RoleViewer),
			func(f *fixture, a *actor, tg target, user string) *apptest.Response {
				return f.e.Delete(f.t, f.scopePath(tg)+"/roles/"+user, a.user.Token)
			}),
		after: restoreSubjectUnlessRemoved(true),
	},
	{
		name:    "change an Owner's role",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: prepared(subjectAs(sk.RoleOwner),
			func(f *fixture, a *actor, tg target, user string) *apptest.Response {
				return f.e.Put(f.t, f.scopePath(tg)+"/roles/"+user, a.user.Token,
					map[string]string{"role": "viewer"})
			}),
		after: restoreSubjectUnlessRemoved(false),
	},
	{
		name:    "remove an Owner's role",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: prepared(subjectAs(sk.RoleOwner),
			func(f *fixture, a *actor, tg target, user string) *apptest.Response {
				return f.e.Delete(f.t, f.scopePath(tg)+"/roles/"+user, a.user.Token)
			}),
		after: restoreSubjectUnlessRemoved(true),
	},
	{
		// Only one's own role at that very scope; the last Owner is
		// TestLastOwner's.
		name:    "abandon a role",
		targets: allTargets,
		allowed: func(a *actor, tg target) bool { return a.holds(tg) != "" },
		refused: http.StatusNotFound,
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Delete(f.t, f.scopePath(tg)+"/roles/me", a.user.Token)
		},
		after: func(f *fixture, a *actor, tg target, ok bool) {
			if ok {
				f.rejoin(a, tg)
			}
		},
	},
	{
		name:    "invite",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleManager),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations", a.user.Token,
				map[string]any{"email": f.fresh() + "@example.com", "role": "viewer",
					"team_id": f.teamID(tg)})
		},
	},
	{
		name:    "invite an Owner",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations", a.user.Token,
				map[string]any{"email": f.fresh() + "@example.com", "role": "owner"})
		},
	},
	{
		name:    "resend an invitation",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleManager),
		do: prepared(invitation(sk.RoleViewer),
			func(f *fixture, a *actor, tg target, inv string) *apptest.Response {
				return f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations/"+inv+"/resend",
					a.user.Token, nil)
			}),
	},
	{
		name:    "resend an Owner's invitation",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: prepared(invitation(sk.RoleOwner),
			func(f *fixture, a *actor, tg target, inv string) *apptest.Response {
				return f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations/"+inv+"/resend",
					a.user.Token, nil)
			}),
	},
	{
		name:    "revoke an invitation",
		targets: allTargets,
		allowed: effectiveAtLeast(sk.RoleManager),
		do: prepared(invitation(sk.RoleViewer),
			func(f *fixture, a *actor, tg target, inv string) *apptest.Response {
				return f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations/"+inv,
					a.user.Token)
			}),
	},
	{
		name:    "revoke an Owner's invitation",
		targets: orgTargets,
		allowed: orgRoleAtLeast(sk.RoleOwner),
		do: prepared(invitation(sk.RoleOwner),
			func(f *fixture, a *actor, tg target, inv string) *apptest.Response {
				return f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations/"+inv,
					a.user.Token)
			}),
	},
}

// matrixActors are the actors of the matrix: no role; each role at the
// organization or at team A; and some who hold roles at two scopes, for the
// actions that need rights at both (change team).
func matrixActors() []*actor {
	actors := []*actor{{name: "no role"}}
	for _, r := range []sk.Role{sk.RoleViewer, sk.RoleAssigner, sk.RoleManager, sk.RoleOwner} {
		actors = append(actors, &actor{name: "organization " + string(r), orgRole: r})
		if r != sk.RoleOwner {
			actors = append(actors, &actor{name: "team A " + string(r), teamA: r})
		}
	}
	return append(actors,
		&actor{name: "organization viewer and team A manager", orgRole: sk.RoleViewer,
			teamA: sk.RoleManager},
		&actor{name: "team A manager and team B viewer", teamA: sk.RoleManager,
			teamB: sk.RoleViewer},
		&actor{name: "team A manager and team B manager", teamA: sk.RoleManager,
			teamB: sk.RoleManager},
	)
}

func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		f := newFixture(t, apptest.Start(t, db))
		actors := matrixActors()
		for _, a := range actors {
			a.user = f.e.User(t, a.name)
			for _, tg := range []target{atOrg, atTeamA, atTeamB} {
				if role := a.holds(tg); role != "" {
					join(t, f.e, f.owner, f.org, f.teamID(tg), a.user, role)
				}
			}
		}

		all := [][]action{readActions, licenseActions, billingActions, teamActions, roleActions}
		for _, a := range actors {
			// A fresh hour, so that the invitations each actor sends and
			// resends stay within the organization's hourly share.
			advance(t, f.e, "1h")
			t.Run(a.name, func(t *testing.T) {
				for _, acts := range all {
					for _, act := range acts {
						for _, tg := range act.targets {
							t.Run(act.name+" at "+tg.String(), func(t *testing.T) {
								f.t = t
								check(f, a, act, tg)
							})
						}
					}
				}
			})
		}
	})
}

// newFixture buys the organization and the other one, each with its Owner,
// makes teams A, B and C, places one license at each scope, and gives the
// subject its standing roles.
func newFixture(t *testing.T, e *apptest.Env) *fixture {
	t.Helper()
	f := &fixture{t: t, e: e, owner: e.User(t, "Owner"), other: e.User(t, "Stranger"),
		subject: e.User(t, "Subject"), bought: map[target]*sk.CheckoutResult{},
		license: map[target]string{}}
	f.bought[atOrg] = checkout(t, e, f.owner, "Acme", 3)
	f.bought[atOtherOrg] = checkout(t, e, f.other, "Elsewhere", 1)
	f.org = f.bought[atOrg].Organization.ID
	f.otherID = f.bought[atOtherOrg].Organization.ID
	f.teamA = createTeam(t, e, f.owner, f.org, "Team A")
	f.teamB = createTeam(t, e, f.owner, f.org, "Team B")
	f.teamC = createTeam(t, e, f.owner, f.org, "Team C")

	lics := ids(listLicenses(t, e, f.owner, f.org, "").Data)
	f.license[atOrg], f.license[atTeamA], f.license[atTeamB] = lics[0], lics[1], lics[2]
	f.license[atOtherOrg] = ids(listLicenses(t, e, f.other, f.otherID, "").Data)[0]
	e.Hold(t, f.org, store.LicenseHolding{ID: lics[1], TeamID: &f.teamA},
		store.LicenseHolding{ID: lics[2], TeamID: &f.teamB})

	// The subject is a member through a role at team C, and holds another
	// at team B that the actions change and put back.
	join(t, e, f.owner, f.org, &f.teamC, f.subject, sk.RoleViewer)
	apptest.Must(t, e.Put(t, f.scopePath(atTeamB)+"/roles/"+f.subject.ID, f.owner.Token,
		map[string]string{"role": "viewer"}), http.StatusOK)
	return f
}

// check makes the action's request as the actor at the target and compares
// the answer with PRODUCT.md's: 404 for what the actor may not see, the
// refusal for what they see but may not do, success otherwise.
func check(f *fixture, a *actor, act action, tg target) {
	f.t.Helper()
	sees := a.sees(tg)
	if act.sees != nil {
		sees = act.sees(a, tg)
	}
	want := http.StatusNotFound
	switch {
	case sees && act.allowed(a, tg):
		want = http.StatusOK
	case sees && act.refused != 0:
		want = act.refused
	case sees:
		want = http.StatusForbidden
	}

	r := act.do(f, a, tg)
	ok := r.Status >= 200 && r.Status < 300
	if r.Status != want && !(want == http.StatusOK && ok) {
		f.t.Errorf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	if act.after != nil {
		act.after(f, a, tg, ok)
	}
}

// checkout buys an organization plan of the given seats with a test card,
// as its Owner will.
func checkout(t *testing.T, e *apptest.Env, by *apptest.User, org string,
	seats int) *sk.CheckoutResult {
	t.Helper()
	var res sk.CheckoutResult
	apptest.Must(t, e.Post(t, "/api/v1/checkout", by.Token, map[string]any{
		"plan": "team", "period": "month", "seats": seats, "organization_name": org,
		"card": card(cardOK),
	}), http.StatusCreated).Decode(t, &res)
	return &res
}

func createTeam(t *testing.T, e *apptest.Env, by *apptest.User, org, name string) string {
	t.Helper()
	var team struct{ ID string }
	apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/teams", by.Token,
		map[string]string{"name": name}), http.StatusCreated).Decode(t, &team)
	return team.ID
}

// join invites a user to a scope and has them accept through the link in
// the mail.
func join(t *testing.T, e *apptest.Env, by *apptest.User, org string, team *string,
	who *apptest.User, role sk.Role) {
	t.Helper()
	apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations", by.Token, map[string]any{
		"email": who.Email, "role": role, "team_id": team,
	}), http.StatusCreated)
	path, token := e.LinkToken(t, e.MailTo(t, who.Email))
	if path != "/invitations/accept" {
		t.Fatalf("invitation link path %q", path)
	}
	apptest.Must(t, e.Post(t, "/api/v1/invitations/accept", who.Token, tok(token)), http.StatusOK)
}

// TestAcceptanceRechecksTheInviter has inviters of each kind invite someone
// and then keep or lose the right to grant that role there (Manager at the
// scope, never above their own level); the invitee accepts. An invitation
// whose inviter lost the right is refused, nothing is granted, and the
// Owner's resend makes it acceptable again.
func TestAcceptanceRechecksTheInviter(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		owner := e.User(t, "Olivia Owner")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")

		// grant is a role at the organization (team nil) or the team; an
		// empty role removes the grant there.
		type grant struct {
			team *string
			role sk.Role
		}
		tests := []struct {
			name    string
			inviter grant   // what the inviter holds when inviting
			at      *string // the invitation's team, nil for the organization
			role    sk.Role // the invitation's role
			then    []grant // what the Owner then changes of the inviter's roles
			want    int
		}{
			{"organization manager, unchanged", grant{nil, sk.RoleManager}, nil,
				sk.RoleAssigner, nil, http.StatusOK},
			{"organization manager demoted to viewer", grant{nil, sk.RoleManager}, nil,
				sk.RoleViewer, []grant{{nil, sk.RoleViewer}}, http.StatusConflict},
			{"organization manager demoted, inviting to a team", grant{nil, sk.RoleManager},
				&team, sk.RoleViewer, []grant{{nil, sk.RoleAssigner}}, http.StatusConflict},
			{"organization manager removed", grant{nil, sk.RoleManager}, nil,
				sk.RoleViewer, []grant{{nil, ""}}, http.StatusConflict},
			{"team manager, unchanged", grant{&team, sk.RoleManager}, &team,
				sk.RoleAssigner, nil, http.StatusOK},
			{"team manager demoted to assigner", grant{&team, sk.RoleManager}, &team,
				sk.RoleViewer, []grant{{&team, sk.RoleAssigner}}, http.StatusConflict},
			{"team manager removed from the team", grant{&team, sk.RoleManager}, &team,
				sk.RoleViewer, []grant{{&team, ""}}, http.StatusConflict},
			{"team manager who became organization manager", grant{&team, sk.RoleManager},
				&team, sk.RoleViewer, []grant{{nil, sk.RoleManager}, {&team, ""}},
				http.StatusOK},
			{"owner demoted, inviting an owner", grant{nil, sk.RoleOwner}, nil,
				sk.RoleOwner, []grant{{nil, sk.RoleManager}}, http.StatusConflict},
			{"owner demoted, inviting a manager", grant{nil, sk.RoleOwner}, nil,
				sk.RoleManager, []grant{{nil, sk.RoleManager}}, http.StatusOK},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				inviter := e.User(t, fmt.Sprint("Inviter ", i))
				guest := e.User(t, fmt.Sprint("Guest ", i))
				join(t, e, owner, org, tt.inviter.team, inviter, tt.inviter.role)
				id, token := invite(t, e, inviter, org, tt.at, guest.Email, tt.role)
				for _, g := range tt.then {
					path := "/api/v1/orgs/" + org + "/roles/" + inviter.ID
					if g.team != nil {
						path = "/api/v1/orgs/" + org + "/teams/" + *g.team + "/roles/" + inviter.ID
					}
					if g.role == "" {
						apptest.Must(t, e.Delete(t, path, owner.Token), http.StatusNoContent)
						continue
					}
					apptest.Must(t, e.Put(t, path, owner.Token, map[string]sk.Role{"role": g.role}),
						http.StatusOK)
				}

				r := accept(t, e, guest, token)
				if r.Status != tt.want {
					t.Fatalf("accepting: %d, want %d: %s", r.Status, tt.want, r.Body)
				}
				if tt.want == http.StatusOK {
					return
				}
				if r := e.Get(t, "/api/v1/orgs/"+org, guest.Token); r.Status != http.StatusNotFound {
					t.Errorf("the refused invitee sees the organization: %d", r.Status)
				}
				if s := invitationStatus(t, e, owner, org, id); s != sk.InvitationPending {
					t.Errorf("refused invitation is %s, want still pending", s)
				}
				apptest.Must(t, e.Post(t, "/api/v1/orgs/"+org+"/invitations/"+id+"/resend",
					owner.Token, nil), http.StatusOK)
				_, token = e.LinkToken(t, e.MailTo(t, guest.Email))
				apptest.Must(t, accept(t, e, guest, token), http.StatusOK)
			})
		}
	})
}
