package web

import (
	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
)

// perms answers, for a page's templates, which controls to show. It asks
// the policy that the services enforce, so a page offers exactly what the
// server would allow; the server refuses the rest anyway.
type perms struct {
	g    policy.Grants
	team string // the page's scope: a team's ID, or "" for the organization
}

// Read reports whether the actor may read the page's scope.
func (p perms) Read() bool { return p.g.Allows(policy.Read, p.team) }

// ReadOrg reports whether the actor may read the organization's own pages.
func (p perms) ReadOrg() bool { return p.g.Allows(policy.Read, "") }

// AssignAt reports whether the actor may assign the licenses that teamID
// manages (nil: the organization).
func (p perms) AssignAt(teamID *string) bool {
	return p.g.Allows(policy.Assign, deref(teamID))
}

// Assign reports whether the actor may assign some license of the scope.
func (p perms) Assign() bool { return p.g.Allows(policy.Assign, p.team) }

// ChangeTeam reports whether the actor may move licenses out of the scope.
func (p perms) ChangeTeam() bool { return p.g.Allows(policy.ChangeLicenseTeam, p.team) }

// MoveTo reports whether licenses may be moved into teamID ("" for the
// organization).
func (p perms) MoveTo(teamID string) bool {
	return p.g.Allows(policy.ChangeLicenseTeam, teamID)
}

// ManageTeams reports whether the actor may create, rename and remove teams.
func (p perms) ManageTeams() bool { return p.g.Allows(policy.ManageTeams, "") }

// ManageRoles reports whether the actor may invite and change roles at the
// page's scope.
func (p perms) ManageRoles() bool { return p.g.Allows(policy.ManageRoles, p.team) }

// MayGrant reports whether the actor may grant, change or remove role at
// the page's scope.
func (p perms) MayGrant(role sk.Role) bool { return p.g.MayGrant(role, p.team) }

// Grantable lists the roles the actor may grant at the page's scope,
// highest first.
func (p perms) Grantable() []sk.Role {
	var out []sk.Role
	for _, r := range allRoles {
		if p.g.MayGrant(r, p.team) {
			out = append(out, r)
		}
	}
	return out
}

// MayGrantAt reports whether the actor may grant role at teamID (nil: the
// organization), and so resend or revoke an invitation to it.
func (p perms) MayGrantAt(role sk.Role, teamID *string) bool {
	return p.g.MayGrant(role, deref(teamID))
}

// GrantableAt lists the roles the actor may grant at teamID ("" for the
// organization), for the invitation form's scope picker.
func (p perms) GrantableAt(teamID string) []sk.Role {
	return perms{g: p.g, team: teamID}.Grantable()
}

// Subscriptions reports whether the actor sees the Subscriptions section.
func (p perms) Subscriptions() bool { return p.g.Allows(policy.SeeSubscriptions, "") }

// Billing reports whether the actor may open the billing portal.
func (p perms) Billing() bool { return p.g.Allows(policy.ManageBilling, "") }

// Rename reports whether the actor may rename the organization.
func (p perms) Rename() bool { return p.g.Allows(policy.RenameOrganization, "") }

// Audit reports whether the actor may read the audit log.
func (p perms) Audit() bool { return p.g.Allows(policy.ReadAuditLog, "") }

// HoldsHere reports whether the actor holds a role of their own exactly at
// the page's scope, which they may abandon.
func (p perms) HoldsHere() bool {
	for _, r := range p.g {
		if deref(r.TeamID) == p.team {
			return true
		}
	}
	return false
}

// OwnsOrg reports whether the actor holds the Owner role of their own at
// the organization.
func (p perms) OwnsOrg() bool {
	for _, r := range p.g {
		if r.TeamID == nil && r.Role == sk.RoleOwner {
			return true
		}
	}
	return false
}

// Role is the actor's effective role at the page's scope.
func (p perms) Role() sk.Role { return p.g.Effective(p.team) }

// navOrg is one organization's section of the sidebar.
type navOrg struct {
	ID, Name string
	Manage   bool // may read the organization's Manage page
	Audit    bool
	Teams    []navTeam // teams where the user holds a role of their own
}

type navTeam struct{ ID, Name string }

// sidebar builds the sidebar's sections from the user's memberships.
func sidebar(ms []sk.Membership) []navOrg {
	out := make([]navOrg, 0, len(ms))
	for _, m := range ms {
		g := policy.Grants(m.MyRoles)
		n := navOrg{ID: m.ID, Name: m.Name, Manage: g.Allows(policy.Read, ""),
			Audit: g.Allows(policy.ReadAuditLog, "")}
		for _, r := range m.MyRoles {
			if r.TeamID != nil {
				n.Teams = append(n.Teams, navTeam{ID: *r.TeamID, Name: deref(r.TeamName)})
			}
		}
		out = append(out, n)
	}
	return out
}
