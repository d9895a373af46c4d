// Package policy decides every permission in Seatkeeper, from the roles an
// actor holds in one organization, the action, and the scope it targets. It
// is PRODUCT.md's roles table in code; services ask it and nothing else
// decides.
//
// A decision takes the actor's grants in the organization (a handful at
// most) and never the organization's size, so it costs the same in an
// organization of ten seats or a hundred thousand.
package policy

import sk "github.com/seatkeeper/seatkeeper"

// Action is something a role may allow.
type Action int

// The actions of PRODUCT.md's table.
const (
	// Read the organization's licenses, teams and members (at the
	// organization), or one team's sub-page (at that team).
	Read Action = iota + 1

	// Assign or unassign a license managed at the scope.
	Assign

	// Move licenses out of or into the scope.
	ChangeLicenseTeam

	// Create, rename or remove teams (at the organization).
	ManageTeams

	// Invite, grant, change or remove roles at the scope.
	ManageRoles

	// See the organization's subscriptions (read-only for Managers).
	SeeSubscriptions

	// Open the billing portal: payment methods, seats, invoices, cancel,
	// renew.
	ManageBilling

	// Rename the organization.
	RenameOrganization

	// Read the organization's audit log.
	ReadAuditLog
)

// minimum is the lowest effective role that allows each action, and whether
// the action exists only at the organization scope.
var minimum = map[Action]struct {
	role    sk.Role
	orgOnly bool
}{
	Read:               {sk.RoleViewer, false},
	Assign:             {sk.RoleAssigner, false},
	ChangeLicenseTeam:  {sk.RoleManager, false},
	ManageTeams:        {sk.RoleManager, true},
	ManageRoles:        {sk.RoleManager, false},
	SeeSubscriptions:   {sk.RoleManager, true},
	ManageBilling:      {sk.RoleOwner, true},
	RenameOrganization: {sk.RoleOwner, true},
	ReadAuditLog:       {sk.RoleManager, true},
}

// Grants are the roles one actor holds in one organization.
type Grants []sk.RoleRef

// Member reports whether the actor holds any role in the organization or
// one of its teams: whether they see the organization at all.
func (g Grants) Member() bool { return len(g) > 0 }

// Effective returns the actor's role at a scope ("" for the organization):
// the higher of their organization role and, for a team, that team's role.
// It returns "" when they hold neither.
func (g Grants) Effective(teamID string) sk.Role {
	var best sk.Role
	for _, r := range g {
		applies := r.TeamID == nil || (teamID != "" && *r.TeamID == teamID)
		if applies && r.Role.Level() > best.Level() {
			best = r.Role
		}
	}
	return best
}

// Sees reports whether the actor may know that the scope exists. Anyone with
// a role in the organization sees the organization; a team is seen by those
// who may read the organization or hold a role at that team. What the actor
// may not see answers "not found", never "forbidden".
func (g Grants) Sees(teamID string) bool {
	if teamID == "" {
		return g.Member()
	}
	return g.Effective("").Level() >= sk.RoleViewer.Level() || g.Effective(teamID) != ""
}

// Allows reports whether the actor may take the action at the scope.
func (g Grants) Allows(a Action, teamID string) bool {
	m, ok := minimum[a]
	if !ok || (m.orgOnly && teamID != "") {
		return false
	}
	return g.Effective(teamID).Level() >= m.role.Level()
}

// MayGrant reports whether the actor may give role at the scope to someone,
// or change or remove a grant of role there: they must manage roles at the
// scope and never act above their own level, and only an Owner touches
// Owner. No team grant is Owner.
func (g Grants) MayGrant(role sk.Role, teamID string) bool {
	if !role.Valid() || (role == sk.RoleOwner && teamID != "") {
		return false
	}
	if !g.Allows(ManageRoles, teamID) {
		return false
	}
	return role.Level() <= g.Effective(teamID).Level()
}
