// Package licensing implements seatkeeper.LicenseService: who holds which
// license, and which team manages it. A license is never held twice and a
// user never holds two of one subscription, whatever the timing: each change
// is one transaction that checks before it writes, and the schema refuses
// what slips past.
package licensing

import (
	"context"
	"log/slog"
	"slices"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/metrics"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// MaxChangeTeam bounds how many licenses one change-team request moves.
const MaxChangeTeam = 20000

// Config is what the service needs.
type Config struct {
	DB      *store.DB
	Clock   sk.Clock
	Mail    *mail.Templates
	BaseURL string
	Logger  *slog.Logger

	// Queued is called after a transaction that queued mail commits.
	Queued func()

	// Metrics counts assignments once they have committed; nil counts
	// nothing.
	Metrics *metrics.Metrics
}

// Service implements sk.LicenseService.
type Service struct {
	cfg Config
}

var _ sk.LicenseService = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Queued == nil {
		cfg.Queued = func() {}
	}
	return &Service{cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

// grants loads the actor's roles in the organization; no role is ENOTFOUND.
func grants(ctx context.Context, tx *store.Tx, a *sk.Actor, orgID string) (policy.Grants, error) {
	refs, err := tx.RolesIn(ctx, orgID, a.User.ID)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such organization.")
	}
	return policy.Grants(refs), nil
}

func teamOf(id *string) string {
	if id == nil {
		return ""
	}
	return *id
}

// Licenses implements sk.LicenseService.
func (s *Service) Licenses(ctx context.Context, a *sk.Actor, orgID string, f sk.LicenseFilter,
	p sk.Page) ([]sk.License, *sk.LicenseCounts, string, error) {
	if err := checkFilter(f); err != nil {
		return nil, nil, "", err
	}

	var list []sk.License
	var counts *sk.LicenseCounts
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		g, err := grants(ctx, tx, a, orgID)
		if err != nil {
			return err
		}
		if err := authorizeRead(ctx, tx, g, orgID, f.Team); err != nil {
			return err
		}
		if list, err = tx.Licenses(ctx, orgID, f, p.After, p.Limit); err != nil {
			return err
		}
		if p.After == "" {
			counts, err = tx.LicenseCounts(ctx, orgID, f.Team)
		}
		return err
	})
	return list, counts, sk.Next(p, list, func(l sk.License) string { return l.ID }), err
}

// License implements sk.LicenseService.
func (s *Service) License(ctx context.Context, a *sk.Actor, orgID, licenseID string) (
	*sk.License, error) {
	var r *store.LicenseRecord
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		r, err = license(ctx, tx, a, orgID, licenseID, policy.Read)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r.License, nil
}

func checkFilter(f sk.LicenseFilter) error {
	var v sk.Validation
	switch f.Status {
	case "", sk.LicenseUnassigned, sk.LicenseAssigned, sk.LicensePending, sk.LicenseExpired:
	default:
		v.Add("status", "must be one of unassigned, assigned, pending, expired")
	}
	v.Check(len(f.Query) <= 200, "q", "must be at most 200 characters")
	return v.Err()
}

// authorizeRead checks that the actor may read the licenses of the team
// filter's scope: the whole organization or the organization-managed ones
// need Viewer at the organization; one team's need Viewer at that team.
func authorizeRead(ctx context.Context, tx *store.Tx, g policy.Grants, orgID, team string) error {
	scope := team
	if team == "organization" {
		scope = ""
	}
	if scope != "" {
		if !g.Sees(scope) {
			return sk.Errorf(sk.ENOTFOUND, "No such team.")
		}
		if _, err := tx.Team(ctx, orgID, scope); err != nil {
			return err
		}
	}
	if !g.Allows(policy.Read, scope) {
		return sk.Errorf(sk.EFORBIDDEN, "Your role does not allow you to read these licenses.")
	}
	return nil
}

// MyLicenses implements sk.LicenseService. An actor authenticated by API
// token brings the licenses read with the token; otherwise one statement
// reads them, without a transaction, as it needs none.
func (s *Service) MyLicenses(ctx context.Context, a *sk.Actor) ([]sk.HeldLicense, error) {
	list := slices.Clone(a.Held)
	if a.Held == nil {
		err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
			var err error
			list, err = tx.HeldLicenses(ctx, a.User.ID)
			return err
		})
		if err != nil {
			return nil, err
		}
	}

	now := s.now()
	for i := range list {
		list[i].Valid = list[i].Valid && list[i].ValidUntil.After(now)
	}
	return list, nil
}

// audit records changes to licenses, one event each. A change-team is one
// change of many licenses; its target is the scope they joined.
func (s *Service) audit(ctx context.Context, tx *store.Tx, a *sk.Actor, c sk.Client,
	orgID, action string, changes []change) error {
	targetType := "license"
	if action == "licenses.team_changed" {
		targetType = "scope"
	}
	records := make([]*store.AuditRecord, len(changes))
	for i, ch := range changes {
		records[i] = &store.AuditRecord{
			OrgID:      orgID,
			Actor:      &sk.UserRef{ID: a.User.ID, Email: a.User.Email, Name: a.User.Name},
			Action:     action,
			TargetType: targetType,
			TargetID:   ch.id,
			Before:     ch.before,
			After:      ch.after,
			ClientIP:   c.IP,
			At:         s.now(),
		}
	}
	return tx.InsertAudits(ctx, records)
}

// change is one license's state before and after, as JSON.
type change struct {
	id            string
	before, after []byte
}
