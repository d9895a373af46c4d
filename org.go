package seatkeeper

import (
	"context"
	"encoding/json"
	"time"
)

// Level orders the roles: Viewer < Assigner < Manager < Owner. A role that is
// not one of the four has level 0, below all of them.
func (r Role) Level() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleAssigner:
		return 2
	case RoleManager:
		return 3
	case RoleOwner:
		return 4
	}
	return 0
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.Level() > 0 }

// Organization is a customer's organization as one of its members sees it.
type Organization struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	MyRoles   []RoleRef `json:"my_roles"`
	CreatedAt time.Time `json:"created_at"`
}

// Team is a named group of an organization that can be delegated licenses.
type Team struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	LicenseCount int       `json:"license_count"`
	CreatedAt    time.Time `json:"created_at"`
}

// Grant is a role held by a user at the organization (TeamID nil) or a team.
type Grant struct {
	ID     string  `json:"-"`
	User   UserRef `json:"user"`
	Role   Role    `json:"role"`
	TeamID *string `json:"team_id"`
}

// UserRef names a user where a whole User would say too much.
type UserRef struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Invitation statuses.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationRevoked  = "revoked"
	InvitationExpired  = "expired"
)

// Invitation offers a role at a scope to an email address.
type Invitation struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"organization_id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	TeamID    *string   `json:"team_id"`
	Status    string    `json:"status"`
	InvitedBy *UserRef  `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AuditEvent records one change: who, what, to which thing, the state before
// and after, when and from where.
type AuditEvent struct {
	ID         string          `json:"id"`
	Actor      *UserRef        `json:"actor"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	ClientIP   string          `json:"client_ip"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Page asks for one page of a list: up to Limit items after the item whose
// sort key is After ("" for the first page). List methods return the items
// and the sort key to continue after, "" when the page was the last.
type Page struct {
	After string
	Limit int
}

// Next returns the key to continue a list after a page of items: the key of
// the last item when the page is full, else "".
func Next[T any](p Page, items []T, key func(T) string) string {
	if len(items) == 0 || len(items) < p.Limit {
		return ""
	}
	return key(items[len(items)-1])
}

// Scope is where a role applies: the organization, or one of its teams.
type Scope struct {
	OrgID  string
	TeamID string // "" for the organization itself
}

// Invite is the input of OrgService.Invite.
type Invite struct {
	Email  string  `json:"email"`
	Role   Role    `json:"role"`
	TeamID *string `json:"team_id"`
}

// OrgService manages organizations, their teams, who holds which role, and
// invitations. Every method decides permissions through the one policy: an
// organization or team the actor may not see answers ENOTFOUND; one they see
// but may not change answers EFORBIDDEN.
type OrgService interface {
	// CreateOrganization creates an organization with its first Owner.
	// Checkout calls it; it checks no permission of its own.
	CreateOrganization(ctx context.Context, name, ownerID string, customerID *string) (
		*Organization, error)

	// Organization returns an organization with the actor's roles in it.
	Organization(ctx context.Context, a *Actor, orgID string) (*Organization, error)

	// RenameOrganization renames it; Owner only.
	RenameOrganization(ctx context.Context, a *Actor, c Client, orgID, name string) (
		*Organization, error)

	// Teams lists an organization's teams by name.
	Teams(ctx context.Context, a *Actor, orgID string, p Page) ([]Team, string, error)

	// TeamNames lists up to limit of an organization's teams by name, with
	// their IDs and nothing else, for pickers; Viewers and above read it.
	TeamNames(ctx context.Context, a *Actor, orgID string, limit int) ([]OrgRef, error)

	// Team returns one team.
	Team(ctx context.Context, a *Actor, s Scope) (*Team, error)

	// CreateTeam, RenameTeam and RemoveTeam change teams; Manager or above
	// at the organization. Names are unique per organization, ignoring case.
	// Removing a team returns its licenses, with their assignees, to the
	// organization and drops its roles and invitations.
	CreateTeam(ctx context.Context, a *Actor, c Client, orgID, name string) (*Team, error)
	RenameTeam(ctx context.Context, a *Actor, c Client, s Scope, name string) (*Team, error)
	RemoveTeam(ctx context.Context, a *Actor, c Client, s Scope) error

	// Roles lists the grants at a scope.
	Roles(ctx context.Context, a *Actor, s Scope, p Page) ([]Grant, string, error)

	// SetRole grants a role at a scope to a member of the organization, or
	// changes the one they hold there. Nobody grants or changes a role above
	// their own level; only an Owner touches Owner.
	SetRole(ctx context.Context, a *Actor, c Client, s Scope, userID string, role Role) (
		*Grant, error)

	// RemoveRole removes a user's role at a scope.
	RemoveRole(ctx context.Context, a *Actor, c Client, s Scope, userID string) error

	// AbandonRole removes the actor's own role at a scope. The last Owner
	// cannot abandon.
	AbandonRole(ctx context.Context, a *Actor, c Client, s Scope) error

	// Invite mails a single-use link that offers a role at a scope.
	Invite(ctx context.Context, a *Actor, c Client, orgID string, in Invite) (*Invitation, error)

	// Invitations lists the invitations of a scope, newest first: at the
	// organization those of every scope, at a team that team's.
	Invitations(ctx context.Context, a *Actor, s Scope, p Page) (
		[]Invitation, string, error)

	// RevokeInvitation makes a pending invitation's link stop working.
	RevokeInvitation(ctx context.Context, a *Actor, c Client, orgID, invID string) error

	// ResendInvitation mails a new link with a new expiry; the old link
	// stops working.
	ResendInvitation(ctx context.Context, a *Actor, c Client, orgID, invID string) (
		*Invitation, error)

	// AcceptInvitation grants the invitation's role to the actor, whose
	// verified email must be the invited address.
	AcceptInvitation(ctx context.Context, a *Actor, c Client, token string) (*Invitation, error)

	// AuditLog lists an organization's audit events, newest first.
	AuditLog(ctx context.Context, a *Actor, orgID string, p Page) ([]AuditEvent, string, error)
}
