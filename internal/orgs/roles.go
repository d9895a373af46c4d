package orgs

import (
	"context"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

var (
	errAboveOwnLevel = sk.Errorf(sk.EFORBIDDEN,
		"You cannot grant, change or remove a role above your own; only an Owner handles Owners.")
	errLastOwner = sk.Errorf(sk.ECONFLICT,
		"The organization must keep at least one Owner; make someone else Owner first.")
)

// Roles implements sk.OrgService.
func (s *Service) Roles(ctx context.Context, a *sk.Actor, scope sk.Scope, p sk.Page) (
	[]sk.Grant, string, error) {
	var list []sk.Grant
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, scope, policy.Read)
		if err != nil {
			return err
		}
		list, err = tx.Grants(ctx, scope, p.After, p.Limit)
		return err
	})
	return list, sk.Next(p, list, func(g sk.Grant) string { return g.ID }), err
}

// checkRole validates a role for a scope.
func checkRole(role sk.Role, scope sk.Scope) error {
	var v sk.Validation
	validateRole(&v, role, scope)
	return v.Err()
}

// validateRole records what is wrong, if anything, with a role for a scope.
func validateRole(v *sk.Validation, role sk.Role, scope sk.Scope) {
	switch {
	case !role.Valid():
		v.Add("role", "must be one of viewer, assigner, manager, owner")
	case role == sk.RoleOwner && scope.TeamID != "":
		v.Add("role", "cannot be owner at a team; Owner is an organization role")
	}
}

// SetRole implements sk.OrgService.
func (s *Service) SetRole(ctx context.Context, a *sk.Actor, c sk.Client, scope sk.Scope,
	userID string, role sk.Role) (*sk.Grant, error) {
	if err := checkRole(role, scope); err != nil {
		return nil, err
	}

	var grant *sk.Grant
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := s.authorize(ctx, tx, a, scope, policy.ManageRoles)
		if err != nil {
			return err
		}
		member, err := tx.Member(ctx, scope.OrgID, userID)
		if err != nil {
			return err
		}
		if !g.MayGrant(role, scope.TeamID) {
			return errAboveOwnLevel
		}

		existing, err := tx.Grant(ctx, scope, userID)
		switch {
		case sk.ErrorCode(err) == sk.ENOTFOUND:
			grant, err = s.grant(ctx, tx, a, c, scope, *member, role)
			return err
		case err != nil:
			return err
		}
		grant, err = s.changeRole(ctx, tx, a, c, g, scope, existing, role)
		return err
	})
	return grant, err
}

// grant gives a user a role at a scope where they hold none.
func (s *Service) grant(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	scope sk.Scope, user sk.UserRef, role sk.Role) (*sk.Grant, error) {
	now := s.now()
	g := &sk.Grant{ID: sk.NewID(sk.PrefixGrant, now), User: user, Role: role}
	if scope.TeamID != "" {
		g.TeamID = &scope.TeamID
	}
	if err := tx.CreateGrant(ctx, scope, g, &a.User.ID, now); err != nil {
		return nil, err
	}
	return g, s.audit(ctx, tx, a, c, scope.OrgID, "role.granted", "user", user.ID,
		nil, g)
}

// changeRole changes the role of an existing grant.
func (s *Service) changeRole(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	g policy.Grants, scope sk.Scope, existing *sk.Grant, role sk.Role) (*sk.Grant, error) {
	if existing.Role == role {
		return existing, nil
	}
	if !g.MayGrant(existing.Role, scope.TeamID) {
		return nil, errAboveOwnLevel
	}
	if err := s.keepAnOwner(ctx, tx, scope, existing); err != nil {
		return nil, err
	}

	before := *existing
	if err := tx.SetGrantRole(ctx, existing.ID, role); err != nil {
		return nil, err
	}
	existing.Role = role
	return existing, s.audit(ctx, tx, a, c, scope.OrgID, "role.changed", "user",
		existing.User.ID, before, existing)
}

// keepAnOwner refuses to take away the organization's last Owner grant.
// Under SERIALIZABLE (PostgreSQL) or the single writer (SQLite), two Owners
// demoting each other at once cannot both pass this check.
func (s *Service) keepAnOwner(ctx context.Context, tx *store.Tx, scope sk.Scope,
	leaving *sk.Grant) error {
	if scope.TeamID != "" || leaving.Role != sk.RoleOwner {
		return nil
	}
	owners, err := tx.Owners(ctx, scope.OrgID)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return errLastOwner
	}
	return nil
}

// RemoveRole implements sk.OrgService.
func (s *Service) RemoveRole(ctx context.Context, a *sk.Actor, c sk.Client, scope sk.Scope,
	userID string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := s.authorize(ctx, tx, a, scope, policy.ManageRoles)
		if err != nil {
			return err
		}
		existing, err := tx.Grant(ctx, scope, userID)
		if err != nil {
			return err
		}
		if !g.MayGrant(existing.Role, scope.TeamID) {
			return errAboveOwnLevel
		}
		return s.removeGrant(ctx, tx, a, c, scope, existing, "role.removed")
	})
}

// AbandonRole implements sk.OrgService.
func (s *Service) AbandonRole(ctx context.Context, a *sk.Actor, c sk.Client,
	scope sk.Scope) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := s.grants(ctx, tx, a, scope.OrgID)
		if err != nil {
			return err
		}
		if err := s.see(ctx, tx, g, scope); err != nil {
			return err
		}
		existing, err := tx.Grant(ctx, scope, a.User.ID)
		if sk.ErrorCode(err) == sk.ENOTFOUND {
			return sk.Errorf(sk.ENOTFOUND, "You hold no role here.")
		}
		if err != nil {
			return err
		}
		return s.removeGrant(ctx, tx, a, c, scope, existing, "role.abandoned")
	})
}

func (s *Service) removeGrant(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	scope sk.Scope, existing *sk.Grant, action string) error {
	if err := s.keepAnOwner(ctx, tx, scope, existing); err != nil {
		return err
	}
	if err := tx.DeleteGrant(ctx, existing.ID); err != nil {
		return err
	}
	return s.audit(ctx, tx, a, c, scope.OrgID, action, "user", existing.User.ID, existing, nil)
}
