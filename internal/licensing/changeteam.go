package licensing

import (
	"context"
	"encoding/json"
	"slices"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// ChangeTeam implements sk.LicenseService. It returns how many licenses
// moved; those already at the destination stay and count as done.
func (s *Service) ChangeTeam(ctx context.Context, a *sk.Actor, c sk.Client, orgID string,
	licenseIDs []string, teamID *string) (int, error) {
	ids, err := checkChange(licenseIDs, teamID)
	if err != nil {
		return 0, err
	}
	dest := teamOf(teamID)

	moved := 0
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := grants(ctx, tx, a, orgID)
		if err != nil {
			return err
		}
		if dest != "" {
			if !g.Sees(dest) {
				return sk.Errorf(sk.ENOTFOUND, "No such team.")
			}
			if _, err := tx.Team(ctx, orgID, dest); err != nil {
				return err
			}
		}

		teams, err := tx.LicenseTeams(ctx, orgID, ids)
		if err != nil {
			return err
		}
		moving, err := authorizeMove(g, ids, teams, dest)
		if err != nil {
			return err
		}

		if err := tx.MoveLicenses(ctx, orgID, moving, teamID); err != nil {
			return err
		}
		moved = len(moving)
		if moved == 0 {
			return nil
		}
		return s.audit(ctx, tx, a, c, orgID, "licenses.team_changed",
			[]change{teamChange(moving, teams, teamID)})
	})
	return moved, err
}

// checkChange validates a change-team, reporting every invalid field at
// once, and returns its license IDs without repeats. A team_id of "" is
// refused rather than read as the organization: null says that.
func checkChange(ids []string, teamID *string) ([]string, error) {
	var v sk.Validation
	checkIDs(&v, ids)
	v.Check(teamID == nil || *teamID != "", "team_id",
		"must be a team's ID, or null for the organization")
	if err := v.Err(); err != nil {
		return nil, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// checkIDs records what is wrong, if anything, with the license IDs of a
// change-team.
func checkIDs(v *sk.Validation, ids []string) {
	switch {
	case len(ids) == 0:
		v.Add("license_ids", "must name at least one license")
		return
	case len(ids) > MaxChangeTeam:
		v.Add("license_ids", "must name at most %d licenses", MaxChangeTeam)
		return
	}
	for i, id := range ids {
		if !sk.HasPrefix(id, sk.PrefixLicense) {
			v.Add("license_ids", "item %d (%q) is not a license ID", i, id)
			return
		}
	}
}

// authorizeMove checks every license: each must be one the actor may read
// (else the whole change is ENOTFOUND, naming it), and the actor must be a
// Manager at every scope the licenses leave and at the one they join. It
// returns the licenses not already at the destination.
func authorizeMove(g policy.Grants, ids []string, teams map[string]*string, dest string) (
	[]string, error) {
	leaving := map[string]bool{}
	var moving []string
	for _, id := range ids {
		team, ok := teams[id]
		if !ok || !g.Allows(policy.Read, teamOf(team)) {
			return nil, sk.Errorf(sk.ENOTFOUND, "No such license: %s. Nothing was moved.", id)
		}
		if teamOf(team) != dest {
			leaving[teamOf(team)] = true
			moving = append(moving, id)
		}
	}

	if !g.Allows(policy.ChangeLicenseTeam, dest) {
		return nil, errMayNotMove
	}
	for scope := range leaving {
		if !g.Allows(policy.ChangeLicenseTeam, scope) {
			return nil, errMayNotMove
		}
	}
	return moving, nil
}

var errMayNotMove = sk.Errorf(sk.EFORBIDDEN, "Moving licenses needs the Manager role at "+
	"every scope they leave and at the one they join. Nothing was moved.")

// teamChange is the audit record of a change-team: one event for the whole
// change, whose before maps each license moved to the team it left ("" for
// the organization) and whose after names the team they joined.
func teamChange(ids []string, from map[string]*string, to *string) change {
	left := make(map[string]string, len(ids))
	for _, id := range ids {
		left[id] = teamOf(from[id])
	}
	before, _ := json.Marshal(map[string]any{"licenses": left})
	after, _ := json.Marshal(map[string]any{"team_id": to, "count": len(ids)})
	target := "organization"
	if to != nil {
		target = *to
	}
	return change{target, before, after}
}
