package orgs

import (
	"context"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Invite implements sk.OrgService.
func (s *Service) Invite(ctx context.Context, a *sk.Actor, c sk.Client, orgID string,
	in sk.Invite) (*sk.Invitation, error) {
	scope, err := checkInvite(orgID, in)
	if err != nil {
		return nil, err
	}
	if err := s.limitInvites(ctx, orgID); err != nil {
		return nil, err
	}

	var inv *sk.Invitation
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := s.authorize(ctx, tx, a, scope, policy.ManageRoles)
		if err != nil {
			return err
		}
		if !g.MayGrant(in.Role, scope.TeamID) {
			return errAboveOwnLevel
		}
		if err := s.checkNotInvited(ctx, tx, scope, in.Email); err != nil {
			return err
		}

		now := s.now()
		r := &store.InvitationRecord{
			Invitation: sk.Invitation{
				ID:        sk.NewID(sk.PrefixInvitation, now),
				OrgID:     orgID,
				Email:     in.Email,
				Role:      in.Role,
				TeamID:    in.TeamID,
				Status:    sk.InvitationPending,
				InvitedBy: &sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name},
				CreatedAt: now,
				ExpiresAt: now.Add(invitationTTL),
			},
			InviterID: &a.User.ID,
		}
		plain, hash := secret.New(secret.PrefixLink)
		if err := tx.CreateInvitation(ctx, r, hash); err != nil {
			return err
		}
		if err := s.mailInvitation(ctx, tx, a, r, plain); err != nil {
			return err
		}
		inv = &r.Invitation
		return s.audit(ctx, tx, a, c, orgID, "invitation.created", "invitation", inv.ID, nil, inv)
	})
	if err != nil {
		return nil, err
	}
	s.sent(ctx, orgID)
	s.cfg.Metrics.InvitationSent(false)
	return inv, nil
}

// checkInvite validates an invitation and returns the scope it is for. It
// reports every invalid field at once. A team_id of "" is refused rather
// than read as the organization: null says that.
func checkInvite(orgID string, in sk.Invite) (sk.Scope, error) {
	scope := sk.Scope{OrgID: orgID}
	var v sk.Validation
	v.Check(sk.ValidEmail(in.Email), "email",
		"must be an email address such as name@example.com")
	if in.TeamID != nil {
		scope.TeamID = *in.TeamID
		v.Check(scope.TeamID != "", "team_id", noTeam)
	}
	validateRole(&v, in.Role, scope)
	return scope, v.Err()
}

// noTeam is what a team_id of "" is told.
const noTeam = "must be a team's ID, or null for the organization"

// checkNotInvited refuses to invite an address whose user already holds a
// role at the scope, or that has an invitation there still pending.
func (s *Service) checkNotInvited(ctx context.Context, tx *store.Tx, scope sk.Scope,
	email string) error {
	holds, err := tx.ScopeHolder(ctx, scope, email)
	if err != nil {
		return err
	}
	if holds {
		return sk.Errorf(sk.ECONFLICT,
			"%s already holds a role here; change that role instead of inviting.", email)
	}
	pending, err := tx.PendingInvitation(ctx, scope, email, s.now())
	if err != nil {
		return err
	}
	if pending {
		return sk.Errorf(sk.ECONFLICT,
			"%s already has a pending invitation here; resend it instead.", email)
	}
	return nil
}

// mailInvitation queues the invitation's mail with its link.
func (s *Service) mailInvitation(ctx context.Context, tx *store.Tx, a *sk.Actor,
	r *store.InvitationRecord, token string) error {
	org, err := tx.Organization(ctx, r.OrgID)
	if err != nil {
		return err
	}
	teamName := ""
	if r.TeamID != nil {
		team, err := tx.Team(ctx, r.OrgID, *r.TeamID)
		if err != nil {
			return err
		}
		teamName = team.Name
	}

	m, err := s.cfg.Mail.Render("invitation", r.Email, map[string]string{
		"InviterName": a.User.Name,
		"OrgName":     org.Name,
		"Role":        roleName(r.Role),
		"TeamName":    teamName,
		"Link":        s.cfg.BaseURL + "/invitations/accept?token=" + token,
	})
	if err != nil {
		return err
	}
	return tx.EnqueueMail(ctx, m, s.now())
}

func roleName(r sk.Role) string {
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// limitInvites refuses when the organization has mailed its share of
// invitations for now. It runs outside the invitation's transaction, which it
// must not wait on, and counts nothing: sent counts an invitation once it is
// queued, so that strangers refused by the policy cannot use up the share.
func (s *Service) limitInvites(ctx context.Context, orgID string) error {
	return s.cfg.Limiter.Check(ctx, ratelimit.Key{Rule: invitesPerOrg, Subject: orgID})
}

// sent counts a queued invitation and wakes the mail worker. The invitation
// is committed by now, so a failure to count it is logged, not returned.
func (s *Service) sent(ctx context.Context, orgID string) {
	s.cfg.Queued()
	err := s.cfg.Limiter.Hit(ctx, ratelimit.Key{Rule: invitesPerOrg, Subject: orgID})
	if err != nil && sk.ErrorCode(err) != sk.ERATELIMITED {
		s.cfg.Logger.ErrorContext(ctx, "counting an invitation", "org_id", orgID, "error", err)
	}
}

// Invitations implements sk.OrgService. Like the members they will become,
// invitations are read by Viewers and above at their scope.
func (s *Service) Invitations(ctx context.Context, a *sk.Actor, scope sk.Scope, p sk.Page) (
	[]sk.Invitation, string, error) {
	var list []sk.Invitation
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, scope, policy.Read)
		if err != nil {
			return err
		}
		list, err = tx.Invitations(ctx, scope, p.After, p.Limit, s.now())
		return err
	})
	return list, sk.Next(p, list, func(i sk.Invitation) string { return i.ID }), err
}

// invitationFor loads an invitation and checks that the actor manages roles
// at its scope at the invitation's level.
func (s *Service) invitationFor(ctx context.Context, tx *store.Tx, a *sk.Actor, orgID,
	invID string) (*store.InvitationRecord, error) {
	g, err := s.grants(ctx, tx, a, orgID)
	if err != nil {
		return nil, err
	}
	r, err := tx.Invitation(ctx, orgID, invID, s.now())
	if err != nil {
		return nil, err
	}
	scope := sk.Scope{OrgID: orgID}
	if r.TeamID != nil {
		scope.TeamID = *r.TeamID
	}
	if !g.Sees(scope.TeamID) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such invitation.")
	}
	if !g.Allows(policy.ManageRoles, scope.TeamID) {
		return nil, forbidden(policy.ManageRoles)
	}
	if !g.MayGrant(r.Role, scope.TeamID) {
		return nil, errAboveOwnLevel
	}
	return r, nil
}

// RevokeInvitation implements sk.OrgService.
func (s *Service) RevokeInvitation(ctx context.Context, a *sk.Actor, c sk.Client, orgID,
	invID string) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		r, err := s.invitationFor(ctx, tx, a, orgID, invID)
		if err != nil {
			return err
		}
		if r.Status == sk.InvitationAccepted || r.Status == sk.InvitationRevoked {
			return sk.Errorf(sk.ECONFLICT, "The invitation is already %s.", r.Status)
		}
		if err := tx.RevokeInvitation(ctx, invID, s.now()); err != nil {
			return err
		}
		before := r.Invitation
		r.Status = sk.InvitationRevoked
		return s.audit(ctx, tx, a, c, orgID, "invitation.revoked", "invitation", invID,
			before, r.Invitation)
	})
}

// ResendInvitation implements sk.OrgService. A pending or expired invitation
// gets a new link and seven more days; the old link stops working. The
// resender becomes the invitation's inviter.
func (s *Service) ResendInvitation(ctx context.Context, a *sk.Actor, c sk.Client, orgID,
	invID string) (*sk.Invitation, error) {
	if err := s.limitInvites(ctx, orgID); err != nil {
		return nil, err
	}

	var inv *sk.Invitation
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		r, err := s.invitationFor(ctx, tx, a, orgID, invID)
		if err != nil {
			return err
		}
		if r.Status == sk.InvitationAccepted || r.Status == sk.InvitationRevoked {
			return sk.Errorf(sk.ECONFLICT, "The invitation is %s; invite again instead.", r.Status)
		}

		// The resender becomes the inviter: the mail names them, and
		// acceptance checks their rights, which invitationFor just did.
		before := r.Invitation
		plain, hash := secret.New(secret.PrefixLink)
		r.ExpiresAt = s.now().Add(invitationTTL)
		r.Status = sk.InvitationPending
		r.InviterID = &a.User.ID
		r.InvitedBy = &sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name}
		err = tx.RenewInvitation(ctx, invID, hash, r.ExpiresAt, a.User.ID)
		if err != nil {
			return err
		}
		if err := s.mailInvitation(ctx, tx, a, r, plain); err != nil {
			return err
		}
		inv = &r.Invitation
		return s.audit(ctx, tx, a, c, orgID, "invitation.resent", "invitation", invID,
			before, inv)
	})
	if err != nil {
		return nil, err
	}
	s.sent(ctx, orgID)
	s.cfg.Metrics.InvitationSent(true)
	return inv, nil
}

var errBadInvitation = sk.Invalid("token",
	"is not valid: the invitation is unknown, revoked, already accepted, expired or was resent")

// AcceptInvitation implements sk.OrgService.
func (s *Service) AcceptInvitation(ctx context.Context, a *sk.Actor, c sk.Client,
	token string) (*sk.Invitation, error) {
	if token == "" {
		return nil, sk.Invalid("token", "is required")
	}

	var inv *sk.Invitation
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		r, err := tx.InvitationByToken(ctx, secret.Hash(token), s.now())
		if sk.ErrorCode(err) == sk.ENOTFOUND {
			return errBadInvitation
		}
		if err != nil {
			return err
		}
		if r.Status != sk.InvitationPending {
			return errBadInvitation
		}
		if !a.User.EmailVerified || !strings.EqualFold(a.User.Email, r.Email) {
			return sk.Errorf(sk.EFORBIDDEN,
				"This invitation is for another email address; sign in as %s to accept it.",
				r.Email)
		}
		if err := s.checkInviterStillMay(ctx, tx, r); err != nil {
			return err
		}

		scope := sk.Scope{OrgID: r.OrgID}
		if r.TeamID != nil {
			scope.TeamID = *r.TeamID
		}
		user := sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name}
		if _, err := s.grant(ctx, tx, a, c, scope, user, r.Role); err != nil {
			return err
		}
		if err := tx.AcceptInvitation(ctx, r.ID, a.User.ID, s.now()); err != nil {
			return err
		}
		before := r.Invitation
		r.Status = sk.InvitationAccepted
		inv = &r.Invitation
		return s.audit(ctx, tx, a, c, r.OrgID, "invitation.accepted", "invitation", r.ID,
			before, inv)
	})
	return inv, err
}

// checkInviterStillMay refuses an invitation whose inviter no longer holds
// the rights to grant its role: rights are checked at acceptance, not only
// when the invitation was sent.
func (s *Service) checkInviterStillMay(ctx context.Context, tx *store.Tx,
	r *store.InvitationRecord) error {
	errGone := sk.Errorf(sk.ECONFLICT,
		"Whoever invited you can no longer grant this role; ask for a new invitation.")
	if r.InviterID == nil {
		return errGone
	}
	refs, err := tx.RolesIn(ctx, r.OrgID, *r.InviterID)
	if err != nil {
		return err
	}
	teamID := ""
	if r.TeamID != nil {
		teamID = *r.TeamID
	}
	if !policy.Grants(refs).MayGrant(r.Role, teamID) {
		return errGone
	}
	return nil
}
