// Package orgs implements seatkeeper.OrgService: organizations, teams,
// roles, invitations and the audit log of their changes. Every permission is
// decided by package policy; every change is one transaction with its audit
// event.
package orgs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/ratelimit"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// invitationTTL is how long an invitation's link works.
const invitationTTL = 7 * 24 * time.Hour

// invitesPerOrg limits the invitations (and resends) an organization sends.
var invitesPerOrg = ratelimit.Rule{Name: "invite-org", Limit: 100, Window: time.Hour}

// Config is what the service needs.
type Config struct {
	DB      *store.DB
	Clock   sk.Clock
	Limiter *ratelimit.Limiter
	Mail    *mail.Templates
	BaseURL string
	Logger  *slog.Logger

	// Queued is called after a transaction that queued mail commits.
	Queued func()

	// Metrics counts invitations once they have committed; nil counts
	// nothing.
	Metrics *metrics.Metrics
}

// Service implements sk.OrgService.
type Service struct {
	cfg Config
}

var _ sk.OrgService = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Queued == nil {
		cfg.Queued = func() {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

// grants loads the actor's roles in the organization. An organization that
// does not exist, or where the actor holds no role, is ENOTFOUND: the two
// must look alike.
func (s *Service) grants(ctx context.Context, tx *store.Tx, a *sk.Actor, orgID string) (
	policy.Grants, error) {
	refs, err := tx.RolesIn(ctx, orgID, a.User.ID)
	if err != nil {
		return nil, err
	}
	g := policy.Grants(refs)
	if !g.Member() {
		return nil, errNoOrg
	}
	return g, nil
}

var errNoOrg = sk.Errorf(sk.ENOTFOUND, "No such organization.")

var errNoTeam = sk.Errorf(sk.ENOTFOUND, "No such team.")

// authorize checks that the actor may take the action at the scope and
// returns their grants. What they may not see is ENOTFOUND; what they see
// but may not do is EFORBIDDEN.
func (s *Service) authorize(ctx context.Context, tx *store.Tx, a *sk.Actor, scope sk.Scope,
	action policy.Action) (policy.Grants, error) {
	g, err := s.grants(ctx, tx, a, scope.OrgID)
	if err != nil {
		return nil, err
	}
	if err := s.see(ctx, tx, g, scope); err != nil {
		return nil, err
	}
	if !g.Allows(action, scope.TeamID) {
		return nil, forbidden(action)
	}
	return g, nil
}

// see checks that the scope exists and that the actor may know it does.
func (s *Service) see(ctx context.Context, tx *store.Tx, g policy.Grants, scope sk.Scope) error {
	if scope.TeamID == "" {
		return nil
	}
	if !g.Sees(scope.TeamID) {
		return errNoTeam
	}
	_, err := tx.Team(ctx, scope.OrgID, scope.TeamID)
	return err
}

func forbidden(action policy.Action) error {
	what := map[policy.Action]string{
		policy.Read:               "read this",
		policy.ManageTeams:        "create, rename or remove teams",
		policy.ManageRoles:        "manage roles here",
		policy.RenameOrganization: "rename the organization",
		policy.ReadAuditLog:       "read the audit log",
	}[action]
	if what == "" {
		what = "do this"
	}
	return sk.Errorf(sk.EFORBIDDEN, "Your role does not allow you to %s.", what)
}

// audit records a change in the transaction that makes it.
func (s *Service) audit(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	orgID, action, targetType, targetID string, before, after any) error {
	b, err := marshal(before)
	if err != nil {
		return err
	}
	af, err := marshal(after)
	if err != nil {
		return err
	}
	return tx.InsertAudit(ctx, &store.AuditRecord{
		OrgID:      orgID,
		Actor:      &sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name},
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		Before:     b,
		After:      af,
		ClientIP:   c.IP,
		At:         s.now(),
	})
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding audit state: %w", err)
	}
	return b, nil
}

// CreateOrganization implements sk.OrgService.
func (s *Service) CreateOrganization(ctx context.Context, name, ownerID string,
	customerID *string) (*sk.Organization, error) {
	var v sk.Validation
	sk.CheckName(&v, "organization_name", name, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}

	var org *sk.Organization
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		org, err = s.CreateOrganizationTx(ctx, tx, strings.TrimSpace(name), ownerID, customerID)
		return err
	})
	return org, err
}

// CreateOrganizationTx creates an organization with its first Owner inside
// the caller's transaction; checkout makes it part of its own.
func (s *Service) CreateOrganizationTx(ctx context.Context, tx *store.Tx, name, ownerID string,
	customerID *string) (*sk.Organization, error) {
	owner, err := tx.UserByID(ctx, ownerID)
	if err != nil {
		return nil, err
	}

	now := s.now()
	org := &sk.Organization{ID: sk.NewID(sk.PrefixOrganization, now), Name: name, CreatedAt: now}
	if err := tx.CreateOrganization(ctx, org, customerID); err != nil {
		return nil, err
	}
	g := &sk.Grant{
		ID:   sk.NewID(sk.PrefixGrant, now),
		User: sk.UserRef{ID: owner.ID, Email: owner.Email, Name: owner.Name},
		Role: sk.RoleOwner,
	}
	if err := tx.CreateGrant(ctx, sk.Scope{OrgID: org.ID}, g, nil, now); err != nil {
		return nil, err
	}
	org.MyRoles = []sk.RoleRef{{Role: sk.RoleOwner}}

	actor := &sk.Actor{User: owner.User}
	return org, s.audit(ctx, tx, actor, sk.Client{}, org.ID, "organization.created",
		"organization", org.ID, nil, map[string]any{"name": name, "owner": g.User})
}

// Organization implements sk.OrgService.
func (s *Service) Organization(ctx context.Context, a *sk.Actor, orgID string) (
	*sk.Organization, error) {
	var org *sk.Organization
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		g, err := s.grants(ctx, tx, a, orgID)
		if err != nil {
			return err
		}
		if org, err = tx.Organization(ctx, orgID); err != nil {
			return err
		}
		org.MyRoles = g
		return nil
	})
	return org, err
}

// RenameOrganization implements sk.OrgService.
func (s *Service) RenameOrganization(ctx context.Context, a *sk.Actor, c sk.Client, orgID,
	name string) (*sk.Organization, error) {
	var v sk.Validation
	sk.CheckName(&v, "name", name, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)

	var org *sk.Organization
	err := s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := s.authorize(ctx, tx, a, sk.Scope{OrgID: orgID}, policy.RenameOrganization)
		if err != nil {
			return err
		}
		if org, err = tx.Organization(ctx, orgID); err != nil {
			return err
		}
		before := org.Name
		if err := tx.RenameOrganization(ctx, orgID, name, s.now()); err != nil {
			return err
		}
		org.Name, org.MyRoles = name, g
		return s.audit(ctx, tx, a, c, orgID, "organization.renamed", "organization", orgID,
			map[string]string{"name": before}, map[string]string{"name": name})
	})
	return org, err
}

// AuditLog implements sk.OrgService.
func (s *Service) AuditLog(ctx context.Context, a *sk.Actor, orgID string, p sk.Page) (
	[]sk.AuditEvent, string, error) {
	var list []sk.AuditEvent
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, sk.Scope{OrgID: orgID}, policy.ReadAuditLog)
		if err != nil {
			return err
		}
		list, err = tx.AuditEvents(ctx, orgID, p.After, p.Limit)
		return err
	})
	return list, sk.Next(p, list, func(e sk.AuditEvent) string { return e.ID }), err
}
