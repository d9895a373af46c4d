package orgs

import (
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
)

// FuzzCheckRole checks the role of a grant or an invitation: one of the four,
// and Owner only at the organization.
func FuzzCheckRole(f *testing.F) {
	for _, r := range []string{"viewer", "assigner", "manager", "owner", "", "OWNER", "root"} {
		f.Add(r, "")
		f.Add(r, "team_x")
	}
	f.Fuzz(func(t *testing.T, role, team string) {
		r := sk.Role(role)
		err := checkRole(r, sk.Scope{OrgID: "org_x", TeamID: team})
		want := r.Valid() && (r != sk.RoleOwner || team == "")
		if (err == nil) != want {
			t.Fatalf("checkRole(%q, team %q) = %v", role, team, err)
		}
	})
}
