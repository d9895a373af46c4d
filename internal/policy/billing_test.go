package policy_test

import (
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
)

func TestManagesBilling(t *testing.T) {
	t.Parallel()
	owner := policy.Grants{ref(sk.RoleOwner, "")}
	manager := policy.Grants{ref(sk.RoleManager, "")}
	teamManager := policy.Grants{ref(sk.RoleManager, "a")}

	tests := []struct {
		name    string
		account policy.Account
		want    bool
	}{
		{"nothing", policy.Account{}, false},
		{"holder of a personal account", policy.Account{HoldsPersonal: true}, true},
		{"Owner of the account's organization", policy.Account{Orgs: []policy.Grants{owner}},
			true},
		{"Owner of a sibling organization",
			policy.Account{Orgs: []policy.Grants{nil, owner}}, true},
		{"Manager", policy.Account{Orgs: []policy.Grants{manager}}, false},
		{"Manager of a team", policy.Account{Orgs: []policy.Grants{teamManager}}, false},
		{"no role in the account's organization",
			policy.Account{Orgs: []policy.Grants{nil}}, false},
		{"former Owner holding a personal subscription on it",
			policy.Account{Orgs: []policy.Grants{nil}, HoldsPersonal: true}, false},
		{"Owner holding a personal subscription on it",
			policy.Account{Orgs: []policy.Grants{owner}, HoldsPersonal: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.account.ManagesBilling(); got != tt.want {
				t.Errorf("ManagesBilling() = %v, want %v", got, tt.want)
			}
		})
	}
}
