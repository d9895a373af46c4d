package policy_test

import (
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
)

func ref(role sk.Role, team string) sk.RoleRef {
	if team == "" {
		return sk.RoleRef{Role: role}
	}
	return sk.RoleRef{Role: role, TeamID: &team}
}

func TestEffectiveRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		grants policy.Grants
		team   string
		want   sk.Role
	}{
		{"none", nil, "", ""},
		{"organization role at the organization", policy.Grants{ref(sk.RoleViewer, "")}, "", sk.RoleViewer},
		{"organization role applies to teams", policy.Grants{ref(sk.RoleManager, "")}, "a", sk.RoleManager},
		{"team role at its team", policy.Grants{ref(sk.RoleAssigner, "a")}, "a", sk.RoleAssigner},
		{"team role not at the organization", policy.Grants{ref(sk.RoleAssigner, "a")}, "", ""},
		{"team role not at another team", policy.Grants{ref(sk.RoleAssigner, "a")}, "b", ""},
		{"the higher of the two", policy.Grants{ref(sk.RoleViewer, ""), ref(sk.RoleManager, "a")}, "a", sk.RoleManager},
		{"the higher of the two, other way", policy.Grants{ref(sk.RoleOwner, ""), ref(sk.RoleViewer, "a")}, "a", sk.RoleOwner},
	}
	for _, tt := range tests {
		if got := tt.grants.Effective(tt.team); got != tt.want {
			t.Errorf("%s: Effective(%q) = %q, want %q", tt.name, tt.team, got, tt.want)
		}
	}
}

func TestMayGrant(t *testing.T) {
	t.Parallel()
	manager := policy.Grants{ref(sk.RoleManager, "")}
	owner := policy.Grants{ref(sk.RoleOwner, "")}
	teamManager := policy.Grants{ref(sk.RoleManager, "a")}

	tests := []struct {
		name   string
		grants policy.Grants
		role   sk.Role
		team   string
		want   bool
	}{
		{"manager grants manager", manager, sk.RoleManager, "", true},
		{"manager grants owner", manager, sk.RoleOwner, "", false},
		{"owner grants owner", owner, sk.RoleOwner, "", true},
		{"nobody grants owner at a team", owner, sk.RoleOwner, "a", false},
		{"team manager at their team", teamManager, sk.RoleAssigner, "a", true},
		{"team manager at the organization", teamManager, sk.RoleViewer, "", false},
		{"team manager at another team", teamManager, sk.RoleViewer, "b", false},
		{"assigner grants nothing", policy.Grants{ref(sk.RoleAssigner, "")}, sk.RoleViewer, "", false},
		{"unknown role", owner, sk.Role("admin"), "", false},
	}
	for _, tt := range tests {
		if got := tt.grants.MayGrant(tt.role, tt.team); got != tt.want {
			t.Errorf("%s: MayGrant(%s, %q) = %v, want %v", tt.name, tt.role, tt.team, got, tt.want)
		}
	}
}

// BenchmarkDecision measures one permission decision for an actor with a
// typical handful of grants; it does not depend on the organization's size.
func BenchmarkDecision(b *testing.B) {
	g := policy.Grants{ref(sk.RoleViewer, ""), ref(sk.RoleManager, "a"), ref(sk.RoleAssigner, "b")}
	for b.Loop() {
		if !g.Sees("a") || !g.Allows(policy.ManageRoles, "a") || !g.MayGrant(sk.RoleManager, "a") {
			b.Fatal("denied")
		}
	}
}
