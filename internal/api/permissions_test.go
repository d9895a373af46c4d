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

// The permission matrix: every actor (no role, or each role held at the
// organization or at team A) against every target scope (the organization,
// team A, team B, another organization) and every action, through the HTTP
// API. The expectations are written from PRODUCT.md's table here, not taken
// from package policy, so that the two must agree.

// actor is a user holding one role at one place, or none.
type actor struct {
	name    string
	orgRole sk.Role // "" for none
	teamA   sk.Role // role at team A, "" for none
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

// effective is the actor's role at the target, per PRODUCT.md: the higher of
// the organization role and that team's role.
func (a *actor) effective(tg target) sk.Role {
	switch tg {
	case atOrg, atTeamB:
		return a.orgRole
	case atTeamA:
		if a.teamA.Level() > a.orgRole.Level() {
			return a.teamA
		}
		return a.orgRole
	}
	return ""
}

// sees reports whether the target exists for the actor at all: the
// organization for anyone with a role in it; a team for readers of the
// organization and holders of a role at the team.
func (a *actor) sees(tg target) bool {
	switch tg {
	case atOrg:
		return a.orgRole != "" || a.teamA != ""
	case atTeamA, atTeamB:
		return a.orgRole != "" || a.effective(tg) != ""
	}
	return false
}

func atLeast(r, min sk.Role) bool { return r.Level() >= min.Level() }

// action is one request of the matrix, with who may make it.
type action struct {
	name    string
	targets []target
	allowed func(a *actor, tg target) bool
	// sees overrides actor.sees when the action aims at something inside the
	// target that has visibility of its own.
	sees func(a *actor, tg target) bool
	do   func(f *fixture, a *actor, tg target) *apptest.Response
	undo func(f *fixture, tg target) // restores state after a success
}

// prepared is an action that needs something made first, by the target
// organization's Owner; what prepare returns is passed to do.
func prepared(prepare func(f *fixture, tg target) string,
	do func(f *fixture, a *actor, tg target, made string) *apptest.Response) func(
	*fixture, *actor, target) *apptest.Response {
	return func(f *fixture, a *actor, tg target) *apptest.Response {
		return do(f, a, tg, prepare(f, tg))
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

// restoreSubject puts the subject back to their one role, Viewer at team B,
// after an action granted them another.
func (f *fixture) restoreSubject(tg target) {
	path := f.scopePath(tg) + "/roles/" + f.subject.ID
	if tg == atTeamB {
		apptest.Must(f.t, f.e.Put(f.t, path, f.owner.Token, map[string]string{"role": "viewer"}),
			http.StatusOK)
		return
	}
	apptest.Must(f.t, f.e.Delete(f.t, path, f.owner.Token), http.StatusNoContent)
}

// ownerOf is the Owner of the target's organization.
func (f *fixture) ownerOf(tg target) *apptest.User {
	if tg == atOtherOrg {
		return f.other
	}
	return f.owner
}

func (f *fixture) fresh() string {
	f.n++
	return fmt.Sprint("n", f.n)
}

var allTargets = []target{atOrg, atTeamA, atTeamB, atOtherOrg}
var orgTargets = []target{atOrg, atOtherOrg}
var teamTargets = []target{atTeamA, atTeamB}

var actions = []action{
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
		allowed: func(a *actor, tg target) bool { return atLeast(a.orgRole, sk.RoleViewer) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/teams", a.user.Token)
		},
	},
	{
		name:    "read a team",
		targets: teamTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.effective(tg), sk.RoleViewer) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg), a.user.Token)
		},
	},
	{
		name:    "list roles",
		targets: allTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.effective(tg), sk.RoleViewer) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/roles", a.user.Token)
		},
	},
	{
		name:    "list invitations",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.orgRole, sk.RoleViewer) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/invitations", a.user.Token)
		},
	},
	{
		name:    "read the audit log",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.orgRole, sk.RoleManager) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Get(f.t, f.scopePath(tg)+"/audit-log", a.user.Token)
		},
	},
	{
		name:    "rename the organization",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return a.orgRole == sk.RoleOwner },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Patch(f.t, f.scopePath(tg), a.user.Token, map[string]string{"name": f.fresh()})
		},
	},
	{
		name:    "create a team",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.orgRole, sk.RoleManager) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Post(f.t, f.scopePath(tg)+"/teams", a.user.Token,
				map[string]string{"name": f.fresh()})
		},
	},
	{
		name:    "rename a team",
		targets: teamTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.orgRole, sk.RoleManager) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Patch(f.t, f.scopePath(tg), a.user.Token, map[string]string{"name": f.fresh()})
		},
	},
	{
		name:    "grant a role",
		targets: allTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.effective(tg), sk.RoleManager) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Put(f.t, f.scopePath(tg)+"/roles/"+f.subject.ID, a.user.Token,
				map[string]string{"role": "assigner"})
		},
		undo: (*fixture).restoreSubject,
	},
	{
		name:    "grant Owner",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return a.orgRole == sk.RoleOwner },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Put(f.t, f.scopePath(tg)+"/roles/"+f.subject.ID, a.user.Token,
				map[string]string{"role": "owner"})
		},
		undo: (*fixture).restoreSubject,
	},
	{
		name:    "remove a team",
		targets: orgTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.orgRole, sk.RoleManager) },
		// A new team: seen by readers of the organization only.
		sees: func(a *actor, tg target) bool { return tg == atOrg && a.orgRole != "" },
		do: prepared(func(f *fixture, tg target) string {
			return createTeam(f.t, f.e, f.ownerOf(tg), f.orgOf(tg), f.fresh())
		}, func(f *fixture, a *actor, tg target, team string) *apptest.Response {
			return f.e.Delete(f.t, f.scopePath(tg)+"/teams/"+team, a.user.Token)
		}),
	},
	{
		name:    "remove a role",
		targets: []target{atOrg, atTeamA, atOtherOrg},
		allowed: func(a *actor, tg target) bool { return atLeast(a.effective(tg), sk.RoleManager) },
		do: prepared(func(f *fixture, tg target) string {
			if tg != atOtherOrg {
				apptest.Must(f.t, f.e.Put(f.t, f.scopePath(tg)+"/roles/"+f.subject.ID,
					f.owner.Token, map[string]string{"role": "viewer"}), http.StatusOK)
			}
			return f.subject.ID
		}, func(f *fixture, a *actor, tg target, user string) *apptest.Response {
			r := f.e.Delete(f.t, f.scopePath(tg)+"/roles/"+user, a.user.Token)
			if r.Status >= 300 && tg != atOtherOrg {
				f.restoreSubject(tg)
			}
			return r
		}),
	},
	{
		name:    "revoke an invitation",
		targets: allTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.effective(tg), sk.RoleManager) },
		do: prepared(func(f *fixture, tg target) string {
			var inv struct{ ID string }
			apptest.Must(f.t, f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations",
				f.ownerOf(tg).Token, map[string]any{"email": f.fresh() + "@example.com",
					"role": "viewer", "team_id": f.teamID(tg)}),
				http.StatusCreated).Decode(f.t, &inv)
			return inv.ID
		}, func(f *fixture, a *actor, tg target, inv string) *apptest.Response {
			return f.e.Delete(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations/"+inv,
				a.user.Token)
		}),
	},
	{
		name:    "invite",
		targets: allTargets,
		allowed: func(a *actor, tg target) bool { return atLeast(a.effective(tg), sk.RoleManager) },
		do: func(f *fixture, a *actor, tg target) *apptest.Response {
			return f.e.Post(f.t, "/api/v1/orgs/"+f.orgOf(tg)+"/invitations", a.user.Token,
				map[string]any{"email": f.fresh() + "@example.com", "role": "viewer",
					"team_id": f.teamID(tg)})
		},
	},
}

func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		f := &fixture{t: t, e: e, owner: e.User(t, "Owner"), subject: e.User(t, "Subject")}
		f.org = e.Org(t, f.owner, "Acme")
		f.other = e.User(t, "Stranger")
		f.otherID = e.Org(t, f.other, "Elsewhere")
		f.teamA = createTeam(t, e, f.owner, f.org, "Team A")
		f.teamB = createTeam(t, e, f.owner, f.org, "Team B")
		// The subject is a member through a role at team B.
		join(t, e, f.owner, f.org, &f.teamB, f.subject, sk.RoleViewer)

		actors := []*actor{{name: "no role"}}
		for _, r := range []sk.Role{sk.RoleViewer, sk.RoleAssigner, sk.RoleManager, sk.RoleOwner} {
			actors = append(actors, &actor{name: "organization " + string(r), orgRole: r})
			if r != sk.RoleOwner {
				actors = append(actors, &actor{name: "team A " + string(r), teamA: r})
			}
		}
		for _, a := range actors {
			a.user = e.User(t, a.name)
			if a.orgRole != "" {
				join(t, e, f.owner, f.org, nil, a.user, a.orgRole)
			}
			if a.teamA != "" {
				join(t, e, f.owner, f.org, &f.teamA, a.user, a.teamA)
			}
		}

		for _, a := range actors {
			for _, act := range actions {
				for _, tg := range act.targets {
					sees := a.sees(tg)
					if act.sees != nil {
						sees = act.sees(a, tg)
					}
					want := http.StatusNotFound
					switch {
					case sees && act.allowed(a, tg):
						want = 200
					case sees:
						want = http.StatusForbidden
					}

					r := act.do(f, a, tg)
					ok := r.Status == want || (want == 200 && r.Status >= 200 && r.Status < 300)
					if !ok {
						t.Errorf("%s: %s at %s: status %d, want %d: %s",
							a.name, act.name, tg, r.Status, want, r.Body)
					}
					if r.Status < 300 && act.undo != nil {
						act.undo(f, tg)
					}
				}
			}
		}
	})
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
