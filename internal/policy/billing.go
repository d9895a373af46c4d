package policy

// Account is what decides an actor's rights over one customer account's
// billing: their grants in each organization that the account bills, and
// whether one of the personal subscriptions it bills is theirs.
type Account struct {
	// Orgs holds the actor's grants in each organization the account
	// bills, one entry an organization, empty where they hold no role.
	Orgs []Grants

	// HoldsPersonal says that one of the account's personal subscriptions
	// is the actor's.
	HoldsPersonal bool
}

// ManagesBilling reports whether the actor opens the account's billing
// portal. An account bills either organizations or one person. An
// organizations' account is managed by an Owner of any of them, over every
// subscription it bought (PRODUCT.md), and by nobody else: a personal
// subscription on it, which checkout no longer makes, gives no rights, so
// that an Owner who loses the role keeps none. A personal account is
// managed by the person whose subscriptions it bills.
func (a Account) ManagesBilling() bool {
	if len(a.Orgs) == 0 {
		return a.HoldsPersonal
	}
	for _, g := range a.Orgs {
		if g.Allows(ManageBilling, "") {
			return true
		}
	}
	return false
}
