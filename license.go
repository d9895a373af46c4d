package seatkeeper

import (
	"context"
	"time"
)

// License statuses.
const (
	LicenseUnassigned = "unassigned"
	LicenseAssigned   = "assigned"
	LicensePending    = "pending" // assigned to an address with no verified account yet
	LicenseExpired    = "expired" // its subscription has ended
)

// License is one seat of a subscription.
type License struct {
	ID             string     `json:"id"`
	Status         string     `json:"status"`
	AssigneeEmail  *string    `json:"assignee_email"`
	AssigneeName   *string    `json:"assignee_name"`
	AssigneeID     *string    `json:"assignee_id"`
	TeamID         *string    `json:"team_id"`
	SubscriptionID string     `json:"subscription_id"`
	Plan           string     `json:"plan"`
	ValidUntil     time.Time  `json:"valid_until"`
	AssignedAt     *time.Time `json:"assigned_at"`

	// Activations counts the machines the license is active on.
	Activations int `json:"activations"`
}

// LicenseCounts sums up the licenses of a scope. Assigned counts pending
// assignments too: those seats are taken.
type LicenseCounts struct {
	Total    int `json:"total"`
	Assigned int `json:"assigned"`
	Free     int `json:"free"`
}

// LicenseFilter narrows a list of an organization's licenses.
type LicenseFilter struct {
	// Team is a team's ID, "organization" for the licenses the organization
	// manages itself, or "" for all.
	Team   string
	Status string // one of the License statuses, or "" for all
	Query  string // part of the assignee's email or name
}

// HeldLicense is a license as its holder sees it under My licenses.
type HeldLicense struct {
	ID             string    `json:"id"`
	Status         string    `json:"status"`
	Valid          bool      `json:"valid"`
	ValidUntil     time.Time `json:"valid_until"`
	Plan           PlanRef   `json:"plan"`
	Organization   *OrgRef   `json:"organization"`
	Team           *OrgRef   `json:"team"`
	SubscriptionID string    `json:"subscription_id"`

	// MaxActivations is how many machines the license may be active on.
	MaxActivations int `json:"max_activations"`
}

// PlanRef names a plan.
type PlanRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OrgRef names an organization or a team.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Assignment is the input of LicenseService.Assign.
type Assignment struct {
	Email string `json:"email"`

	// Replace allows taking the license from its current holder.
	Replace bool `json:"replace"`
}

// LicenseService assigns licenses and delegates them to teams. Permissions
// follow the one policy: assigning needs Assigner at the scope that manages
// the license; moving needs Manager at every scope left and joined.
type LicenseService interface {
	// Licenses lists an organization's licenses in a stable order. On the
	// first page it also counts the licenses of the filtered scope.
	Licenses(ctx context.Context, a *Actor, orgID string, f LicenseFilter, p Page) (
		[]License, *LicenseCounts, string, error)

	// License returns one license of the organization; one the actor may
	// not read is ENOTFOUND.
	License(ctx context.Context, a *Actor, orgID, licenseID string) (*License, error)

	// Assign gives a license to the user with the address, or, when no
	// verified account has it, holds it pending for the address. The
	// assignee is told by mail. A user holds at most one license of a
	// subscription; a license held by someone else is an ECONFLICT unless
	// the assignment asks to replace them.
	Assign(ctx context.Context, a *Actor, c Client, orgID, licenseID string, in Assignment) (
		*License, error)

	// Unassign frees a license.
	Unassign(ctx context.Context, a *Actor, c Client, orgID, licenseID string) error

	// ChangeTeam moves licenses to a team, or back to the organization when
	// teamID is nil, all or none, keeping their assignees.
	ChangeTeam(ctx context.Context, a *Actor, c Client, orgID string, licenseIDs []string,
		teamID *string) (int, error)

	// MyLicenses lists the licenses the actor holds.
	MyLicenses(ctx context.Context, a *Actor) ([]HeldLicense, error)
}
