package licensing

import (
	"context"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/policy"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// Holder is who AssignMany gives a license to: a verified user, or, when
// UserID is nil, an address that holds it pending.
type Holder struct {
	LicenseID string
	UserID    *string
	Email     string
}

// AssignMany gives free licenses of one organization to their holders in
// one transaction, for operators' tools that fill a store at scale (the
// scale fixture); no route calls it. The actor must be allowed to assign at
// each license's scope, as with Assign, and one event per license is
// audited; nobody is mailed. A license that is unknown (ENOTFOUND) or
// already held (ECONFLICT), or a second license of one subscription for a
// holder (ECONFLICT), fails all of it.
func (s *Service) AssignMany(ctx context.Context, a *sk.Actor, c sk.Client, orgID string,
	holders []Holder) error {
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		g, err := grants(ctx, tx, a, orgID)
		if err != nil {
			return err
		}
		holdings, err := tx.LicenseHoldings(ctx, orgID)
		if err != nil {
			return err
		}
		byID := make(map[string]store.LicenseHolding, len(holdings))
		for _, h := range holdings {
			byID[h.ID] = h
		}

		now := s.now()
		changes := make([]change, len(holders))
		for i, h := range holders {
			l, ok := byID[h.LicenseID]
			if !ok || !g.Allows(policy.Read, teamOf(l.TeamID)) {
				return sk.Errorf(sk.ENOTFOUND, "No such license: %s.", h.LicenseID)
			}
			if !g.Allows(policy.Assign, teamOf(l.TeamID)) {
				return sk.Errorf(sk.EFORBIDDEN,
					"Your role does not allow you to assign license %s.", h.LicenseID)
			}
			if l.AssigneeUserID != nil || l.AssigneeEmail != nil {
				return sk.Errorf(sk.ECONFLICT, "License %s is already held.", h.LicenseID)
			}
			changes[i], err = assignFree(ctx, tx, h, now)
			if err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, c, orgID, "license.assigned", changes)
	})
}

// assignFree gives a free license to its holder and returns the change as
// the audit log records it.
func assignFree(ctx context.Context, tx *store.Tx, h Holder, now time.Time) (change, error) {
	var pending *string
	status := sk.LicenseAssigned
	if h.UserID == nil {
		pending, status = &h.Email, sk.LicensePending
	}
	if err := tx.SetAssignee(ctx, h.LicenseID, h.UserID, pending, now); err != nil {
		return change{}, fmt.Errorf("assigning license %s: %w", h.LicenseID, err)
	}
	before := holdingOf(&sk.License{Status: sk.LicenseUnassigned})
	after := holdingOf(&sk.License{Status: status, AssigneeID: h.UserID,
		AssigneeEmail: &h.Email})
	return change{h.LicenseID, before, after}, nil
}
