package orgs

import (
	"context"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// AddMember gives a user a role at a scope without an invitation, for
// operators' tools that fill a store (the demo data); no route calls it.
// The actor must be allowed to grant the role there, as for SetRole, and
// the audit log records the grant as theirs.
func (s *Service) AddMember(ctx context.Context, a *sk.Actor, c sk.Client, scope sk.Scope,
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
		if !g.MayGrant(role, scope.TeamID) {
			return errAboveOwnLevel
		}
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		ref := sk.UserRef{ID: u.ID, Email: u.Email, Name: u.Name}
		grant, err = s.grant(ctx, tx, a, c, scope, ref, role)
		return err
	})
	return grant, err
}
