package accounts

import (
	"context"
	"encoding/json"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// claimLicenses gives a user who has just proved their address every license
// that was waiting for it, and records each claim in its organization's log.
func (s *Service) claimLicenses(ctx context.Context, tx *store.Tx, u *sk.User) error {
	claimed, err := tx.ClaimPendingLicenses(ctx, u.ID, u.Email, s.now())
	if err != nil || len(claimed) == 0 {
		return err
	}

	before, _ := json.Marshal(map[string]string{"status": sk.LicensePending,
		"assignee_email": u.Email})
	after, _ := json.Marshal(map[string]string{"status": sk.LicenseAssigned,
		"assignee_id": u.ID})
	records := make([]*store.AuditRecord, len(claimed))
	for i, c := range claimed {
		records[i] = &store.AuditRecord{
			Actor:      &sk.UserRef{ID: u.ID, Email: u.Email, Name: u.Name},
			Action:     "license.claimed",
			TargetType: "license",
			TargetID:   c.ID,
			Before:     before,
			After:      after,
			At:         s.now(),
		}
		if c.OrgID != nil {
			records[i].OrgID = *c.OrgID
		}
	}
	return tx.InsertAudits(ctx, records)
}
