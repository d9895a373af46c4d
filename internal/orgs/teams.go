package orgs

import (
	"context"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Teams implements sk.OrgService.
func (s *Service) Teams(ctx context.Context, a *sk.Actor, orgID string, p sk.Page) (
	[]sk.Team, string, error) {
	var teams []sk.Team
	var next string
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, sk.Scope{OrgID: orgID}, policy.Read)
		if err != nil {
			return err
		}
		var keys []string
		teams, keys, err = tx.Teams(ctx, orgID, p.After, p.Limit)
		next = sk.Next(p, keys, func(k string) string { return k })
		return err
	})
	return teams, next, err
}

// TeamNames implements sk.OrgService.
func (s *Service) TeamNames(ctx context.Context, a *sk.Actor, orgID string, limit int) (
	[]sk.OrgRef, error) {
	var names []sk.OrgRef
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, sk.Scope{OrgID: orgID}, policy.Read)
		if err != nil {
			return err
		}
		names, err = tx.TeamNames(ctx, orgID, limit)
		return err
	})
	return names, err
}

// Team implements sk.OrgService.
func (s *Service) Team(ctx context.Context, a *sk.Actor, scope sk.Scope) (*sk.Team, error) {
	var team *sk.Team
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, scope, policy.Read)
		if err != nil {
			return err
		}
		team, err = tx.Team(ctx, scope.OrgID, scope.TeamID)
		return err
	})
	return team, err
}

// CreateTeam implements sk.OrgService.
func (s *Service) CreateTeam(ctx context.Context, a *sk.Actor, c sk.Client, orgID,
	name string) (*sk.Team, error) {
	name, err := teamName(name)
	if err != nil {
		return nil, err
	}

	var team *sk.Team
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		_, err := s.authorize(ctx, tx, a, sk.Scope{OrgID: orgID}, policy.ManageTeams)
		if err != nil {
			return err
		}
		now := s.now()
		team = &sk.Team{ID: sk.NewID(sk.PrefixTeam, now), Name: name, CreatedAt: now}
		if err := tx.CreateTeam(ctx, orgID, team); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, c, orgID, "team.created", "team", team.ID,
			nil, map[string]string{"name": name})
	})
	return team, err
}

// RenameTeam implements sk.OrgService.
func (s *Service) RenameTeam(ctx context.Context, a *sk.Actor, c sk.Client, scope sk.Scope,
	name string) (*sk.Team, error) {
	name, err := teamName(name)
	if err != nil {
		return nil, err
	}

	var team *sk.Team
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := s.authorizeTeamChange(ctx, tx, a, scope); err != nil {
			return err
		}
		if team, err = tx.Team(ctx, scope.OrgID, scope.TeamID); err != nil {
			return err
		}
		before := team.Name
		if err := tx.RenameTeam(ctx, scope.OrgID, scope.TeamID, name); err != nil {
			return err
		}
		team.Name = name
		return s.audit(ctx, tx, a, c, scope.OrgID, "team.renamed", "team", team.ID,
			map[string]string{"name": before}, map[string]string{"name": name})
	})
	return team, err
}

// RemoveTeam implements sk.OrgService.
func (s *Service) RemoveTeam(ctx context.Context, a *sk.Actor, c sk.Client, scope sk.Scope) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := s.authorizeTeamChange(ctx, tx, a, scope); err != nil {
			return err
		}
		team, err := tx.Team(ctx, scope.OrgID, scope.TeamID)
		if err != nil {
			return err
		}
		roles, err := tx.Grants(ctx, scope, "", 1<<30)
		if err != nil {
			return err
		}
		moved, err := tx.RemoveTeam(ctx, scope.OrgID, scope.TeamID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, c, scope.OrgID, "team.removed", "team", team.ID,
			map[string]any{"name": team.Name, "license_count": team.LicenseCount, "roles": roles},
			map[string]any{"licenses_returned_to_organization": moved})
	})
}

// authorizeTeamChange checks that the actor may change teams and that the
// team exists in the organization.
func (s *Service) authorizeTeamChange(ctx context.Context, tx *store.Tx, a *sk.Actor,
	scope sk.Scope) error {
	g, err := s.grants(ctx, tx, a, scope.OrgID)
	if err != nil {
		return err
	}
	if err := s.see(ctx, tx, g, scope); err != nil {
		return err
	}
	if !g.Allows(policy.ManageTeams, "") {
		return forbidden(policy.ManageTeams)
	}
	return nil
}

func teamName(name string) (string, error) {
	var v sk.Validation
	sk.CheckName(&v, "name", name, 100)
	return strings.TrimSpace(name), v.Err()
}
